// Image-space distortion measures for the collide report: PSNR, perturbation norms, clipped fraction.
// All inputs are flat arrays of pixel values on the [0, 1] scale. Browser-safe.
import { invalidParameter } from '../core/errors.js';

/** Norms of a perturbation, in units of `scale` (255: levels of an 8-bit image; 1: the [0, 1] scale). */
export interface DeltaStats {
  /** Euclidean norm ‖δ‖₂ · scale. */
  l2: number;
  /** Largest absolute entry ‖δ‖∞ · scale. */
  linf: number;
  /** Root mean square ‖δ‖₂ / √n · scale. */
  rms: number;
  /** The unit used: 255 or 1 (or what the caller passed). */
  scale: number;
  /** Number of entries. */
  count: number;
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`Expected length ${a.length} for b but received length ${b.length}`);
}

/**
 * Peak signal-to-noise ratio of b against a, in dB, for data on the [0, 1] scale (peak 1):
 * 10·log10(1 / MSE). Identical arrays give Infinity.
 * @throws RangeError when the lengths differ or are 0.
 */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b);
  if (a.length === 0) throw new RangeError('psnr of empty arrays is undefined');
  let sum = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; sum += d * d; }
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

/**
 * L2, L∞ and RMS of a perturbation given on the [0, 1] scale, reported in units of `scale`
 * (default 255, i.e. 8-bit pixel levels; pass 1 for the [0, 1] scale). The L2 sum is scaled before
 * squaring to avoid overflow.
 */
export function deltaStats(delta: ArrayLike<number>, scale = 255): DeltaStats {
  if (!(scale > 0) || !Number.isFinite(scale)) throw invalidParameter('scale', 'a positive finite number', scale, RangeError);
  let linf = 0;
  for (let i = 0; i < delta.length; i++) linf = Math.max(linf, Math.abs(delta[i]!));
  let sum = 0;
  if (linf > 0) for (let i = 0; i < delta.length; i++) { const d = delta[i]! / linf; sum += d * d; }
  const l2 = linf * Math.sqrt(sum);
  return { l2: l2 * scale, linf: linf * scale, rms: delta.length ? (l2 / Math.sqrt(delta.length)) * scale : 0, scale, count: delta.length };
}

/** Fraction of entries outside [0, 1] (what clipping to the valid pixel range would change). 0 for empty input. */
export function clipFraction(x: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) { const v = x[i]!; if (v < 0 || v > 1) n++; }
  return x.length ? n / x.length : 0;
}

/** Returns a copy of x clipped to [0, 1]. */
export function clip01(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v < 0 ? 0 : v > 1 ? 1 : v; }
  return out;
}
