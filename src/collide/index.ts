// src/collide: null-space search. A_img (the whole first layer at the input size) as an operator,
// its nullity figures and injectivity certificate, δ by projection onto ker(A_img) (noise, target,
// folded ker(W) seeds; masks as column restrictions), the paper's per-window fold, the approximate
// mode for trivial kernels, strength (--alpha/--psnr), the box fit (tile-local null spaces first,
// the global fit as the fallback), the NDJSON record, and the
// per-image pipeline. Browser-safe (the CLI in src/cli/collide.ts does the file and stream I/O).
export type { FirstLayerSpec, ConvLayer, DenseLayer } from './layer.js';
export { inputShape } from './layer.js';
export { loadFirstLayer, type LoadedLayer } from './model-layer.js';
export { imageOperator, operatorNorm, type ImageOperator } from './operator.js';
export { windowKernels, MAX_WINDOW_ENTRIES, type WindowKernel } from './window.js';
export { analyse, type Analysis, type AnalyseOptions } from './analyse.js';
export { projector, seedDirection, type Direction, type Projection, type Projector, type ProjectorOptions } from './search.js';
export { windowVectors, foldWindows } from './patch.js';
export { approximateBasis, approximateDirection, type ApproximateBasis, type ApproximateDirection, type ApproximateOptions } from './approximate.js';
export { DEFAULT_ALPHA, alphaForPsnr, psnrOfRms, resolveAlpha } from './strength.js';
export { resolveMask, type Mask, type MaskImage } from './mask.js';
export { boxFit, completion, type BoxFitResult, type BoxFitOptions } from './box-fit.js';
export { tileBasis, tileBasisFor, type TileBasis } from './tile-basis.js';
export { normalSolver, type NormalSolver } from './normal-solver.js';
export { toPixelUnits, pixelRms, modelBoxOf, type ChannelAffine } from './space.js';
export { EXACT_TOL, APPROX_LIMIT, verdictOf, sha256Hex, formatRecord, type Verdict, type NullityFigures, type CollisionMeasures, type CollideRecord } from './report.js';
export { METHODS, resolveMethod, prepareCollider, NoExactCollision, type Method, type Collider, type ColliderOptions, type ModelCollision, type FitFigures } from './collider.js';
export { createPipeline, type Pipeline, type PipelineOptions, type ProcessedImage } from './pipeline.js';
