// Naive float64 reference loops for the tests of the float64 lowering (not imported by src/):
// direct definitions of Conv, ConvTranspose and AveragePool on NCHW tensors, written from the
// ONNX operator spec, slow and obvious on purpose.
import { rng } from '../../src/linalg/random.js';

export interface Conv2d {
  /** input (n, c, h, w) */
  x: Float64Array; n: number; c: number; h: number; w: number;
  /** weight (o, c/g, kh, kw) for Conv; (c, o/g, kh, kw) for ConvTranspose */
  wt: Float64Array; o: number; kh: number; kw: number;
  bias?: Float64Array;
  g?: number; sh?: number; sw?: number; dh?: number; dw?: number;
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
}

export interface Out4 { data: Float64Array; dims: number[] }

export function conv2dRef(p: Conv2d): Out4 {
  const { x, n, c, h, w, wt, o, kh, kw } = p;
  const g = p.g ?? 1, sh = p.sh ?? 1, sw = p.sw ?? 1, dh = p.dh ?? 1, dw = p.dw ?? 1;
  const [pt, pl, pb, pr] = p.pads ?? [0, 0, 0, 0];
  const ho = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const wo = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  const cg = c / g, og = o / g;
  const y = new Float64Array(n * o * ho * wo);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) {
    const grp = Math.floor(oc / og);
    for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) {
      let s = p.bias ? p.bias[oc]! : 0;
      for (let ci = 0; ci < cg; ci++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
        const yi = i * sh - pt + a * dh, xj = j * sw - pl + e * dw;
        if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
        s += x[((b * c + grp * cg + ci) * h + yi) * w + xj]! * wt[((oc * cg + ci) * kh + a) * kw + e]!;
      }
      y[((b * o + oc) * ho + i) * wo + j] = s;
    }
  }
  return { data: y, dims: [n, o, ho, wo] };
}

/** ConvTranspose by scattering each input pixel through the kernel. o is the number of output channels. */
export function convTranspose2dRef(p: Conv2d & { outPad?: [number, number] }): Out4 {
  const { x, n, c, h, w, wt, o, kh, kw } = p;
  const g = p.g ?? 1, sh = p.sh ?? 1, sw = p.sw ?? 1, dh = p.dh ?? 1, dw = p.dw ?? 1;
  const [pt, pl, pb, pr] = p.pads ?? [0, 0, 0, 0];
  const [oph, opw] = p.outPad ?? [0, 0];
  const ho = sh * (h - 1) + oph + (kh - 1) * dh + 1 - pt - pb;
  const wo = sw * (w - 1) + opw + (kw - 1) * dw + 1 - pl - pr;
  const cg = c / g, og = o / g;
  const y = new Float64Array(n * o * ho * wo);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) if (p.bias) for (let k = 0; k < ho * wo; k++) y[(b * o + oc) * ho * wo + k] = p.bias[oc]!;
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) {
    const grp = Math.floor(ci / cg);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      const v = x[((b * c + ci) * h + i) * w + j]!;
      for (let oo = 0; oo < og; oo++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
        const yi = i * sh - pt + a * dh, xj = j * sw - pl + e * dw;
        if (yi < 0 || yi >= ho || xj < 0 || xj >= wo) continue;
        const oc = grp * og + oo;
        y[((b * o + oc) * ho + yi) * wo + xj] += v * wt[((ci * og + oo) * kh + a) * kw + e]!;
      }
    }
  }
  return { data: y, dims: [n, o, ho, wo] };
}

export function avgPoolRef(x: Float64Array, dims: number[], k: [number, number], s: [number, number], pads: [number, number, number, number], includePad: boolean, ceil = false): Out4 {
  const [n, c, h, w] = dims as [number, number, number, number];
  const [pt, pl, pb, pr] = pads;
  const size = (len: number, kk: number, ss: number, p0: number, p1: number) => {
    let out = (ceil ? Math.ceil((len + p0 + p1 - kk) / ss) : Math.floor((len + p0 + p1 - kk) / ss)) + 1;
    if (ceil && (out - 1) * ss >= len + p0) out--;
    return out;
  };
  const ho = size(h, k[0], s[0], pt, pb), wo = size(w, k[1], s[1], pl, pr);
  const y = new Float64Array(n * c * ho * wo);
  for (let b = 0; b < n * c; b++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) {
    let sum = 0, cnt = 0;
    for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) {
      const yi = i * s[0] - pt + a, xj = j * s[1] - pl + e;
      const inPad = yi >= -pt && yi < h + pb && xj >= -pl && xj < w + pr;
      const inside = yi >= 0 && yi < h && xj >= 0 && xj < w;
      if (inside) sum += x[(b * h + yi) * w + xj]!;
      if (includePad ? inPad : inside) cnt++;
    }
    y[(b * ho + i) * wo + j] = sum / cnt;
  }
  return { data: y, dims: [n, c, ho, wo] };
}

/** Seeded uniform values in [-1, 1). */
export function values(count: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: count }, () => 2 * r.uniform() - 1);
}

/** max |a − b| / max |b| */
export function relMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return den === 0 ? num : num / den;
}

/** ‖a − b‖₂ / ‖b‖₂ */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / (den || 1));
}

/**
 * A text-like test image in PP-OCR model space (3, h, w): a white page with rows of dark
 * glyph-like strokes, normalised by the ImageNet mean/std the PP-OCR models were trained with.
 * Smooth noise alone leaves the detector saturated at background, where its sigmoid is flat.
 */
export function textImage(h: number, w: number): Float64Array {
  const x = new Float64Array(3 * h * w);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const line = Math.floor(i / 24), yi = i % 24;
    let ink = 0;
    if (yi >= 6 && yi < 18) {
      const glyph = Math.floor(j / 12), xj = j % 12;
      const seed = Math.sin(glyph * 12.9898 + line * 78.233) * 43758.5453;
      const r = seed - Math.floor(seed);
      if (xj >= 2 && xj < 10 && glyph % 7 !== 6) {
        if (r < 0.33) ink = xj < 4 || yi < 8 ? 1 : 0;
        else if (r < 0.66) ink = (yi >= 11 && yi < 13) || (xj >= 5 && xj < 7) ? 1 : 0;
        else ink = xj < 4 || xj >= 8 || yi >= 16 ? 1 : 0;
      }
    }
    const v = 0.95 - 0.85 * ink + 0.03 * Math.sin(i / 7) * Math.cos(j / 11);
    for (let c = 0; c < 3; c++) x[(c * h + i) * w + j] = (v - mean[c]!) / std[c]!;
  }
  return x;
}
