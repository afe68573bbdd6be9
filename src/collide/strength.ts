// How far to go along δ: --alpha A (the step in model space along a direction scaled to unit
// pixel RMS; for --target the unscaled projection P(t − x), so α = 1 is the whole of it) or
// --psnr DB (α chosen so that PSNR(x, x') = DB before clipping and rounding). PSNR is measured in
// pixel space with peak 1, δ lives in model space: pixel δ = std·δ_m (src/collide/space.ts).
import { invalidParameter } from '../core/errors.js';

/** Default step for noise/basis directions: pixel RMS 0.05 (PSNR ≈ 26 dB before clipping). */
export const DEFAULT_ALPHA = 0.05;

/** α that gives PSNR = db for a δ whose pixel RMS at α = 1 is `rms` (peak 1, no clipping). */
export function alphaForPsnr(db: number, rms: number): number {
  if (!Number.isFinite(db)) throw invalidParameter('psnr', 'a finite number of decibels', db, RangeError);
  if (!(rms > 0)) throw new RangeError('cannot reach a PSNR with a zero perturbation (the projected direction vanished)');
  return 10 ** (-db / 20) / rms;
}

/** PSNR (peak 1) of a perturbation with the given pixel RMS. */
export function psnrOfRms(rms: number): number {
  return rms > 0 ? -20 * Math.log10(rms) : Infinity;
}

/**
 * The scale applied to a projected direction.
 * @param unitScale divides δ so that its pixel RMS is 1 (noise/basis) — 1 for --target
 * @returns the factor multiplying the raw projected δ
 */
export function resolveAlpha(opts: { alpha?: number; psnr?: number; target: boolean }, rawPixelRms: number): { alpha: number; scale: number } {
  if (opts.psnr !== undefined) {
    const scale = alphaForPsnr(opts.psnr, rawPixelRms);
    // report α in the same units as --alpha would take
    return { alpha: opts.target ? scale : scale * rawPixelRms, scale };
  }
  const alpha = opts.alpha ?? (opts.target ? 1 : DEFAULT_ALPHA);
  if (!Number.isFinite(alpha)) throw invalidParameter('alpha', 'a finite number', alpha, RangeError);
  if (opts.target) return { alpha, scale: alpha };
  return { alpha, scale: rawPixelRms > 0 ? alpha / rawPixelRms : 0 };
}
