// Verdicts on a candidate and the precision levels a user can ask for (closed sets, one resolver each).
import { invalidParameter } from '../core/errors.js';

/** float64 outputs agree to within this relative L2 difference: an exact collision. */
export const EXACT_TOL = 1e-12;
/** float32 outputs agree to within this relative L2 difference: float32-close. */
export const FLOAT32_TOL = 1e-5;

/** Machine epsilons drawn as reference lines in plots. */
export const EPS = Object.freeze({ f64: 2 ** -52, f32: 2 ** -23 });

/**
 * exact and float32-close are about outputs alone. storage-close is a 16-bit PNG candidate whose outputs are
 * further apart than FLOAT32_TOL but whose whole first-layer difference is its own integer rounding
 * (verify.ts: rounding explains at least half of it) with every prediction kept: the nearest a PNG can
 * be to an exact collision, since a 16-bit grid holds no point of x + ker(A_img) but x itself.
 */
export type Verdict = 'exact' | 'float32-close' | 'storage-close' | 'differs';
export type Precision = 'f32' | 'f64' | 'both';

const PRECISIONS: Readonly<Record<string, Precision>> = Object.freeze({ f32: 'f32', f64: 'f64', both: 'both', float32: 'f32', float64: 'f64' });

/** Resolves a user-facing precision name. @throws TypeError listing the valid values */
export function resolvePrecision(name: unknown): Precision {
  const p = typeof name === 'string' ? PRECISIONS[name] : undefined;
  if (!p) throw invalidParameter('precision', 'one of f32, f64, both', name);
  return p;
}

/**
 * The verdict from the worst relative output differences (undefined = not measured).
 * exact needs float64 ≤ EXACT_TOL; float32-close needs float32 ≤ FLOAT32_TOL (or, when float32
 * was not run, float64 ≤ FLOAT32_TOL); past that, storage-close when atStorageFloor (a PNG whose
 * difference is its rounding, predictions kept), else differs.
 */
export function verdictOf(rel64: number | undefined, rel32: number | undefined, atStorageFloor = false): Verdict {
  if (rel64 !== undefined && rel64 <= EXACT_TOL) return 'exact';
  const r = rel32 ?? rel64;
  if (r !== undefined && r <= FLOAT32_TOL) return 'float32-close';
  return atStorageFloor ? 'storage-close' : 'differs';
}

/**
 * Whether a verdict counts as a collision at the requested precision: f64 asks for `exact`;
 * f32 and both accept `exact`, `float32-close` or `storage-close`.
 */
export function collides(v: Verdict, precision: Precision): boolean {
  return precision === 'f64' ? v === 'exact' : v !== 'differs';
}
