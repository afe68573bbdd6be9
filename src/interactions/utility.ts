// What a masked input is worth: the margin of the original top-1 class (default), its raw output
// value ('logit'), or the cross-entropy loss of that class. A model whose output row is already a
// probability vector (non-negative, summing to 1: PP-OCR's classifier ends in Softmax) is read in
// log space: the margin is log p_c − max log p_k (= the margin of the logits the Softmax took; a
// margin of saturated probabilities, 1 − 1e-5 against 1e-5, would sit at float32's resolution near
// 1), the loss −log p_c; otherwise margin and loss are taken on the outputs as logits. Closed
// option set with one resolver.
import { invalidParameter } from '../core/errors.js';

export type UtilityKind = 'margin' | 'logit' | 'loss';
const KINDS: Readonly<Record<string, UtilityKind>> = Object.freeze({ margin: 'margin', logit: 'logit', loss: 'loss' });

/** Maps the --utility name to its kind. @throws RangeError listing the valid names */
export function resolveUtility(name: unknown): UtilityKind {
  const k = typeof name === 'string' ? KINDS[name] : undefined;
  if (!k) throw invalidParameter('--utility', `one of ${Object.keys(KINDS).join(', ')}`, name, RangeError);
  return k;
}

function isProbability(row: ArrayLike<number>): boolean {
  let s = 0;
  for (let i = 0; i < row.length; i++) { if (!(row[i]! >= 0)) return false; s += row[i]!; }
  return Math.abs(s - 1) < 1e-4;
}

/**
 * The utility of one output row for class `cls`.
 * @param row the model's output for one image (K ≥ 1 values; margin needs K ≥ 2)
 */
export function utilityOf(kind: UtilityKind, row: ArrayLike<number>, cls: number): number {
  const yc = row[cls]!;
  if (kind === 'logit') return yc;
  const prob = isProbability(row);
  const f = prob ? (v: number) => Math.log(Math.max(v, Number.MIN_VALUE)) : (v: number) => v;
  if (kind === 'margin') {
    let other = -Infinity;
    for (let k = 0; k < row.length; k++) if (k !== cls && row[k]! > other) other = row[k]!;
    return f(yc) - f(other);
  }
  if (prob) return -f(yc);
  let max = -Infinity;
  for (let k = 0; k < row.length; k++) max = Math.max(max, row[k]!);
  let s = 0;
  for (let k = 0; k < row.length; k++) s += Math.exp(row[k]! - max);
  return max + Math.log(s) - yc;
}

/** Index of the largest value (the first on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
  return best;
}
