// Game-theoretic interactions inside a perturbation (Wang, Ren et al., ICLR 2021): grid units,
// Walecki paths, the estimator of Shapley values and pairwise interactions, the model game and one
// full analysis. The heat-map figure (plot.ts) is not re-exported (it loads the plotting stack).
export { hamiltonianPaths } from './paths.js';
export { estimateInteractions, type Game, type InteractionOptions, type InteractionEstimate } from './estimate.js';
export { gridUnits, maskedInputs, type GridUnits } from './units.js';
export { resolveUtility, utilityOf, argmax, type UtilityKind } from './utility.js';
export { modelGame, sessionRunner, randomLike, type BatchRunner, type ModelGame, type ModelGameOptions } from './model-game.js';
export { analyseInteractions, type AnalyseOptions, type InteractionReport } from './analyse.js';
