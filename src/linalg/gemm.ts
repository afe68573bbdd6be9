// Dense matrix product over plain typed arrays; the work runs in the WASM GEMM kernel
// (assembly/gemm.ts). Internal: gemmPtr (pointer-level call used by conv.ts and dense-operator.ts).
import { core, type Core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';
import { checkFinite, dtypeOf, type FloatArray } from './arrays.js';

export interface GemmOptions {
  /** use Aᵀ: a is then stored (k, m) row-major */
  transA?: boolean;
  /** use Bᵀ: b is then stored (n, k) row-major */
  transB?: boolean;
  /** default 1 */
  alpha?: number;
  /** default 0; with beta ≠ 0, c supplies the C that is scaled and added */
  beta?: number;
  /** C input, (m, n) row-major (only read when beta ≠ 0) */
  c?: FloatArray;
  /** output buffer (m·n); may alias a, b or c (inputs are copied into WASM memory first) */
  out?: FloatArray;
}

/**
 * C = alpha·op(A)·op(B) + beta·C.
 *
 * @param a (m, k) row-major, or (k, m) with transA
 * @param b (k, n) row-major, or (n, k) with transB
 * @returns (m, n) row-major, same dtype as a (Float64Array or Float32Array)
 * @throws TypeError/RangeError on mixed dtypes, bad sizes, wrong lengths or non-finite values
 *
 * Notes: packed, register-blocked SIMD GEMM (GotoBLAS blocking) in the WASM core.
 */
export function gemm<T extends FloatArray>(a: T, b: T, m: number, n: number, k: number, opts: GemmOptions = {}): T {
  const dtype = dtypeOf('a', a);
  if (dtypeOf('b', b) !== dtype) throw invalidParameter('b', `a ${dtype} array like a`, b?.constructor?.name);
  assertInt('m', m); assertInt('n', n); assertInt('k', k);
  const { transA = false, transB = false, alpha = 1, beta = 0, c, out } = opts;
  if (!Number.isFinite(alpha)) throw invalidParameter('alpha', 'a finite number', alpha, RangeError);
  if (!Number.isFinite(beta)) throw invalidParameter('beta', 'a finite number', beta, RangeError);
  assertLength('a', a, m * k);
  assertLength('b', b, k * n);
  checkFinite('a', a); checkFinite('b', b);
  if (beta !== 0) {
    if (c === undefined) throw invalidParameter('c', 'a C matrix when beta ≠ 0', c);
    if (dtypeOf('c', c) !== dtype) throw invalidParameter('c', `a ${dtype} array like a`, c.constructor.name);
    assertLength('c', c, m * n);
    checkFinite('c', c);
  }
  if (out !== undefined) {
    if (dtypeOf('out', out) !== dtype) throw invalidParameter('out', `a ${dtype} array like a`, out.constructor.name);
    assertLength('out', out, m * n);
  }
  const result = (out ?? (dtype === 'float64' ? new Float64Array(m * n) : new Float32Array(m * n))) as T;
  if (m === 0 || n === 0) return result;
  core.scoped(() => {
    const aPtr = core.put(a);
    const bPtr = core.put(b);
    const cPtr = core.alloc(m * n * a.BYTES_PER_ELEMENT);
    if (beta !== 0) bytesOf(core, cPtr, c!);
    gemmPtr(core, dtype === 'float64', transA, transB, m, n, k, alpha, aPtr, transA ? m : k, bPtr, transB ? k : n, beta, cPtr, n);
    const view = dtype === 'float64' ? core.f64(cPtr, m * n) : core.f32(cPtr, m * n);
    result.set(view);
  });
  return result;
}

function bytesOf(c: Core, ptr: number, a: FloatArray): void {
  new Uint8Array(c.memory.buffer, ptr, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/**
 * Pointer-level GEMM on `c` (a Core): allocates the packing workspace in the caller's arena scope.
 * C must not alias A or B. Internal.
 */
export function gemmPtr(
  c: Core, f64: boolean, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  aPtr: number, lda: number, bPtr: number, ldb: number, beta: number, cPtr: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  const es = f64 ? 8 : 4;
  const work = c.alloc(c.kernels.gemmWorkElems(m, n, k, es) * es);
  if (f64) c.kernels.gemmF64(+transA, +transB, m, n, k, alpha, aPtr, lda, bPtr, ldb, beta, cPtr, ldc, work);
  else c.kernels.gemmF32(+transA, +transB, m, n, k, alpha, aPtr, lda, bPtr, ldb, beta, cPtr, ldc, work);
}
