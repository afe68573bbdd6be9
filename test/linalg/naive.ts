// Independent references for the linalg tests: plain nested loops, written from the ONNX Conv definition.
import type { ConvGeometry } from '../../src/linalg/geometry.js';
import { outputSize } from '../../src/linalg/geometry.js';

/** y[o, oy, ox] = Σ_{ci in group, ki, kj} W[o, ci', ki, kj] · x[ci, oy·sh − pt + ki·dh, ox·sw − pl + kj·dw]. */
export function naiveConv(x: ArrayLike<number>, w: ArrayLike<number>, g: ConvGeometry): Float64Array {
  const { oh, ow } = outputSize(g);
  const cg = g.c / g.groups, og = g.outC / g.groups;
  const y = new Float64Array(g.outC * oh * ow);
  for (let o = 0; o < g.outC; o++) {
    const grp = Math.floor(o / og);
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
      let s = 0;
      for (let cl = 0; cl < cg; cl++) for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++) {
        const iy = oy * g.sh - g.padTop + ki * g.dh, ix = ox * g.sw - g.padLeft + kj * g.dw;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
        const ci = grp * cg + cl;
        s += w[((o * cg + cl) * g.kh + ki) * g.kw + kj]! * x[(ci * g.h + iy) * g.w + ix]!;
      }
      y[(o * oh + oy) * ow + ox] = s;
    }
  }
  return y;
}

/** C = alpha·op(A)·op(B) + beta·C by the triple loop. */
export function naiveGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number,
  transA: boolean, transB: boolean, alpha: number, beta: number, c?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
    out[i * n + j] = alpha * s + (beta !== 0 ? beta * c![i * n + j]! : 0);
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number { return Math.sqrt(dot(a, a)); }

/** max |a − b| / max |b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) { e = Math.max(e, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); }
  return s === 0 ? e : e / s;
}

/** A seeded random geometry: stride (sometimes > kernel), asymmetric padding, dilation, groups. */
export function randomGeometry(u: () => number): ConvGeometry {
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  for (;;) {
    const groups = int(1, 3);
    const g: ConvGeometry = {
      c: groups * int(1, 3), outC: groups * int(1, 3), h: int(1, 11), w: int(1, 11),
      kh: int(1, 4), kw: int(1, 4), sh: int(1, 5), sw: int(1, 5), dh: int(1, 3), dw: int(1, 3),
      padTop: int(0, 3), padLeft: int(0, 3), padBottom: int(0, 3), padRight: int(0, 3), groups,
    };
    const o = outputSize(g);
    if (o.oh >= 1 && o.ow >= 1) return g;
  }
}

/** Dense (rows × cols) row-major matrix of an operator, column by column from A e_j. */
export function denseOf(op: { rows: number; cols: number; apply(x: Float64Array): Float64Array }): Float64Array {
  const a = new Float64Array(op.rows * op.cols);
  const e = new Float64Array(op.cols);
  for (let j = 0; j < op.cols; j++) {
    e[j] = 1;
    const col = op.apply(e);
    e[j] = 0;
    for (let i = 0; i < op.rows; i++) a[i * op.cols + j] = col[i]!;
  }
  return a;
}
