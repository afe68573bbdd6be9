// Smallest singular values and right singular vectors of an operator given only by products:
// thick-restart Lanczos on B = AᵀA with full reorthogonalisation (float64). Also sigmaMinEstimate,
// the rank evidence collide needs (is A_img injective / of full row rank?).
// Internal: lanczosSmallest (shared by both exports).
import { invalidParameter, assertInt } from '../core/errors.js';
import type { LinearOperator } from './operator.js';
import { rng } from './random.js';
import { core } from '../core/wasm.js';
import { axpy, gemvPtr, nrm2, scal } from './blas1.js';
import { gemmPtr } from './gemm.js';
import { symmetricEigen, type SymmetricEigen } from './ritz.js';

export interface LanczosOptions {
  /** seed of the random start vector, default 0 */
  seed?: number;
  /** cap on products with B = AᵀA (each = one apply + one applyT), default 3000 */
  maxIter?: number;
  /** converged when every wanted Ritz pair has ‖B y − θ y‖ ≤ tol·θmax, default 1e-10 */
  tol?: number;
  /** Krylov basis size before a restart, default max(2k + 20, 40) capped at cols; memory is basis·cols doubles */
  basis?: number;
}

export interface SingularTriplets {
  /** the k smallest singular values found, ascending */
  values: Float64Array;
  /** (k, cols) row-major: row i is the unit right singular vector of values[i] */
  vectors: Float64Array;
  /** ‖AᵀA v_i − σ_i² v_i‖ recomputed with fresh products (absolute, in units of σ²) */
  residuals: Float64Array;
  /** products with B used */
  iterations: number;
  /** every wanted pair met the tolerance */
  converged: boolean;
  /** largest Ritz value seen, sqrt'ed: a lower bound on σmax(A) */
  sigmaMax: number;
}

function checkOperator(op: LinearOperator): void {
  if (typeof op !== 'object' || op === null || typeof op.apply !== 'function' || typeof op.applyT !== 'function') {
    throw invalidParameter('op', 'a LinearOperator { rows, cols, apply, applyT }', op);
  }
  assertInt('op.rows', op.rows);
  assertInt('op.cols', op.cols, 1);
}

/** Thick-restart Lanczos for the k smallest eigenpairs of AᵀA. Internal. */
export function lanczosSmallest(op: LinearOperator, k: number, opts: LanczosOptions): SingularTriplets {
  const n = op.cols;
  const { seed = 0, maxIter = 3000, tol = 1e-10 } = opts;
  assertInt('maxIter', maxIter, 1);
  if (!(typeof tol === 'number' && tol > 0 && tol < 1)) throw invalidParameter('tol', 'a number in (0, 1)', tol, RangeError);
  const mMax = Math.min(n, opts.basis ?? Math.max(2 * k + 20, 40));
  assertInt('basis', mMax, Math.min(n, k + 1));
  if (mMax * n * 8 > 1024 ** 3) throw invalidParameter('basis', `at most ${Math.floor(1024 ** 3 / (8 * n))} vectors of length ${n} (1 GiB)`, mMax, RangeError);
  const T = new Float64Array(mMax * mMax);
  const y = new Float64Array(op.rows);
  const q = new Float64Array(n);
  const w = new Float64Array(n);
  const g = rng(seed);
  // The basis Q (mMax × n, row i = q_i) lives in the WASM arena for the whole solve; the
  // operator's products allocate above it in nested scopes. Views are re-made after every product
  // because those scopes may grow memory.
  return core.scoped(() => {
    const qPtr = core.alloc(mMax * n * 8);
    const wPtr = core.alloc(n * 8);
    const hPtr = core.alloc(mMax * 8);
    const CHUNK = 2048;
    const tmpPtr = core.alloc(mMax * CHUNK * 8);
    const rowPtr = (i: number) => qPtr + i * n * 8;
    // w (in wPtr) ← w − Q_{0..count-1}ᵀ (Q w), twice; the coefficients are added into T's column col
    const orthogonalize = (count: number, col: number): void => {
      for (let pass = 0; pass < 2; pass++) {
        gemvPtr(core, true, false, count, n, 1, qPtr, n, wPtr, 0, hPtr);
        gemvPtr(core, true, true, count, n, -1, qPtr, n, hPtr, 1, wPtr);
        if (col >= 0) {
          const h = core.f64(hPtr, count);
          for (let t = 0; t < count; t++) T[t * mMax + col] += h[t]!;
        }
      }
    };
    // row i ← w / ‖w‖
    const setRow = (i: number, scale: number): void => {
      const src = core.f64(wPtr, n), dst = core.f64(rowPtr(i), n);
      for (let t = 0; t < n; t++) dst[t] = src[t]! * scale;
    };
    const randomRow = (i: number): void => {
      const wv = core.f64(wPtr, n);
      for (let t = 0; t < n; t++) wv[t] = g.normal();
      if (i > 0) orthogonalize(i, -1);
      setRow(i, 1 / nrm2(core.f64(wPtr, n)));
    };
    // Q[0..rows) ← S[0..rows) · Q (S rows × mMax), a column block at a time
    const rotate = (S: Float64Array, rows: number, outPtr: number, ldo: number): void => {
      core.scoped(() => {
        const sPtr = core.put(S.subarray(0, rows * mMax));
        for (let j0 = 0; j0 < n; j0 += CHUNK) {
          const c = Math.min(CHUNK, n - j0);
          gemmPtr(core, true, false, false, rows, c, mMax, 1, sPtr, mMax, qPtr + j0 * 8, n, 0, tmpPtr, c);
          const tmp = core.f64(tmpPtr, rows * c), out = core.f64(outPtr, ldo * rows);
          for (let r = 0; r < rows; r++) out.set(tmp.subarray(r * c, (r + 1) * c), r * ldo + j0);
        }
      });
    };
    randomRow(0);
    let start = 0, iterations = 0, thetaMax = 0, beta = 0, converged = false;
    let ritz: SymmetricEigen = { values: new Float64Array(0), vectors: new Float64Array(0) };
    for (;;) {
      for (let i = start; i < mMax; i++) {
        q.set(core.f64(rowPtr(i), n));
        op.apply(q, y);
        op.applyT(y, w);
        iterations++;
        core.f64(wPtr, n).set(w);
        // classical Gram–Schmidt twice against the whole basis keeps Q orthonormal to rounding
        orthogonalize(i + 1, i);
        beta = nrm2(core.f64(wPtr, n));
        thetaMax = Math.max(thetaMax, T[i * mMax + i]!);
        if (i + 1 < mMax) {
          if (beta <= 1e-13 * Math.max(thetaMax, Number.MIN_VALUE)) {
            randomRow(i + 1); // invariant subspace: continue with a fresh direction
            T[(i + 1) * mMax + i] = 0;
          } else {
            setRow(i + 1, 1 / beta);
            T[(i + 1) * mMax + i] = beta;
          }
        }
      }
      ritz = symmetricEigen(T, mMax);
      thetaMax = Math.max(thetaMax, ritz.values[mMax - 1]!);
      let ok = true;
      for (let i = 0; i < k; i++) ok &&= beta * Math.abs(ritz.vectors[i * mMax + mMax - 1]!) <= tol * thetaMax;
      converged = mMax === n || ok;
      if (converged || iterations >= maxIter) break;
      // thick restart: keep the l smallest Ritz vectors, continue from the residual direction
      const l = Math.min(mMax - 1, k + Math.floor((mMax - k) / 2));
      rotate(ritz.vectors, l, qPtr, n);
      setRow(l, 1 / beta);
      T.fill(0);
      for (let t = 0; t < l; t++) {
        T[t * mMax + t] = ritz.values[t]!;
        T[l * mMax + t] = beta * ritz.vectors[t * mMax + mMax - 1]!;
      }
      start = l;
    }
    const vectors = new Float64Array(k * n);
    core.scoped(() => {
      const vPtr = core.alloc(k * n * 8);
      rotate(ritz.vectors, k, vPtr, n);
      vectors.set(core.f64(vPtr, k * n));
    });
    const values = new Float64Array(k);
    const residuals = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const v = vectors.subarray(i * n, (i + 1) * n);
      scal(1 / nrm2(v), v);
      const theta = ritz.values[i]!;
      values[i] = Math.sqrt(Math.max(theta, 0));
      q.set(v);
      op.apply(q, y);
      op.applyT(y, w);
      axpy(-theta, q, w);
      residuals[i] = nrm2(w);
    }
    return { values, vectors, residuals, iterations, converged, sigmaMax: Math.sqrt(thetaMax) };
  });
}

/**
 * The k smallest singular values of A and their right singular vectors.
 *
 * @param op A (rows × cols), float64 products
 * @param k how many (1 ≤ k < cols, or k = cols for tiny operators)
 * @returns { values (k, ascending), vectors (k × cols, row-major, unit), residuals, iterations, converged, sigmaMax }
 * @throws TypeError/RangeError on a bad operator or options; LinAlgError if the small eigensolver fails
 *
 * Notes: thick-restart Lanczos (Wu & Simon) on B = AᵀA with full reorthogonalisation (CGS2),
 * Rayleigh–Ritz by Jacobi on the projected matrix. Working on AᵀA squares the condition number:
 * singular values below ~1e-8·σmax come out with absolute accuracy ~1e-8·σmax only, and the
 * smallest end of a convolution's spectrum is clustered, so convergence there can be slow; when
 * maxIter is reached the best Ritz pairs are returned with converged = false and their true
 * residuals. Each Ritz value is an upper bound of the corresponding eigenvalue of AᵀA from the
 * bottom (Cauchy interlacing), so values[0] ≥ σmin(A) always; the residual r_i gives an eigenvalue
 * of AᵀA within r_i of values[i]², which does not by itself prove that no smaller one exists.
 */
export function smallestSingularTriplets(op: LinearOperator, k: number, opts: LanczosOptions = {}): SingularTriplets {
  checkOperator(op);
  assertInt('k', k, 1, op.cols);
  return lanczosSmallest(op, k, opts);
}

export interface SigmaMinEstimate {
  /** smallest Ritz value's sqrt: an upper bound on σmin of the chosen side */
  sigmaMin: number;
  /** largest Ritz value's sqrt: a lower bound on σmax */
  sigmaMax: number;
  /** products used */
  iterations: number;
  /** the smallest Ritz pair met the tolerance */
  converged: boolean;
  /** ‖B v − θ v‖ of that pair, B = AᵀA (side cols) or A Aᵀ (side rows) */
  residual: number;
}

/**
 * Estimate of the smallest singular value of A on one side, for rank decisions on A_img:
 * side 'cols' uses AᵀA (tall A: full column rank ⇔ injective ⇔ σmin > 0, ker(A) trivial),
 * side 'rows' uses A Aᵀ (wide A: full row rank ⇔ λmin(A Aᵀ) > 0).
 *
 * @throws TypeError/RangeError on a bad operator, side or options
 *
 * Notes: Lanczos (see smallestSingularTriplets) with k = 1 and a 30-vector basis by default.
 * What it establishes: sigmaMin is an upper bound (Ritz values interlace from above), so
 * sigmaMin ≈ 0 with a small residual proves (numerical) rank deficiency. A clearly positive
 * sigmaMin with converged = true is strong evidence of full rank but not a proof: a Krylov
 * method can miss an eigenvector the start vector barely touches. Report it as an estimate.
 */
export function sigmaMinEstimate(op: LinearOperator, side: 'rows' | 'cols', opts: LanczosOptions = {}): SigmaMinEstimate {
  checkOperator(op);
  if (side !== 'rows' && side !== 'cols') throw invalidParameter('side', 'one of "rows", "cols"', side);
  const target: LinearOperator = side === 'cols' ? op : { rows: op.cols, cols: op.rows, apply: op.applyT.bind(op), applyT: op.apply.bind(op) };
  if (target.cols === 0) throw invalidParameter('op', `a non-empty ${side} dimension`, 0, RangeError);
  const r = lanczosSmallest(target, 1, { basis: 30, ...opts });
  return { sigmaMin: r.values[0]!, sigmaMax: r.sigmaMax, iterations: r.iterations, converged: r.converged, residual: r.residuals[0]! };
}
