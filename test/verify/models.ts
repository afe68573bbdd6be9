// Models built in the tests, with answers known by construction.
import { buildModel } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { encodePng } from '../../src/image/png.js';
import type { Image } from '../../src/image/image.js';

export const H = 8, W = 8;

/**
 * x [1,3,8,8] → Conv 1×1 (2←3) with rows [2, −1, 0] and [0, 1, 2] (+ bias) → Relu → Conv 3×3 pad 1 (4←2)
 * → Relu → GlobalAveragePool → Flatten → Gemm (3←4) → Softmax → prob [1,3].
 * The first layer's window kernel is [1, 2, −1]: adding t·(1, 2, −1) to (R, G, B) of any pixel is an
 * exact collision (A_img is 128×192, ker(A_img) = one such shift per pixel). (With a gray kernel
 * [1, 1, 1] PNG rounding would stay in the kernel for images on the grid, hiding the storage effect.)
 */
export function tinyModel(): Uint8Array {
  const g = rng(5);
  const w2 = Float32Array.from({ length: 4 * 2 * 9 }, () => g.normal() * 0.5);
  const w3 = Float32Array.from({ length: 3 * 4 }, () => g.normal());
  return buildModel({
    inputs: [{ name: 'x', shape: [1, 3, H, W] }],
    outputs: [{ name: 'prob', shape: [1, 3] }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'Conv', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'GlobalAveragePool', inputs: ['r2'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'w3', 'b3'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: 1 } },
    ],
    initializers: [
      { name: 'w1', dims: [2, 3, 1, 1], data: Float32Array.from([2, -1, 0, 0, 1, 2]) },
      { name: 'b1', dims: [2], data: Float32Array.from([0.3, 0.2]) },
      { name: 'w2', dims: [4, 2, 3, 3], data: w2 },
      { name: 'b2', dims: [4], data: Float32Array.from([0.1, -0.1, 0.2, 0]) },
      { name: 'w3', dims: [3, 4], data: w3 },
      { name: 'b3', dims: [3], data: Float32Array.from([0, 0.1, -0.1]) },
    ],
  });
}

/** An RGB image on the 8-bit grid with values in [0.25, 0.75] (room to perturb without clipping). */
export function tinyImage(seed = 1): Image {
  const g = rng(seed);
  const data = Float64Array.from({ length: H * W * 3 }, () => Math.round((0.25 + 0.5 * g.uniform()) * 255) / 255);
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

/** x plus t(p)·(1, 2, −1) per pixel: an exact collision of tinyModel. */
export function kernelShift(x: Image, amplitude: number, seed = 2): Image {
  const g = rng(seed);
  const data = x.data.slice();
  const k = [1, 2, -1];
  for (let p = 0; p < H * W; p++) {
    const t = amplitude * g.normal();
    for (let c = 0; c < 3; c++) data[p * 3 + c]! += t * k[c]!;
  }
  return { ...x, data, bitDepth: 16 };
}

/** x plus independent noise per sample (not in the kernel). */
export function noisy(x: Image, amplitude: number, seed = 3): Image {
  const g = rng(seed);
  return { ...x, data: x.data.map((v) => v + amplitude * g.normal()), bitDepth: 16 };
}

export function png(image: Image, bitDepth: 8 | 16): Uint8Array {
  return encodePng(image, { bitDepth });
}
