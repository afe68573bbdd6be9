// The scalar a gradient is taken of, as a cotangent on one output: a chosen entry (a logit, a
// probability, a map value) or, by default, the top-1 margin y[top-1] − y[runner-up] at x.
import { invalidParameter } from '../core/errors.js';

export interface ScalarChoice {
  kind: 'class' | 'margin';
  /** the entry differentiated (class), or the top-1 entry (margin) */
  index: number;
  /** the runner-up entry (margin) */
  runnerUp?: number;
  /** the scalar's value at x */
  value: number;
  /** the cotangent on the output (one image), of its length */
  cotangent: Float64Array;
}

/**
 * Picks the scalar of an output y (one image, flattened).
 * @param k an entry index, or undefined for the top-1 margin
 * @throws RangeError for k out of range, or a margin of an output with fewer than 2 entries
 */
export function scalarOf(y: ArrayLike<number>, k?: number): ScalarChoice {
  const n = y.length;
  const cotangent = new Float64Array(n);
  if (k !== undefined) {
    if (!Number.isInteger(k) || k < 0 || k >= n) throw invalidParameter('class', `an integer between 0 and ${n - 1}`, k, RangeError);
    cotangent[k] = 1;
    return { kind: 'class', index: k, value: y[k]!, cotangent };
  }
  if (n < 2) throw invalidParameter('output', 'an output with at least 2 entries for the top-1 margin (or --class K)', `${n} entry`, RangeError);
  let top = 0;
  for (let i = 1; i < n; i++) if (y[i]! > y[top]!) top = i;
  let second = top === 0 ? 1 : 0;
  for (let i = 0; i < n; i++) if (i !== top && y[i]! > y[second]!) second = i;
  cotangent[top] = 1;
  cotangent[second] = -1;
  return { kind: 'margin', index: top, runnerUp: second, value: y[top]! - y[second]!, cotangent };
}
