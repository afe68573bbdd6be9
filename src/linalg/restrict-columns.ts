// A linear operator restricted to a subset of its input entries (a column subset A·S, S the
// selection), with the scatter/gather maps between the subset and the full input. Used for
// collide's masks (δ stays 0 outside the kept entries) and the census's Lanczos on the read pixels.
import { assertLength } from '../core/errors.js';
import type { LinearOperator } from './operator.js';

/** A·S with its selection: index lists the kept columns (ascending). */
export interface RestrictedColumns {
  op: LinearOperator;
  index: Int32Array;
  /** z (index.length) → v (cols) with v[index[j]] = z[j], 0 elsewhere */
  scatter(z: Float64Array): Float64Array;
  /** v (cols) → z (index.length) = v[index] */
  gather(v: Float64Array): Float64Array;
}

/**
 * A restricted to the input entries where keep[i] ≠ 0: apply(z) = A·scatter(z), applyT(y) =
 * gather(Aᵀy), the exact adjoint. Projecting onto ker(A·S) and scattering back gives δ ∈ ker(A)
 * with δ = 0 outside the kept entries.
 * @param keep (op.cols) mask
 * @throws RangeError when keep's length is not op.cols
 */
export function restrictColumns(op: LinearOperator, keep: Uint8Array): RestrictedColumns {
  assertLength('keep', keep, op.cols);
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) k++;
  const index = new Int32Array(k);
  for (let i = 0, j = 0; i < keep.length; i++) if (keep[i]) index[j++] = i;
  const scatter = (z: Float64Array): Float64Array => {
    const v = new Float64Array(op.cols);
    for (let j = 0; j < index.length; j++) v[index[j]!] = z[j]!;
    return v;
  };
  const gather = (v: Float64Array): Float64Array => {
    const z = new Float64Array(index.length);
    for (let j = 0; j < index.length; j++) z[j] = v[index[j]!]!;
    return z;
  };
  const sub: LinearOperator = {
    rows: op.rows,
    cols: index.length,
    apply: (z, out) => op.apply(scatter(z), out),
    applyT: (y, out) => {
      const g = gather(op.applyT(y));
      if (out) { out.set(g); return out; }
      return g;
    },
  };
  return { op: sub, index, scatter, gather };
}
