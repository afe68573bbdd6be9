// Kernels of the tile fit (src/linalg/tile-fit.ts): combinations of selected rows of a matrix
// (the tile projector's held rows, the basis rows of held entries) and triangular solves with
// the Cholesky factor of the held block, all on f64 vectors in WASM memory. f64x2 body plus a
// scalar tail; two rows per pass so that the output is streamed once per two rows.
import { dot, axpy } from "./vec";

/** f64 v (len) = v0 − Σ_{r<a} lam[r]·A[h[r], 0:len]; A row stride ld, h i32 (a), lam f64 (a). v may alias v0. */
export function rowsCombineF64(len: i32, a: i32, aPtr: usize, ld: i32, hPtr: usize, lamPtr: usize, v0Ptr: usize, vPtr: usize): void {
  if (vPtr != v0Ptr) memory.copy(vPtr, v0Ptr, <usize>len << 3);
  const ldb = <usize>ld << 3;
  let r = 0;
  for (; r + 2 <= a; r += 2) {
    const p0 = aPtr + <usize>load<i32>(hPtr + (<usize>r << 2)) * ldb;
    const p1 = aPtr + <usize>load<i32>(hPtr + (<usize>(r + 1) << 2)) * ldb;
    const l0 = load<f64>(lamPtr + (<usize>r << 3));
    const l1 = load<f64>(lamPtr + (<usize>(r + 1) << 3));
    const s0 = f64x2.splat(l0), s1 = f64x2.splat(l1);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      v128.store(vPtr + o, f64x2.sub(v128.load(vPtr + o), f64x2.add(f64x2.mul(s0, v128.load(p0 + o)), f64x2.mul(s1, v128.load(p1 + o)))));
    }
    for (; j < len; j++) {
      const o = <usize>j << 3;
      store<f64>(vPtr + o, load<f64>(vPtr + o) - (l0 * load<f64>(p0 + o) + l1 * load<f64>(p1 + o)));
    }
  }
  if (r < a) {
    const p0 = aPtr + <usize>load<i32>(hPtr + (<usize>r << 2)) * ldb;
    axpy<f64>(p0, vPtr, len, -load<f64>(lamPtr + (<usize>r << 3)));
  }
}

/** f64 forward substitution in place: x (a) ← L⁻¹·x, L (a×a) lower triangular, row stride ld. */
export function trsvLowerF64(a: i32, lPtr: usize, ld: i32, xPtr: usize): void {
  const ldb = <usize>ld << 3;
  for (let r = 0; r < a; r++) {
    const row = lPtr + <usize>r * ldb;
    const o = <usize>r << 3;
    store<f64>(xPtr + o, (load<f64>(xPtr + o) - dot<f64>(row, xPtr, r)) / load<f64>(row + o));
  }
}

/** f64 back substitution in place: x (a) ← L⁻ᵀ·x, L as trsvLowerF64 (row r of L scatters into x[0:r]). */
export function trsvLowerTF64(a: i32, lPtr: usize, ld: i32, xPtr: usize): void {
  const ldb = <usize>ld << 3;
  for (let r = a - 1; r >= 0; r--) {
    const row = lPtr + <usize>r * ldb;
    const o = <usize>r << 3;
    const xr = load<f64>(xPtr + o) / load<f64>(row + o);
    store<f64>(xPtr + o, xr);
    axpy<f64>(row, xPtr, r, -xr);
  }
}
