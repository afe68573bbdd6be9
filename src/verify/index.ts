// src/verify: output comparison and verdicts (verify), the theory-against-practice drift experiment,
// its plots and writers. Browser-safe except plot.ts's PNG rendering (resvg, Node) and the model
// runner's sessions (onnxruntime-web, both environments).
export { relativeL2, maxAbs, norm2, topK, argmax, type Values } from './metrics.js';
export { compareOutput, compareOutputs, outputKind, worstRelative, predictionAgreement, type OutputTensor, type Outputs, type OutputKind, type OutputComparison } from './compare.js';
export { EXACT_TOL, FLOAT32_TOL, EPS, resolvePrecision, verdictOf, collides, type Verdict, type Precision } from './verdict.js';
export { firstLayerForward, type FirstLayerForward } from './first-layer.js';
export { roundingExplanation, type RoundingOptions } from './rounding.js';
export { createVerifier, FEATURE_TOL, ROUNDING_EXPLAINED_MIN, type Verifier, type VerifyRunner, type Candidate, type VerifierOptions } from './verify.js';
export { DRIFT_CHANNELS, channelInfo, type DriftChannel, type ChannelInfo } from './channels.js';
export { runDrift, parseAlphas, storeAsPixels, type DriftRunner, type DriftInput, type DriftResult } from './drift.js';
export { driftDirections, type DriftDirections } from './directions.js';
export { createModelRunner, hasDynamicSize, type ModelRunner, type ModelRunnerOptions } from './model-runner.js';
export { driftSvg, svgToPng, powerOfTen, wrap, ZERO_FLOOR, type DriftFigureInput } from './plot.js';
export { driftCsv, profileCsv, driftText, profileText, sci } from './table.js';
export type { DriftRow, LayerDeviation, LayerProfile, Provenance, DriftReport, FirstLayerDifference, RoundingExplanation, CandidateReport } from './records.js';
