// A dense matrix as a LinearOperator (float64): Gemm/MatMul first layers acting on the flattened
// input. Products run through the WASM GEMM (gemm.ts); nothing is re-implemented here.
import { core } from '../core/wasm.js';
import { assertInt, assertLength, invalidParameter } from '../core/errors.js';
import type { LinearOperator } from './operator.js';
import { checkFinite } from './arrays.js';
import { gemmPtr } from './gemm.js';
import { arrayProduct, attachPtrProducts } from './ptr-products.js';

/**
 * y = W x for a dense W.
 *
 * @param w (m, n) row-major Float64Array (copied)
 * @param m rows (length of W x)
 * @param n cols (length of x)
 * @returns LinearOperator with rows = m, cols = n; apply = W x, applyT = Wᵀ y
 * @throws TypeError/RangeError on bad sizes, a wrong length or non-finite entries
 *
 * Notes: each product copies W into the WASM arena for the call (one pass over W, the same
 * order of work as the product itself) so that no memory stays pinned between calls.
 */
export function denseOperator(w: Float64Array, m: number, n: number): LinearOperator {
  if (!(w instanceof Float64Array)) throw invalidParameter('w', 'a Float64Array', w);
  assertInt('m', m); assertInt('n', n);
  assertLength('w', w, m * n);
  checkFinite('w', w);
  const mat = w.slice();
  // pointer-level products (ptr-products.ts): x and y already in core memory
  const ptrProduct = (trans: boolean, xPtr: number, yPtr: number): void => {
    const inLen = trans ? m : n, outLen = trans ? n : m;
    if (outLen === 0) return;
    if (inLen === 0) { core.f64(yPtr, outLen).fill(0); return; }
    core.scoped(() => {
      const wPtr = core.put(mat);
      // y (outLen × 1) = op(W) · x (inLen × 1)
      gemmPtr(core, true, trans, false, outLen, 1, inLen, 1, wPtr, n, xPtr, 1, 0, yPtr, 1);
    });
  };
  const ptr = {
    core,
    apply: (xPtr: number, yPtr: number) => ptrProduct(false, xPtr, yPtr),
    applyT: (yPtr: number, xPtr: number) => ptrProduct(true, yPtr, xPtr),
  };
  const op: LinearOperator = {
    rows: m,
    cols: n,
    apply: (x, out) => arrayProduct(core, 'x', x, n, m, out, ptr.apply),
    applyT: (y, out) => arrayProduct(core, 'y', y, m, n, out, ptr.applyT),
  };
  return attachPtrProducts(op, ptr);
}
