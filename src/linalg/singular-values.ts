// Singular values only: Jacobi (accurate to high relative precision), Householder
// bidiagonalisation + bidiagonal QR (LAPACK's way, accurate to eps64·σmax absolutely) or the
// float64 Gram matrix's eigenvalues (fastest, valid only for σ far above √eps64·σmax). 'auto' chooses.
import { core, LinAlgError } from '../core/index.js';
import { oneOf, padded, positiveOrZero, precisionOf, stageRowsChecked, type Matrix } from './svd-input.js';
import { svdFor } from './svd.js';
import { bidiagFor } from './bidiag.js';
import { gramMinRtol } from './tolerance.js';

export type SingularValuesMethod = 'auto' | 'jacobi' | 'gram' | 'bidiag';

export interface SingularValuesOptions {
  /** 'auto' (default): the Gram path when rtol ≥ gramMinRtol(m, n), else 'bidiag' */
  method?: SingularValuesMethod;
  /** the relative (to σmax) tolerance the caller will apply; enables the Gram path in 'auto' */
  rtol?: number;
  /** working precision of the Jacobi path (the Gram and bidiag paths are always float64) */
  precision?: 'f64' | 'f32';
}

export interface SingularValuesResult {
  /** min(m, n) singular values, descending */
  s: Float64Array;
  /** which algorithm produced s */
  path: 'jacobi' | 'gram-eig' | 'bidiag';
  /** Jacobi sweeps (Jacobi path only) */
  sweeps?: number;
}

/**
 * Singular values of a (m, n) row-major, descending.
 *
 * @throws TypeError/RangeError for bad arguments; LinAlgError if an iteration does not converge.
 *
 * Notes: 'jacobi' is the one-sided Jacobi SVD without vectors (see svd). 'gram' forms the float64
 * Gram matrix of the short side (AAᵀ if m ≤ n, else AᵀA), reduces it to tridiagonal form by
 * Householder reflections and takes its eigenvalues by implicit QL; σ = √max(λ, 0). Its absolute
 * error is ≈ max(m, n)·eps64·σmax²/(2σ), so σ below ≈ √eps64·σmax are noise: 'auto' takes it
 * only when rtol ≥ gramMinRtol(m, n) (see tolerance.ts). 'bidiag' (bidiag.ts) reduces A to
 * bidiagonal form by Householder reflections and takes the bidiagonal's singular values by
 * implicit QR: absolute error ≈ max(m, n)·eps64·σmax, what rank decisions at eps64's rule need, at
 * a fraction of Jacobi's time; 'auto' takes it whenever the Gram path is not allowed. Jacobi runs
 * only when asked for: its small σ keep high relative accuracy.
 */
export function singularValues(a: Matrix, m: number, n: number, opts: SingularValuesOptions = {}): SingularValuesResult {
  const method = oneOf('singularValues method', opts.method, ['auto', 'jacobi', 'gram', 'bidiag'] as const, 'auto');
  const rtol = positiveOrZero('singularValues rtol', opts.rtol);
  const precision = precisionOf('singularValues precision', opts.precision);
  const useGram = method === 'gram' || (method === 'auto' && rtol !== undefined && rtol >= gramMinRtol(m, n));
  if (method === 'bidiag' || (method === 'auto' && !useGram)) return bidiagFor('singularValues', a, m, n);
  if (!useGram) {
    const r = svdFor('singularValues', a, m, n, { compute: 'none', precision });
    return { s: r.s, path: 'jacobi', sweeps: r.sweeps };
  }
  return { s: gramSingularValues(a, m, n), path: 'gram-eig' };
}

function gramSingularValues(a: Matrix, m: number, n: number): Float64Array {
  const k = Math.min(m, n), L = Math.max(m, n);
  const K = core.kernels;
  return core.scoped(() => {
    const ld = padded(L, 8);
    let x: number;
    const staged = stageRowsChecked('singularValues', a, m, n, m <= n ? ld : n);
    const scale = staged.scale;
    if (k === 0 || scale === 0) return new Float64Array(k);
    if (m <= n) x = staged.ptr;
    else {
      x = core.alloc(k * ld * 8);
      core.f64(x, k * ld).fill(0);
      K.transposeF64(staged.ptr, m, n, n, x, ld);
    }
    const g = core.alloc(k * k * 8), work = core.alloc(K.gramWorkElems(k) * 8);
    K.gramF64(x, k, L, ld, work, g);
    const d = core.alloc(k * 8), e = core.alloc(k * 8), eig = core.alloc((4 * k + 9) * 8);
    if (K.symEigvalsF64(g, k, d, e, eig) < 0) throw new LinAlgError('Gram eigenvalue iteration did not converge');
    return core.f64(d, k).map((l) => Math.sqrt(Math.max(l, 0)) * scale);
  });
}
