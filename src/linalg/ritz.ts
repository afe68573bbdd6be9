// Eigen-decomposition of a small dense symmetric matrix (the Rayleigh–Ritz step of lanczos.ts);
// the rotations run in assembly/ritz.ts.
import { core } from '../core/wasm.js';
import { LinAlgError, assertInt, assertLength, invalidParameter } from '../core/errors.js';
import { checkFinite } from './arrays.js';

export interface SymmetricEigen {
  /** eigenvalues, ascending */
  values: Float64Array;
  /** (n, n) row-major: row i is the unit eigenvector of values[i] */
  vectors: Float64Array;
}

/**
 * All eigenpairs of a symmetric matrix (only its upper and lower triangles' average is used).
 *
 * @param a (n, n) row-major, symmetric
 * @throws TypeError/RangeError on bad input; LinAlgError if Jacobi does not converge in 60 sweeps
 *
 * Notes: cyclic Jacobi rotations in float64; meant for n up to a few hundred.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (!(a instanceof Float64Array)) throw invalidParameter('a', 'a Float64Array', a);
  assertInt('n', n, 0, 4096);
  assertLength('a', a, n * n);
  checkFinite('a', a);
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  const diag = new Float64Array(n), cols = new Float64Array(n * n);
  core.scoped(() => {
    const aPtr = core.put(sym);
    const vPtr = core.alloc(n * n * 8);
    const sweeps = core.kernels.symEigJacobiF64(aPtr, n, vPtr, 60);
    if (sweeps < 0) throw new LinAlgError('symmetric eigensolver (Jacobi) did not converge after 60 sweeps');
    const d = core.f64(aPtr, n * n);
    for (let i = 0; i < n; i++) diag[i] = d[i * n + i]!;
    cols.set(core.f64(vPtr, n * n));
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => diag[p]! - diag[q]!);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = diag[src]!;
    for (let k = 0; k < n; k++) vectors[dst * n + k] = cols[k * n + src]!;
  });
  return { values, vectors };
}
