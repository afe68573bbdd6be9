// The table of derivative rules by op type (default ONNX domain). Ops whose outputs are not float
// (Shape, Size, ArgMax, Equal, ...) need no rule: they are held constant. An op missing here is
// named, with every other missing op, in one error by the builder.
import { BINARY, gelu, passThrough, prelu, UNARY } from './rules-elementwise.js';
import { batchNorm, conv, convTranspose, gemm, matMul } from './rules-linear.js';
import { layerNorm, logSoftmax, softmax } from './rules-norm.js';
import { averagePool, globalAveragePool, maxPool, reduceMean, reduceSum, resize, upsample } from './rules-pool.js';
import { concat, pad, reshapeLike, slice, splitRule, transpose } from './rules-shape.js';
import type { Rule } from './rule.js';

export const RULES: Readonly<Record<string, Rule>> = Object.freeze({
  ...UNARY,
  ...BINARY,
  Gelu: gelu,
  PRelu: prelu,
  Identity: passThrough,
  Dropout: passThrough,
  Cast: passThrough,
  MatMul: matMul,
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  BatchNormalization: batchNorm,
  GlobalAveragePool: globalAveragePool,
  AveragePool: averagePool,
  MaxPool: maxPool,
  ReduceMean: reduceMean,
  ReduceSum: reduceSum,
  Resize: resize,
  Upsample: upsample,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  LayerNormalization: layerNorm,
  Reshape: reshapeLike,
  Flatten: reshapeLike,
  Squeeze: reshapeLike,
  Unsqueeze: reshapeLike,
  Transpose: transpose,
  Concat: concat,
  Split: splitRule,
  Slice: slice,
  Pad: pad,
});
