// The one list of WASM exports, each bound to a typed signature.
// Pointers are byte offsets into the exported memory; output pointers come last.
// Keep in step with assembly/index.ts.

export interface Kernels {
  /** First free byte above the module's static data (16-aligned). */
  heapBase(): number;

  // GEMM (assembly/gemm.ts): C (m×n, ldc) = alpha·op(A)·op(B) + beta·C, row-major; trans flags 0/1.
  /** (transA, transB, m, n, k, alpha, aPtr, lda, bPtr, ldb, beta, cPtr, ldc, workPtr) */
  gemmF64(transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    aPtr: number, lda: number, bPtr: number, ldb: number, beta: number, cPtr: number, ldc: number, workPtr: number): void;
  /** float32 twin of gemmF64 */
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    aPtr: number, lda: number, bPtr: number, ldb: number, beta: number, cPtr: number, ldc: number, workPtr: number): void;
  /** workspace elements for an (m, n, k) product with elemBytes 8 or 4 */
  gemmWorkElems(m: number, n: number, k: number, elemBytes: number): number;

  // im2col / col2im (assembly/im2col.ts): x (c,h,w) ↔ cols ((c·kh·kw), (oh·ow)); col2im accumulates.
  /** (c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, xPtr, colsPtr) */
  im2colF64(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, oh: number, ow: number, xPtr: number, colsPtr: number): void;
  im2colF32(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, oh: number, ow: number, xPtr: number, colsPtr: number): void;
  /** (c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, colsPtr, xPtr): x += im2colᵀ(cols) */
  col2imF64(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, oh: number, ow: number, colsPtr: number, xPtr: number): void;
  col2imF32(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, oh: number, ow: number, colsPtr: number, xPtr: number): void;
}

export function bindKernels(exports: WebAssembly.Exports): Kernels {
  return exports as unknown as Kernels;
}
