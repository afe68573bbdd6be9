// The band of A·Aᵀ for a convolution A (normal-factor.ts), in the bandwidth-reducing row order.
//
// Row order (A's rows are CHW: outC × oh × ow): group-major (A·Aᵀ is block diagonal across
// groups), then the output positions with the shorter side as the fast index, output channels
// innermost. Two rows couple only when their windows share a pixel, i.e. their positions differ by
// at most ry rows and rx columns (axisReach), so the half-bandwidth is (r_slow·n_fast + r_fast + 1)·M − 1
// with M = outC/groups.
//
// Two ways to form the band, both exact: from the weights (convBandDirect): the M × M block
// coupling positions p and q is W_P·W_Qᵀ over the taps of p and q that read the same pixel inside
// the image; it depends on p only through where its window is clipped, so one GEMM serves every
// interior position. And by probing (fillConvBand): A·(Aᵀ·e_S) for 0/1 vectors e_S whose rows are
// spaced 2r + 1 apart on each axis (one output channel of every group at a time), so every row
// sees at most one row of S; it takes M·(2ry + 1)·(2rx + 1) probes of a conv and its adjoint, and
// it also serves a column-restricted A (pixels held), where clipping is per pixel.
// Internal: nothing here is re-exported from src/linalg.
import { core } from '../core/wasm.js';
import type { ConvGeometry } from './geometry.js';
import { convAdjointPtr, convPtr } from './conv.js';
import { gemm } from './gemm.js';

/** Largest output-position distance d ≥ 0 along one axis at which two windows share a pixel: d·s = m·dil for some |m| < k. */
export function axisReach(k: number, s: number, dil: number, outLen: number): number {
  for (let d = Math.min(Math.floor(((k - 1) * dil) / s), outLen - 1); d > 0; d--) if ((d * s) % dil === 0) return d;
  return 0;
}

/** Row order and half-bandwidth for a conv: perm[position] = row of A (CHW). Internal. */
export function convRowOrder(g: ConvGeometry, oh: number, ow: number): { perm: Int32Array; bandwidth: number; ry: number; rx: number; slow: number } {
  const M = g.outC / g.groups;
  const ry = axisReach(g.kh, g.sh, g.dh, oh), rx = axisReach(g.kw, g.sw, g.dw, ow);
  const bYFast = (rx * oh + ry + 1) * M - 1; // slow = x, fast = y
  const bXFast = (ry * ow + rx + 1) * M - 1;
  const yFast = bYFast < bXFast || (bYFast === bXFast && oh < ow);
  const rows = g.outC * oh * ow;
  const perm = new Int32Array(rows);
  const [S, F] = yFast ? [ow, oh] : [oh, ow];
  let p = 0;
  for (let gi = 0; gi < g.groups; gi++) {
    for (let s = 0; s < S; s++) for (let f = 0; f < F; f++) {
      const pos = yFast ? f * ow + s : s * ow + f;
      for (let o = 0; o < M; o++) perm[p++] = (gi * M + o) * oh * ow + pos;
    }
  }
  return { perm, bandwidth: Math.min(yFast ? bYFast : bXFast, rows - 1), ry, rx, slow: S };
}

/**
 * Writes the lower band of P·A·Aᵀ·Pᵀ ((P r)[p] = r[perm[p]], half-bandwidth b, row stride ld) into
 * view() by probing (file header), zeroing it first; returns the largest diagonal entry. With
 * `held` (input indices), A's columns there are taken as zero. Internal.
 */
export function fillConvBand(weight: Float64Array, g: ConvGeometry, oh: number, ow: number, perm: Int32Array,
  b: number, ld: number, view: () => Float64Array, held?: Int32Array): number {
  const M = g.outC / g.groups, n = g.outC * oh * ow, cols = g.c * g.h * g.w, plane = oh * ow;
  const ry = axisReach(g.kh, g.sh, g.dh, oh), rx = axisReach(g.kw, g.sw, g.dw, ow);
  const posOf = new Int32Array(n);
  for (let p = 0; p < n; p++) posOf[perm[p]!] = p;
  const py = Math.min(2 * ry + 1, oh), px = Math.min(2 * rx + 1, ow);
  // the probed position coupling with output position q along an axis, for colour c (−1: none within reach)
  const partner = (len: number, period: number, reach: number, c: number): Int32Array => Int32Array.from({ length: len }, (_, q) => {
    const j = period === len ? c : q - reach + (((c - (q - reach)) % period) + period) % period;
    return j >= 0 && j < len && Math.abs(j - q) <= reach ? j : -1;
  });
  view().fill(0);
  core.scoped(() => {
    const wPtr = core.put(weight);
    const ePtr = core.alloc(n * 8), uPtr = core.alloc(cols * 8), yPtr = core.alloc(n * 8);
    const colsPtr = core.alloc(g.c * g.kh * g.kw * plane * 8);
    for (let cy = 0; cy < py; cy++) {
      const jy = partner(oh, py, ry, cy);
      for (let cx = 0; cx < px; cx++) {
        const jx = partner(ow, px, rx, cx);
        for (let ol = 0; ol < M; ol++) {
          const e = core.f64(ePtr, n).fill(0);
          for (let gi = 0; gi < g.groups; gi++) {
            const base = (gi * M + ol) * plane;
            for (let oy = cy; oy < oh; oy += py) for (let ox = cx; ox < ow; ox += px) e[base + oy * ow + ox] = 1;
          }
          convAdjointPtr(core, true, g, oh, ow, wPtr, ePtr, colsPtr, uPtr);
          if (held) { const u = core.f64(uPtr, cols); for (const q of held) u[q] = 0; }
          convPtr(core, true, g, oh, ow, wPtr, uPtr, colsPtr, yPtr);
          const y = core.f64(yPtr, n), band = view();
          for (let o = 0; o < g.outC; o++) {
            const jBase = (o - (o % M) + ol) * plane;
            for (let oy = 0; oy < oh; oy++) {
              const yj = jy[oy]!;
              if (yj < 0) continue;
              for (let ox = 0; ox < ow; ox++) {
                const xj = jx[ox]!;
                if (xj < 0) continue;
                const i = o * plane + oy * ow + ox;
                const pi = posOf[i]!, pj = posOf[jBase + yj * ow + xj]!;
                if (pj <= pi) band[pi * ld + pj - pi + b] = y[i]!;
              }
            }
          }
        }
      }
    }
  });
  const band = view();
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, band[i * ld + b]!);
  return maxDiag;
}

/** Along one axis: the taps [lo, hi] of window o whose pixel lies inside the image and is also read by window o + d (by its tap t − d·s/dil). */
function sharedTaps(o: number, d: number, k: number, s: number, dil: number, pad: number, len: number): [number, number] | undefined {
  if ((d * s) % dil !== 0) return undefined;
  const shift = (d * s) / dil; // tap t of o reads the pixel of tap t − shift of o + d
  const start = o * s - pad; // pixel of tap 0
  const lo = Math.max(0, shift, Math.ceil(-start / dil));
  const hi = Math.min(k - 1, k - 1 + shift, Math.floor((len - 1 - start) / dil));
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * Writes the lower band of P·A·Aᵀ·Pᵀ (as fillConvBand) from the weights: the block of output
 * positions p, q is W_P·W_Qᵀ (M × M) over the tap pairs that read one pixel inside the image,
 * computed once per (group, offset, clipping of p's window) by GEMM and reused. Returns the
 * largest diagonal entry. Internal.
 */
export function convBandDirect(weight: Float64Array, g: ConvGeometry, oh: number, ow: number, perm: Int32Array,
  b: number, ld: number, view: () => Float64Array): number {
  const M = g.outC / g.groups, cg = g.c / g.groups, K = cg * g.kh * g.kw, n = g.outC * oh * ow, plane = oh * ow;
  const ry = axisReach(g.kh, g.sh, g.dh, oh), rx = axisReach(g.kw, g.sw, g.dw, ow);
  const posOf = new Int32Array(n);
  for (let p = 0; p < n; p++) posOf[perm[p]!] = p;
  const blocks = new Map<number, Float64Array>();
  const block = (gi: number, sy: number, ty: [number, number], sx: number, tx: [number, number]): Float64Array => {
    const key = ((((((gi * (2 * g.kh + 1) + sy + g.kh) * g.kh + ty[0]) * g.kh + ty[1]) * (2 * g.kw + 1) + sx + g.kw) * g.kw + tx[0]) * g.kw + tx[1]);
    let B = blocks.get(key);
    if (B) return B;
    const ny = ty[1] - ty[0] + 1, nx = tx[1] - tx[0] + 1, S = cg * ny * nx;
    const wp = new Float64Array(M * S), wq = new Float64Array(M * S);
    for (let o = 0; o < M; o++) {
      const wo = (gi * M + o) * K;
      let col = o * S;
      for (let cl = 0; cl < cg; cl++) for (let ki = ty[0]; ki <= ty[1]; ki++) for (let kj = tx[0]; kj <= tx[1]; kj++, col++) {
        wp[col] = weight[wo + (cl * g.kh + ki) * g.kw + kj]!;
        wq[col] = weight[wo + (cl * g.kh + ki - sy) * g.kw + kj - sx]!;
      }
    }
    B = gemm(wp, wq, M, M, S, { transB: true }); // B[o1, o2] = Σ_s W_P[o1, s]·W_Q[o2, s]
    blocks.set(key, B);
    return B;
  };
  const band = view().fill(0);
  for (let gi = 0; gi < g.groups; gi++) {
    for (let oy = 0; oy < oh; oy++) for (let dy = -ry; dy <= ry; dy++) {
      if (oy + dy < 0 || oy + dy >= oh) continue;
      const ty = sharedTaps(oy, dy, g.kh, g.sh, g.dh, g.padTop, g.h);
      if (!ty) continue;
      const sy = (dy * g.sh) / g.dh;
      for (let ox = 0; ox < ow; ox++) for (let dx = -rx; dx <= rx; dx++) {
        if (ox + dx < 0 || ox + dx >= ow) continue;
        const p = oy * ow + ox, q = p + dy * ow + dx;
        // only q at or before p in the row order: compare the first channel's positions
        if (posOf[gi * M * plane + q]! > posOf[gi * M * plane + p]!) continue;
        const tx = sharedTaps(ox, dx, g.kw, g.sw, g.dw, g.padLeft, g.w);
        if (!tx) continue;
        const B = block(gi, sy, ty, (dx * g.sw) / g.dw, tx);
        for (let o1 = 0; o1 < M; o1++) {
          const pi = posOf[(gi * M + o1) * plane + p]!;
          for (let o2 = 0; o2 < M; o2++) {
            const pj = posOf[(gi * M + o2) * plane + q]!;
            if (pj <= pi) band[pi * ld + pj - pi + b] = B[o1 * M + o2]!;
          }
        }
      }
    }
  }
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, band[i * ld + b]!);
  return maxDiag;
}
