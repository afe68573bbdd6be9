// Filter quality (Gavrikov & Keuper; torchconvquality's definitions) of a model's 2-D Conv weights:
// the metrics, the per-model report, its tables. The figure (filtersSvg) lives in plot.ts and is
// not re-exported, so that the library does not load the plotting stack.
export { DEFAULT_SPARSITY_EPS, METRICS, entropyMaxThreshold, sparsity, varianceEntropy, orthogonality, weightNorm, filterQuality, type FilterQuality, type MetricName } from './metrics.js';
export { filterReport, kernelFilter, type FilterReport, type FilterLayer, type FilterFirstLayer, type FilterOptions, type DepthThirds } from './report.js';
export { filterTable, filterComparison } from './format.js';
