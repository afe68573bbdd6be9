// Storing x′ on the PNG grid. Nearest rounding leaves an error e whose first-layer response A·e is
// all that separates the stored image from an exact collision; the grid offers each sample two (or
// three) neighbours, and some choices cancel better than others. Coordinate descent on ‖A e‖²
// (assembly/grid_round.ts) picks them; it takes only moves that lower ‖A e‖, so the result is never
// worse than nearest rounding and each sample stays within one grid step of x′. Browser-safe.
import { core } from '../core/wasm.js';
import { outputSize } from '../linalg/geometry.js';
import type { LinearOperator } from '../linalg/operator.js';
import type { FirstLayerSpec } from './layer.js';

/**
 * Sweeps of the descent at most. Measured on a 3×3/2 conv 8←3 at 48×192: the residual settles in 6–9
 * sweeps at 1/1.62 of nearest rounding's; three reach 1/1.60 at ~2.5 ms a sweep.
 */
export const GRID_SWEEPS = 3;

/**
 * Multiply–adds the sweeps may take in all (a sweep reads each of A's non-zeros about twice): a wide
 * 3×3/2 conv at 224×224 keeps its 3 sweeps, a ViT's 16×16 patch embedding at 224×224 gets one.
 */
export const GRID_WORK = 4e7;

/** Non-zeros of A_img (windows at the border counted whole). */
function nonZeros(layer: FirstLayerSpec): number {
  if (layer.kind === 'dense') return layer.m * layer.n;
  const g = layer.geometry; const { oh, ow } = outputSize(g);
  return g.outC * (g.c / g.groups) * g.kh * g.kw * oh * ow;
}

export interface GridRounding {
  /** grid index of every sample, model order (CHW) */
  k: Float64Array;
  /** ‖A e‖ with e from nearest rounding, and from the chosen rounding (float64, model units) */
  nearest: number;
  chosen: number;
  /** samples moved off their nearest grid point (share of all) */
  moved: number;
}

/** w (outC, c/groups, kh, kw) → (c, kh, kw, outC/groups): for input channel ci, its group's outputs per tap. */
function tapMajor(w: Float64Array, g: { c: number; outC: number; groups: number; kh: number; kw: number }): Float64Array {
  const cg = g.c / g.groups, og = g.outC / g.groups, taps = g.kh * g.kw;
  const out = new Float64Array(g.c * taps * og);
  for (let ci = 0; ci < g.c; ci++) {
    const o0 = Math.floor(ci / cg) * og, cl = ci % cg;
    for (let t = 0; t < taps; t++) for (let j = 0; j < og; j++) out[(ci * taps + t) * og + j] = w[((o0 + j) * cg + cl) * taps + t]!;
  }
  return out;
}

function nrm2(a: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/**
 * @param layer the first layer (A_img's weights and shape)
 * @param op A_img, for the exact residuals before and after
 * @param u x′ in grid units, model order (u = pixel·levels, in [0, levels])
 * @param step per model channel: model units per grid step (1 / (levels·std))
 * @param levels 255 or 65535
 */
export function roundToGrid(layer: FirstLayerSpec, op: LinearOperator, u: Float64Array, step: ArrayLike<number>, levels: number,
  sweeps = Math.max(1, Math.min(GRID_SWEEPS, Math.floor(GRID_WORK / (2 * nonZeros(layer)))))): GridRounding {
  const n = u.length;
  if (n !== op.cols) throw new RangeError(`roundToGrid: expected ${op.cols} samples but received ${n}`);
  const plane = n / step.length;
  const nearestOf = (v: number) => Math.min(levels, Math.max(0, Math.round(v)));
  // A e for the rounding k: e = (k − u)·step in model units
  const e = new Float64Array(n);
  const responseOf = (k: Float64Array) => {
    for (let c = 0, i = 0; c < step.length; c++) { const s = step[c]!; for (const end = i + plane; i < end; i++) e[i] = (k[i]! - u[i]!) * s; }
    return op.apply(e);
  };
  // nearest rounding first (a loop: Float64Array.from with a map function costs ≈ 130 ns an element)
  const k = new Float64Array(n);
  for (let i = 0; i < n; i++) k[i] = nearestOf(u[i]!);
  const r = responseOf(k);
  const nearest = nrm2(r);
  let moved = 0;
  if (nearest > 0 && sweeps > 0) {
    core.scoped(() => {
      // the grid points within one step of u (two, or three when u is on the grid), written in place
      const loPtr = core.alloc(n * 8); const hiPtr = core.alloc(n * 8);
      const lo = core.f64(loPtr, n); const hi = core.f64(hiPtr, n);
      for (let i = 0; i < n; i++) { const v = u[i]!; lo[i] = Math.max(0, Math.ceil(v) - 1); hi[i] = Math.min(levels, Math.floor(v) + 1); }
      const kPtr = core.put(k); const stepPtr = core.put(Float64Array.from(step));
      const rPtr = core.alloc(r.length * 8);
      if (layer.kind === 'conv') {
        const g = layer.geometry; const { oh, ow } = outputSize(g);
        // channel-last r and weights (the kernel's layout): the outputs one tap reaches are contiguous
        const rT = core.f64(rPtr, r.length); const p = oh * ow;
        for (let o = 0; o < g.outC; o++) for (let q = 0; q < p; q++) rT[q * g.outC + o] = r[o * p + q]!;
        const wPtr = core.put(tapMajor(layer.weight, g));
        moved = core.kernels.gridDescentConvF64(g.c, g.h, g.w, g.outC, g.groups, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, oh, ow, wPtr, rPtr, kPtr, loPtr, hiPtr, stepPtr, sweeps,
          core.alloc(2 * g.kh * g.kw * 8));
      } else {
        core.f64(rPtr, r.length).set(r);
        const wPtr = core.put(layer.weight);
        moved = core.kernels.gridDescentDenseF64(layer.m, layer.n, plane, wPtr, rPtr, kPtr, loPtr, hiPtr, stepPtr, sweeps);
      }
      k.set(core.f64(kPtr, n));
    });
  }
  if (moved === 0) return { k, nearest, chosen: nearest, moved: 0 };
  moved = 0;
  for (let i = 0; i < n; i++) if (k[i] !== nearestOf(u[i]!)) moved++;
  return { k, nearest, chosen: nrm2(responseOf(k)), moved: n ? moved / n : 0 };
}
