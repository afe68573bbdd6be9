// The table of float64 lowerings: ops onnxruntime lacks in double, each rewritten into ops it has
// (see lower-conv.ts, lower-activation.ts, lower-resize.ts, lower-erf.ts). Each lowering reads concrete shapes
// (probed for the actual input size), emits replacement nodes that write the original node's
// outputs, and leaves the arithmetic to onnxruntime.
import { clip, hardSigmoid, hardSwish, leakyRelu, mean, prelu } from './lower-activation.js';
import { erf, gelu } from './lower-erf.js';
import { averagePool, conv, convTranspose, globalAveragePool, globalMaxPool } from './lower-conv.js';
import type { Lowering } from './lower-emit.js';
import { resizeWith } from './lower-resize.js';

export type { LowerContext, Lowering } from './lower-emit.js';

/** Lowerings by op type; `when` limits a lowering to opsets where onnxruntime lacks the float64 kernel. */
export const LOWERINGS: Readonly<Record<string, { lower: Lowering; when?: (opset: number) => boolean }>> = Object.freeze({
  Conv: { lower: conv },
  ConvTranspose: { lower: convTranspose },
  AveragePool: { lower: averagePool },
  GlobalAveragePool: { lower: globalAveragePool },
  HardSigmoid: { lower: hardSigmoid },
  HardSwish: { lower: hardSwish },
  Clip: { lower: clip, when: (opset) => opset < 13 },
  LeakyRelu: { lower: leakyRelu },
  PRelu: { lower: prelu },
  GlobalMaxPool: { lower: globalMaxPool },
  Mean: { lower: mean },
  Erf: { lower: erf },
  Gelu: { lower: gelu, when: (opset) => opset >= 20 },
  Resize: { lower: resizeWith(false) },
  Upsample: { lower: resizeWith(true) },
});
