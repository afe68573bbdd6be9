// ResNet-style stem models the project builds (for the demo, the bench and the tests), with seeded
// He-scaled random weights: Conv (+ BatchNormalization) → ReLU or ReLU6 → MaxPool, then a head — a
// classifier head, a residual block (ResNet's layer1 shape), or a branch that bypasses the pool
// (so the pool output is not a cut). No real model with such a stem ships on npm.
import { buildModel, type NodeSpec, type TensorSpec } from '../onnx/writer.js';
import { rng } from '../linalg/random.js';

export interface StemSpec {
  c?: number; h: number; w: number;
  outC: number; k: number; stride: number; pad: number;
  /** a BatchNormalization after the conv (random scale/shift/statistics) */
  bn?: boolean;
  act?: 'relu' | 'relu6' | 'none';
  /** MaxPool after the activation (omit for none) */
  pool?: { k: number; stride: number; pad: number; ceil?: boolean };
  /** what reads the stem: a classifier head, a residual block then the head, or a branch from the activation straight to a second output */
  after?: 'head' | 'residual' | 'bypass';
  seed?: number;
  /** declare the input's height and width as symbolic */
  dynamic?: boolean;
}

function he(n: number, fanIn: number, r: ReturnType<typeof rng>): Float32Array {
  const s = Math.sqrt(2 / fanIn);
  return Float32Array.from({ length: n }, () => r.normal() * s);
}

/** The ONNX bytes of a stem model; tensors: conv 'z', activation 'a', pool 'p', outputs 'out' (and 'side' for bypass). */
export function stemModel(p: StemSpec): Uint8Array {
  const r = rng(p.seed ?? 7);
  const c = p.c ?? 3;
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [
    { name: 'w', dims: [p.outC, c, p.k, p.k], data: he(p.outC * c * p.k * p.k, c * p.k * p.k, r) },
    { name: 'b', dims: [p.outC], data: Float32Array.from({ length: p.outC }, () => 0.1 * r.normal()) },
  ];
  nodes.push({ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['z0'], name: 'conv1', attrs: { kernel_shape: [p.k, p.k], strides: [p.stride, p.stride], pads: [p.pad, p.pad, p.pad, p.pad] } });
  let t = 'z0';
  if (p.bn) {
    const C = p.outC;
    inits.push(
      { name: 'bn_s', dims: [C], data: Float32Array.from({ length: C }, () => 0.5 + r.uniform()) },
      { name: 'bn_b', dims: [C], data: Float32Array.from({ length: C }, () => 0.2 * r.normal()) },
      { name: 'bn_m', dims: [C], data: Float32Array.from({ length: C }, () => 0.1 * r.normal()) },
      { name: 'bn_v', dims: [C], data: Float32Array.from({ length: C }, () => 0.5 + r.uniform()) },
    );
    nodes.push({ op: 'BatchNormalization', inputs: [t, 'bn_s', 'bn_b', 'bn_m', 'bn_v'], outputs: ['z'], name: 'bn1', attrs: { epsilon: { float: 1e-5 } } });
    t = 'z';
  }
  if (p.act !== 'none') {
    if (p.act === 'relu6') {
      inits.push({ name: 'lo', dims: [], data: [0] }, { name: 'hi', dims: [], data: [6] });
      nodes.push({ op: 'Clip', inputs: [t, 'lo', 'hi'], outputs: ['a'], name: 'relu1' });
    } else nodes.push({ op: 'Relu', inputs: [t], outputs: ['a'], name: 'relu1' });
    t = 'a';
  }
  const stemOut = t;
  if (p.pool) {
    nodes.push({ op: 'MaxPool', inputs: [t], outputs: ['p'], name: 'pool1', attrs: { kernel_shape: [p.pool.k, p.pool.k], strides: [p.pool.stride, p.pool.stride], pads: [p.pool.pad, p.pool.pad, p.pool.pad, p.pool.pad], ceil_mode: p.pool.ceil ? 1 : 0 } });
    t = 'p';
  }
  const C = p.outC;
  if (p.after === 'residual') {
    inits.push(
      { name: 'w2', dims: [C, C, 3, 3], data: he(C * C * 9, C * 9, r) }, { name: 'b2', dims: [C], data: new Float32Array(C) },
      { name: 'w3', dims: [C, C, 3, 3], data: he(C * C * 9, C * 9, r) }, { name: 'b3', dims: [C], data: new Float32Array(C) },
    );
    nodes.push(
      { op: 'Conv', inputs: [t, 'w2', 'b2'], outputs: ['r1'], name: 'block_conv1', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['r1'], outputs: ['r2'], name: 'block_relu1' },
      { op: 'Conv', inputs: ['r2', 'w3', 'b3'], outputs: ['r3'], name: 'block_conv2', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: [t, 'r3'], outputs: ['r4'], name: 'block_add' },
      { op: 'Relu', inputs: ['r4'], outputs: ['r5'], name: 'block_relu2' },
    );
    t = 'r5';
  }
  inits.push({ name: 'fc', dims: [C, 10], data: he(C * 10, C, r) });
  nodes.push(
    { op: 'GlobalAveragePool', inputs: [t], outputs: ['g'], name: 'gap' },
    { op: 'Flatten', inputs: ['g'], outputs: ['f'], name: 'flatten' },
    { op: 'MatMul', inputs: ['f', 'fc'], outputs: ['out'], name: 'fc' },
  );
  const outputs = [{ name: 'out' }];
  if (p.after === 'bypass') {
    nodes.push({ op: 'GlobalAveragePool', inputs: [stemOut], outputs: ['side0'], name: 'side_gap' }, { op: 'Flatten', inputs: ['side0'], outputs: ['side'], name: 'side_flatten' });
    outputs.push({ name: 'side' });
  }
  const shape = p.dynamic ? [1, c, 'H', 'W'] : [1, c, p.h, p.w];
  return buildModel({ inputs: [{ name: 'x', shape }], outputs, nodes, initializers: inits });
}

/**
 * A photo-like 8-bit RGB image (seeded): shading with texture at a scale of a few pixels, pixel
 * noise, and 5% of the samples clipped to 0 or 255 (salt and pepper) — what the stem examples run
 * on. (Much smoother images, with long flat ramps, condition the stem's exact stage badly: see the
 * README's limits.)
 */
export function photoLike(h: number, w: number, seed = 1): { width: number; height: number; channels: 3; bitDepth: 8; data: Float64Array } {
  const r = rng(seed);
  const ph = Array.from({ length: 6 }, () => r.uniform() * 6.28);
  const data = new Float64Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    const smooth = 0.5 + 0.3 * Math.sin(x * 0.37 + ph[c]!) * Math.cos(y * 0.29 + ph[c + 3]!) + 0.08 * (r.uniform() - 0.5);
    const v = r.uniform() < 0.05 ? (r.uniform() < 0.5 ? 0 : 1) : smooth;
    data[(y * w + x) * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, v))) / 255;
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

/** The demo's ResNet-style model: Conv 7×7/2 64 + BatchNorm + ReLU + MaxPool 3×3/2, a residual block, a 10-class head, at h×w. */
export function demoStemModel(h: number, w: number): Uint8Array {
  return stemModel({ h, w, outC: 64, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual', seed: 50 });
}
