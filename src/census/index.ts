// The census of a model's trainable weights (the paper's Table 1) and of its first layer at the
// input size; text renderings; weight dumps; the window null-space basis and its contact sheet.
export { census, toleranceRule, type CensusOptions } from './census.js';
export { collectWeights, type WeightUse } from './collect.js';
export { weightLayout, groupBlock, outInMatrix, type WeightLayout } from './layout.js';
export { operatorNullity, type OperatorOutcome } from './operator-nullity.js';
export { localEngine, poolEngine, lazyPoolEngine, POOL_WORTH, type RankEngine, type RankJob, type GroupRank } from './rank-engine.js';
export { modelTable, comparisonTable, firstLayerLine } from './format.js';
export { npyBytes, weightDump, type DumpEntry } from './dump.js';
export { windowBasis, type WindowBasis } from './window-basis.js';
export { contactSheet, type Sheet } from './contact-sheet.js';
export type { WeightReport, OperatorReport, FirstLayerReport, ModelSummary, ModelReport, ToleranceOptions } from './report.js';
