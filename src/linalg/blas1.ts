// Level-1 vector kernels for the iterative solvers (project.ts, lanczos.ts): dot, nrm2, axpy, scal.
//
// dot/nrm2/axpy/scal stay in TypeScript on purpose: for a generic LinearOperator the solver
// vectors live in JS Float64Arrays between products, and a WASM call would first copy both
// vectors into linear memory — a copy that moves as many bytes as the single pass it would speed
// up. Where the vectors can live in WASM memory instead, the WASM kernels do the work: Lanczos'
// reorthogonalisation against a whole basis (gemv), and projectToNullSpace's CG for operators
// with pointer-level products (dotF64/axpbyF64, see project-wasm.ts; measured 2× on the PP-OCR
// classifier, where the JS vector loop had been ~40% of the time). Internal: gemvPtr.
import { core, type Core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';
import { checkFinite, dtypeOf, type FloatArray } from './arrays.js';

/** ⟨x, y⟩ (equal lengths). */
export function dot(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Expected length ${n} for y but received length ${y.length}`);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return (s0 + s1) + (s2 + s3);
}

/** ‖x‖₂ without overflow or underflow (rescales when entries are beyond ±1e±150). */
export function nrm2(x: Float64Array): number {
  const n = x.length;
  let amax = 0;
  for (let i = 0; i < n; i++) { const a = Math.abs(x[i]!); if (a > amax) amax = a; }
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  if (amax > 1e-150 && amax < 1e150) return Math.sqrt(dot(x, x));
  let s = 0;
  for (let i = 0; i < n; i++) { const v = x[i]! / amax; s += v * v; }
  return amax * Math.sqrt(s);
}

/** y ← y + alpha·x (in place; returns y). */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Expected length ${n} for y but received length ${y.length}`);
  for (let i = 0; i < n; i++) y[i] += alpha * x[i]!;
  return y;
}

/** x ← alpha·x (in place; returns x). */
export function scal(alpha: number, x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
  return x;
}

/**
 * Pointer-level GEMV on core `c`: trans = false: y (m) = alpha·A·x + beta·y; trans = true:
 * y (n) = alpha·Aᵀ·x + beta·y, A (m×n) with row stride lda. y must not alias A or x. Internal.
 */
export function gemvPtr(c: Core, f64: boolean, trans: boolean, m: number, n: number, alpha: number,
  aPtr: number, lda: number, xPtr: number, beta: number, yPtr: number): void {
  const k = c.kernels;
  const f = trans ? (f64 ? k.gemvTF64 : k.gemvTF32) : (f64 ? k.gemvNF64 : k.gemvNF32);
  f(m, n, alpha, aPtr, lda, xPtr, beta, yPtr);
}

/**
 * Matrix–vector product y = alpha·op(A)·x + beta·y in the WASM core (assembly/blas1.ts).
 *
 * @param a (m, n) row-major, Float64Array or Float32Array
 * @param x length n (or m with trans), same dtype
 * @param opts.y initial y (read when beta ≠ 0) and output buffer; may alias x (inputs are copied first)
 * @returns y: length m (or n with trans)
 * @throws TypeError/RangeError on bad sizes, mixed dtypes, wrong lengths or non-finite values
 *
 * Notes: four rows of A per pass over x; v128 SIMD with a scalar tail.
 */
export function gemv<T extends FloatArray>(a: T, x: T, m: number, n: number,
  opts: { trans?: boolean; alpha?: number; beta?: number; y?: T } = {}): T {
  const dtype = dtypeOf('a', a);
  if (dtypeOf('x', x) !== dtype) throw invalidParameter('x', `a ${dtype} array like a`, x.constructor.name);
  assertInt('m', m); assertInt('n', n);
  const { trans = false, alpha = 1, beta = 0, y } = opts;
  if (!Number.isFinite(alpha)) throw invalidParameter('alpha', 'a finite number', alpha, RangeError);
  if (!Number.isFinite(beta)) throw invalidParameter('beta', 'a finite number', beta, RangeError);
  assertLength('a', a, m * n);
  assertLength('x', x, trans ? m : n);
  checkFinite('a', a); checkFinite('x', x);
  const outLen = trans ? n : m;
  if (y !== undefined) {
    if (dtypeOf('y', y) !== dtype) throw invalidParameter('y', `a ${dtype} array like a`, y.constructor.name);
    assertLength('y', y, outLen);
    if (beta !== 0) checkFinite('y', y);
  } else if (beta !== 0) throw invalidParameter('y', 'an initial y when beta ≠ 0', y);
  const f64 = dtype === 'float64';
  const out = y ?? ((f64 ? new Float64Array(outLen) : new Float32Array(outLen)) as T);
  if (outLen === 0) return out;
  core.scoped(() => {
    const aPtr = core.put(a), xPtr = core.put(x);
    const yPtr = beta !== 0 ? core.put(out) : core.alloc(outLen * a.BYTES_PER_ELEMENT);
    gemvPtr(core, f64, trans, m, n, alpha, aPtr, n, xPtr, beta, yPtr);
    out.set(f64 ? core.f64(yPtr, outLen) : core.f32(yPtr, outLen));
  });
  return out;
}
