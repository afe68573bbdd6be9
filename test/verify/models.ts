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

/** Input side of vitModel. */
export const VIT = 16;

/**
 * A ViT-shaped classifier at opset 17: x [1,3,16,16] → patch Conv 4×4/4 (8 channels) → 16 tokens
 * + position embedding → LayerNormalization → 2-head self-attention (MatMul, Softmax) → residual
 * → LayerNormalization → MLP with GELU written as x·0.5·(1 + Erf(x/√2)) (the form PyTorch exports)
 * → residual → mean over tokens → Gemm → logits [1,5]. Random weights (seeded).
 */
export function vitModel(seed = 7): Uint8Array {
  const g = rng(seed);
  const w = (name: string, dims: number[], scale: number) => ({ name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => g.normal() * scale) });
  const i64 = (name: string, data: number[]) => ({ name, dims: [data.length], data: BigInt64Array.from(data.map(BigInt)), dtype: 'int64' as const });
  const s = (name: string, v: number) => ({ name, dims: [], data: Float32Array.from([v]) });
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', shape: [1, 3, VIT, VIT] }],
    outputs: [{ name: 'logits', shape: [1, 5] }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'wp', 'bp'], outputs: ['patch'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
      { op: 'Reshape', inputs: ['patch', 'sh_tok'], outputs: ['tok_t'] },
      { op: 'Transpose', inputs: ['tok_t'], outputs: ['tok0'], attrs: { perm: [0, 2, 1] } },
      { op: 'Add', inputs: ['tok0', 'pos'], outputs: ['tok'] },
      { op: 'LayerNormalization', inputs: ['tok', 'ln1_s', 'ln1_b'], outputs: ['ln1'], attrs: { axis: -1, epsilon: 1e-5 } },
      ...['q', 'k', 'v'].flatMap((h) => [
        { op: 'MatMul', inputs: ['ln1', `w${h}`], outputs: [`${h}0`] },
        { op: 'Add', inputs: [`${h}0`, `b${h}`], outputs: [`${h}1`] },
        { op: 'Reshape', inputs: [`${h}1`, 'sh_heads'], outputs: [`${h}2`] },
        { op: 'Transpose', inputs: [`${h}2`], outputs: [`${h}h`], attrs: { perm: h === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
      ]),
      { op: 'MatMul', inputs: ['qh', 'kh'], outputs: ['scores0'] },
      { op: 'Mul', inputs: ['scores0', 'scale'], outputs: ['scores'] },
      { op: 'Softmax', inputs: ['scores'], outputs: ['attn'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['attn', 'vh'], outputs: ['ctx0'] },
      { op: 'Transpose', inputs: ['ctx0'], outputs: ['ctx1'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['ctx1', 'sh_merge'], outputs: ['ctx'] },
      { op: 'MatMul', inputs: ['ctx', 'wo'], outputs: ['proj'] },
      { op: 'Add', inputs: ['tok', 'proj'], outputs: ['res1'] },
      { op: 'LayerNormalization', inputs: ['res1', 'ln2_s', 'ln2_b'], outputs: ['ln2'], attrs: { axis: -1, epsilon: 1e-5 } },
      { op: 'MatMul', inputs: ['ln2', 'w1'], outputs: ['h0'] },
      { op: 'Add', inputs: ['h0', 'b1'], outputs: ['h1'] },
      { op: 'Div', inputs: ['h1', 'sqrt2'], outputs: ['h2'] },
      { op: 'Erf', inputs: ['h2'], outputs: ['h3'] },
      { op: 'Add', inputs: ['h3', 'one'], outputs: ['h4'] },
      { op: 'Mul', inputs: ['h1', 'h4'], outputs: ['h5'] },
      { op: 'Mul', inputs: ['h5', 'half'], outputs: ['gelu'] },
      { op: 'MatMul', inputs: ['gelu', 'w2'], outputs: ['m0'] },
      { op: 'Add', inputs: ['m0', 'b2'], outputs: ['mlp'] },
      { op: 'Add', inputs: ['res1', 'mlp'], outputs: ['res2'] },
      { op: 'ReduceMean', inputs: ['res2'], outputs: ['pooled'], attrs: { axes: [1], keepdims: 0 } },
      { op: 'Gemm', inputs: ['pooled', 'wh', 'bh'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
    initializers: [
      w('wp', [8, 3, 4, 4], 0.3), w('bp', [8], 0.1), i64('sh_tok', [1, 8, 16]), w('pos', [1, 16, 8], 0.2),
      w('ln1_s', [8], 0.2), w('ln1_b', [8], 0.1), w('ln2_s', [8], 0.2), w('ln2_b', [8], 0.1),
      w('wq', [8, 8], 0.5), w('bq', [8], 0.1), w('wk', [8, 8], 0.5), w('bk', [8], 0.1), w('wv', [8, 8], 0.5), w('bv', [8], 0.1),
      i64('sh_heads', [1, 16, 2, 4]), i64('sh_merge', [1, 16, 8]), s('scale', 0.5), w('wo', [8, 8], 0.4),
      w('w1', [8, 16], 0.5), w('b1', [16], 0.2), s('sqrt2', Math.SQRT2), s('one', 1), s('half', 0.5), w('w2', [16, 8], 0.4), w('b2', [8], 0.1),
      w('wh', [5, 8], 0.5), w('bh', [5], 0.1),
    ],
  });
}

/** An RGB image of side `side` with smooth structure plus noise, on the 8-bit grid, values in [0.1, 0.9]. */
export function smoothImage(side: number, seed = 4): Image {
  const g = rng(seed);
  const data = new Float64Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    const v = 0.5 + 0.25 * Math.sin((x + 2 * c) / 3) * Math.cos(y / 4) + 0.1 * g.uniform() - 0.05;
    data[(y * side + x) * 3 + c] = Math.round(Math.min(0.9, Math.max(0.1, v)) * 255) / 255;
  }
  return { width: side, height: side, channels: 3, bitDepth: 8, data };
}
