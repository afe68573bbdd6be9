// The first trainable layer's output A x + b in float64 and float32, computed with the WASM core
// (conv2d / gemm), independently of onnxruntime: verify and drift measure the collision where it
// is made. Works on collide's FirstLayerSpec (conv at the real input size, or dense on flattened CHW).
import { conv2d } from '../linalg/conv.js';
import { gemm } from '../linalg/gemm.js';
import type { FirstLayerSpec } from '../collide/layer.js';

export interface FirstLayerForward {
  /** input length c·h·w (flattened CHW, model space) */
  readonly inputLength: number;
  /** A x + b in float64: (outC, oh, ow) or (m) */
  f64(x: Float64Array): Float64Array;
  /** the same computed entirely in float32 (weights rounded to float32, as onnxruntime holds them) */
  f32(x: Float32Array): Float32Array;
}

/** Forward functions for a first layer. */
export function firstLayerForward(layer: FirstLayerSpec): FirstLayerForward {
  const w32 = Float32Array.from(layer.weight);
  const b32 = layer.bias ? Float32Array.from(layer.bias) : undefined;
  if (layer.kind === 'conv') {
    const g = layer.geometry;
    return {
      inputLength: g.c * g.h * g.w,
      f64: (x) => conv2d(x, layer.weight, g, layer.bias),
      f32: (x) => conv2d(x, w32, g, b32),
    };
  }
  const { m, n } = layer;
  const addBias = <T extends Float64Array | Float32Array>(y: T, b: ArrayLike<number> | undefined): T => {
    if (b) for (let i = 0; i < m; i++) y[i] += b[i]!;
    return y;
  };
  return {
    inputLength: n,
    f64: (x) => addBias(gemm(layer.weight, x, m, 1, n), layer.bias),
    f32: (x) => addBias(gemm(w32, x, m, 1, n), b32),
  };
}
