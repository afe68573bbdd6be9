// The first trainable layer as collide sees it: a convolution at the real input size, or a dense
// map on the flattened input, both acting on the model-space tensor (NCHW, batch 1, flattened CHW).
// The census reader (src/onnx/first-layer.ts) is adapted to this shape in pipeline.ts.
import type { ConvGeometry } from '../linalg/geometry.js';

/** A Conv first layer: weight [outC, c/groups, kh, kw] row-major, geometry at the input size. */
export interface ConvLayer {
  kind: 'conv';
  weight: Float64Array;
  geometry: ConvGeometry;
  bias?: Float64Array;
  /** the node's name, for messages */
  name?: string;
}

/** A Gemm/MatMul first layer on the flattened input: y = W x, W (m, n) row-major, n = c·h·w. */
export interface DenseLayer {
  kind: 'dense';
  weight: Float64Array;
  m: number;
  n: number;
  /** the image the flattened input comes from */
  c: number; h: number; w: number;
  bias?: Float64Array;
  name?: string;
}

export type FirstLayerSpec = ConvLayer | DenseLayer;

/** Channels, height and width of the image the layer reads. */
export function inputShape(l: FirstLayerSpec): { c: number; h: number; w: number } {
  return l.kind === 'conv' ? { c: l.geometry.c, h: l.geometry.h, w: l.geometry.w } : { c: l.c, h: l.h, w: l.w };
}
