// Small models for the collide tests, built with src/onnx/writer.ts, with seeded weights. Each
// returns the ONNX bytes and the facts a test checks against (input size, first-layer shape).
import { buildModel, type NodeSpec, type TensorSpec } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { photoLike } from '../../src/stem/example.js';

export interface TestModel { bytes: Uint8Array; c: number; h: number; w: number; weight: Float32Array }

function weights(n: number, seed: number, scale = 0.3): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r.normal() * scale);
}

/** Input → one Conv (→ Relu → GlobalAveragePool → Flatten: a classifier-like head). */
export function convModel(p: { c: number; h: number; w: number; outC: number; k: number; stride: number; pad?: number; groups?: number; seed?: number; dilation?: number }): TestModel {
  const groups = p.groups ?? 1;
  const wt = weights(p.outC * (p.c / groups) * p.k * p.k, p.seed ?? 1);
  const pad = p.pad ?? 0;
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [p.k, p.k], strides: [p.stride, p.stride], pads: [pad, pad, pad, pad], group: groups, dilations: [p.dilation ?? 1, p.dilation ?? 1] } },
    { op: 'Relu', inputs: ['y'], outputs: ['r'] },
    { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
    { op: 'Flatten', inputs: ['g'], outputs: ['out'] },
  ];
  const inits: TensorSpec[] = [
    { name: 'w', dims: [p.outC, p.c / groups, p.k, p.k], data: wt },
    { name: 'b', dims: [p.outC], data: weights(p.outC, 99, 0.1) },
  ];
  const bytes = buildModel({ inputs: [{ name: 'x', shape: [1, p.c, p.h, p.w] }], outputs: [{ name: 'out' }], nodes, initializers: inits });
  return { bytes, c: p.c, h: p.h, w: p.w, weight: wt };
}

/** Input → Flatten → Gemm (y = x Bᵀ + b with transB, or x B) → Softmax. */
export function gemmModel(p: { c: number; h: number; w: number; m: number; transB: boolean; seed?: number }): TestModel {
  const n = p.c * p.h * p.w;
  const wt = weights(p.m * n, p.seed ?? 2, 0.05);
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, p.c, p.h, p.w] }], outputs: [{ name: 'out' }],
    nodes: [
      { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attrs: { transB: p.transB ? 1 : 0 } },
      { op: 'Softmax', inputs: ['y'], outputs: ['out'], attrs: { axis: 1 } },
    ],
    initializers: [{ name: 'w', dims: p.transB ? [p.m, n] : [n, p.m], data: wt }, { name: 'b', dims: [p.m], data: weights(p.m, 5, 0.1) }],
  });
  return { bytes, c: p.c, h: p.h, w: p.w, weight: wt };
}

/**
 * A segmentation-style model: a k×k/k patch stem (disjoint windows), Relu, a 1×1 conv to `classes`
 * maps and a k×k/k ConvTranspose back to full resolution — a dense per-pixel output (1, classes, h, w).
 */
export function segModel(p: { c: number; h: number; w: number; stem: number; k: number; classes: number; seed?: number }): TestModel {
  const s = p.seed ?? 3;
  const wt = weights(p.stem * p.c * p.k * p.k, s);
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, p.c, p.h, p.w] }], outputs: [{ name: 'out' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['y1'], attrs: { kernel_shape: [p.k, p.k], strides: [p.k, p.k] } },
      { op: 'Relu', inputs: ['y1'], outputs: ['r1'] },
      { op: 'Conv', inputs: ['r1', 'w2'], outputs: ['y2'], attrs: { kernel_shape: [1, 1] } },
      { op: 'ConvTranspose', inputs: ['y2', 'w3'], outputs: ['out'], attrs: { kernel_shape: [p.k, p.k], strides: [p.k, p.k] } },
    ],
    initializers: [
      { name: 'w1', dims: [p.stem, p.c, p.k, p.k], data: wt },
      { name: 'b1', dims: [p.stem], data: weights(p.stem, s + 1, 0.1) },
      { name: 'w2', dims: [p.classes, p.stem, 1, 1], data: weights(p.classes * p.stem, s + 2) },
      { name: 'w3', dims: [p.classes, p.classes, p.k, p.k], data: weights(p.classes * p.classes * p.k * p.k, s + 3) },
    ],
  });
  return { bytes, c: p.c, h: p.h, w: p.w, weight: wt };
}

/** A smooth seeded test image (H×W×3 on the 8-bit grid, inside [0.1, 0.9]). */
export function testImage(h: number, w: number, seed = 0, channels: 1 | 3 = 3): { width: number; height: number; channels: 1 | 3; bitDepth: 8; data: Float64Array } {
  const r = rng(seed);
  const ph = Array.from({ length: 6 }, () => r.uniform() * 6.28);
  const data = new Float64Array(h * w * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) {
    const v = 0.5 + 0.2 * Math.sin(x * 0.31 + ph[c]!) * Math.cos(y * 0.23 + ph[c + 3]!) + 0.15 * (r.uniform() - 0.5);
    data[(y * w + x) * channels + c] = Math.round(v * 255) / 255;
  }
  return { width: w, height: h, channels, bitDepth: 8, data };
}

/**
 * Images with pixels on and near the bounds of the box, as real photos and text crops have them
 * (8-bit, values k/255): `text` dark strokes on paper that is white (255) in places and 250–254
 * elsewhere; `corners` a photo-like image whose four corners are saturated white/black; `near` a
 * photo-like image squeezed into [1, 254]/255, so that every pixel has at most a few steps of room
 * on one side; `photo` a photo-like image with 5% of its pixels clipped to 0 or 255; `white`, `black`.
 */
export function boundImage(kind: 'text' | 'screen' | 'corners' | 'near' | 'photo' | 'white' | 'black', h: number, w: number, seed = 0): { width: number; height: number; channels: 3; bitDepth: 8; data: Float64Array } {
  if (kind === 'photo') return photoLike(h, w, seed); // the library's photo-like image (src/stem/example.ts)
  const r = rng(seed);
  const data = new Float64Array(h * w * 3);
  const ph = Array.from({ length: 6 }, () => r.uniform() * 6.28);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    const smooth = 0.5 + 0.3 * Math.sin(x * 0.37 + ph[c]!) * Math.cos(y * 0.29 + ph[c + 3]!) + 0.08 * (r.uniform() - 0.5);
    let v: number;
    switch (kind) {
      case 'text': {
        const stroke = (x % 7 < 2 && y > h / 5 && y < (4 * h) / 5) || (y === Math.floor(h / 2) && x % 14 < 9);
        v = stroke ? 0.08 + 0.05 * r.uniform() : x < w / 2 ? 1 : 1 - Math.floor(r.uniform() * 6) / 255;
        break;
      }
      case 'screen': {
        // a screenshot's text: glyphs drawn with one-pixel strokes (outlines of boxes 6 wide, a row of them) and their
        // anti-aliased grey fringe, on paper at exactly 255 (about 64% of the samples)
        const gx = x % 10; const y0 = Math.floor(h / 4); const y1 = Math.floor((3 * h) / 4);
        const onStroke = (y >= y0 && y <= y1 && (gx === 2 || gx === 7)) || ((y === y0 || y === y1) && gx >= 2 && gx <= 7);
        const nearStroke = !onStroke && y >= y0 - 1 && y <= y1 + 1 && gx >= 1 && gx <= 8 && (gx <= 3 || gx >= 6 || y <= y0 + 1 || y >= y1 - 1);
        v = onStroke ? 0.2 + 0.3 * r.uniform() : nearStroke ? 0.7 + 0.25 * r.uniform() : 1;
        break;
      }
      case 'corners': v = (x < w / 4 || x >= (3 * w) / 4) && (y < h / 4 || y >= (3 * h) / 4) ? (x < w / 2 ? 1 : 0) : smooth; break;
      case 'near': v = 1 / 255 + (253 / 255) * (smooth > 0.5 ? 1 - 0.02 * r.uniform() : 0.02 * r.uniform()); break;
      case 'white': v = 1; break;
      default: v = 0;
    }
    data[(y * w + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

/** convModel with symbolic height and width (a model with a dynamic input size). */
export function dynamicConvModel(p: { c: number; outC: number; k: number; stride: number; pad?: number; seed?: number }): Uint8Array {
  const wt = weights(p.outC * p.c * p.k * p.k, p.seed ?? 1);
  const pad = p.pad ?? 0;
  return buildModel({
    inputs: [{ name: 'x', shape: [1, p.c, 'H', 'W'] }], outputs: [{ name: 'out' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [p.k, p.k], strides: [p.stride, p.stride], pads: [pad, pad, pad, pad] } },
      { op: 'Relu', inputs: ['y'], outputs: ['r'] },
      { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['out'] },
    ],
    initializers: [{ name: 'w', dims: [p.outC, p.c, p.k, p.k], data: wt }, { name: 'b', dims: [p.outC], data: weights(p.outC, 99, 0.1) }],
  });
}
