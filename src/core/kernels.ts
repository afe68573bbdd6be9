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
  // SVD family (assembly/svd_jacobi.ts, qr.ts, sym_eigen.ts). A "column set" is k vectors of
  // length len stored as k rows of stride ld elements; norms/tau/rdiag are f64 in both precisions.
  /** (wPtr, k, len, ld, vPtr|0, ldv, tol, maxSweeps, normsPtr: 2k f64, σ then scratch) → sweeps, or −1 if not converged */
  jacobiF64(wPtr: number, k: number, len: number, ld: number, vPtr: number, ldv: number, tol: number, maxSweeps: number, normsPtr: number): number;
  jacobiF32(wPtr: number, k: number, len: number, ld: number, vPtr: number, ldv: number, tol: number, maxSweeps: number, normsPtr: number): number;
  /** rotations applied in sweep s (0-based) of the last jacobi call (diagnostics) */
  jacobiRotations(s: number): number;
  /** largest relative cosine among the pairs rotated in sweep s, and largest |sin θ| (diagnostics) */
  jacobiMaxCosine(s: number): number;
  jacobiMaxSine(s: number): number;
  /** (wPtr, k, len, ld, normsPtr) → rows zeroed */
  rowsNormalizeF64(wPtr: number, k: number, len: number, ld: number, normsPtr: number): number;
  rowsNormalizeF32(wPtr: number, k: number, len: number, ld: number, normsPtr: number): number;
  /** (wPtr, k, len, ld) → rows filled, −1 on failure */
  rowsCompleteF64(wPtr: number, k: number, len: number, ld: number): number;
  rowsCompleteF32(wPtr: number, k: number, len: number, ld: number): number;
  /** (srcPtr, m, n, lds, dstPtr, ldd): dst = srcᵀ */
  transposeF64(srcPtr: number, m: number, n: number, lds: number, dstPtr: number, ldd: number): void;
  transposeF32(srcPtr: number, m: number, n: number, lds: number, dstPtr: number, ldd: number): void;
  /** (wPtr, k, len, ld, tauPtr, rdiagPtr, nb, workPtr): Householder QR of the column set, in place;
   *  blocked (panels of nb, trailing update by GEMM) when nb > 0, workPtr then holds qrWorkElems(k, len, nb, bytes) */
  qrHouseF64(wPtr: number, k: number, len: number, ld: number, tauPtr: number, rdiagPtr: number, nb: number, workPtr: number): void;
  qrHouseF32(wPtr: number, k: number, len: number, ld: number, tauPtr: number, rdiagPtr: number, nb: number, workPtr: number): void;
  /** (k, len) → panel width for qrHouse, 0 = unblocked (small problems) */
  qrBlockSize(k: number, len: number): number;
  /** (k, len, nb, elemBytes 8 or 4) → workspace elements of qrHouse (0 when nb = 0) */
  qrWorkElems(k: number, len: number, nb: number, elemBytes: number): number;
  /** (wPtr, k, kr = min(k, len), ld, rdiagPtr, outPtr, ldo): out row j = column j of R (kr entries) */
  qrRF64(wPtr: number, k: number, kr: number, ld: number, rdiagPtr: number, outPtr: number, ldo: number): void;
  qrRF32(wPtr: number, k: number, kr: number, ld: number, rdiagPtr: number, outPtr: number, ldo: number): void;
  /** (wPtr, k, len, ld, tauPtr, yPtr, rows, ldy): y_r ← Q·y_r */
  qrApplyF64(wPtr: number, k: number, len: number, ld: number, tauPtr: number, yPtr: number, rows: number, ldy: number): void;
  qrApplyF32(wPtr: number, k: number, len: number, ld: number, tauPtr: number, yPtr: number, rows: number, ldy: number): void;
  /** (wPtr, k, len, ld, tauPtr, yPtr, ldy, tPtr): compact WY Q = I − Yᵀ·T·Y, Y rows = reflectors, T (k×k) f64 */
  qrWyF64(wPtr: number, k: number, len: number, ld: number, tauPtr: number, yPtr: number, ldy: number, tPtr: number): void;
  qrWyF32(wPtr: number, k: number, len: number, ld: number, tauPtr: number, yPtr: number, ldy: number, tPtr: number): void;
  // Pivoted QR (assembly/qrcp.ts), f64, the column-set layout of qrHouse.
  /** (wPtr, k, len, ld, permPtr k i32 out, vnPtr 2k f64 out): column norms (twice) and perm = identity */
  qrcpInitF64(wPtr: number, k: number, len: number, ld: number, permPtr: number, vnPtr: number): void;
  /** (wPtr, k, len, ld, tauPtr, rdiagPtr, permPtr, vnPtr, j, stop) → 1 (column j reduced), 0 (remaining norm of the pivot ≤ stop: stopped) */
  qrcpStepF64(wPtr: number, k: number, len: number, ld: number, tauPtr: number, rdiagPtr: number, permPtr: number, vnPtr: number, j: number, stop: number): number;
  /** (wPtr, r, ld, rdiagPtr, workPtr 8r f64, c0, c1) → Σ over columns c0..c1−1 of R⁻¹ of their squared norms */
  triInvFrobF64(wPtr: number, r: number, ld: number, rdiagPtr: number, workPtr: number, c0: number, c1: number): number;
  /** (aPtr m×n, m, n, ld, workPtr n f64) → √(‖A‖₁·‖A‖_∞) ≥ ‖A‖₂ */
  normOneInfF64(aPtr: number, m: number, n: number, ld: number, workPtr: number): number;
  /** (xPtr, k, len, ld even, workPtr gramWorkElems(k) f64, gPtr): G (k×k) = X·Xᵀ, f64 */
  gramF64(xPtr: number, k: number, len: number, ld: number, workPtr: number, gPtr: number): void;
  gramWorkElems(k: number): number;
  /** (aPtr, n, dPtr, ePtr, workPtr 4n + 9) → 0, or −1 if QL did not converge; d descending */
  symEigvalsF64(aPtr: number, n: number, dPtr: number, ePtr: number, workPtr: number): number;

  // Values-only SVD (assembly/bidiag.ts): bidiagonalise a column set, then implicit QR on the bidiagonal.
  /** (xPtr len×k by columns, k, len ≥ k, ld, dPtr k, ePtr k, workPtr bidiagWorkElems): X destroyed */
  bidiagonalizeF64(xPtr: number, k: number, len: number, ld: number, dPtr: number, ePtr: number, workPtr: number): void;
  /** f64 scratch of bidiagonalizeF64 for (k, len) */
  bidiagWorkElems(k: number, len: number): number;
  /** (dPtr n, ePtr n−1, n, workPtr 5n) → 0, or −1 if not converged; d ← singular values, descending */
  bidiagValuesF64(dPtr: number, ePtr: number, n: number, workPtr: number): number;
  /** (xPtr, n) → max |x_i| (NaN or Infinity if x holds a non-finite value) */
  maxAbsF64(xPtr: number, n: number): number;
  /** (srcPtr m×n row-major, m, n, trans 0/1, alpha, dstPtr, ld): dst = alpha·A (m rows) or alpha·Aᵀ (n rows), padding zeroed */
  stageF64(srcPtr: number, m: number, n: number, trans: number, alpha: number, dstPtr: number, ld: number): void;
  /** (wPtr, k, len, ld, tauPtr, rdiagPtr): qrHouseF64's QR (same output layout), trailing columns in fused pairs */
  qrColumnsF64(wPtr: number, k: number, len: number, ld: number, tauPtr: number, rdiagPtr: number): void;

  // Rayleigh–Ritz (assembly/ritz.ts): cyclic Jacobi on a small symmetric matrix.
  /** (aPtr n×n in/out: eigenvalues on the diagonal, n, vPtr n×n out: eigenvectors in columns, maxSweeps) → sweeps or −1 */
  symEigJacobiF64(aPtr: number, n: number, vPtr: number, maxSweeps: number): number;

  // GEMV (assembly/blas1.ts): A (m×n, row stride lda); N: y (m) = alpha·A·x + beta·y; T: y (n) = alpha·Aᵀ·x + beta·y.
  /** (m, n, alpha, aPtr, lda, xPtr, beta, yPtr) */
  gemvNF64(m: number, n: number, alpha: number, aPtr: number, lda: number, xPtr: number, beta: number, yPtr: number): void;
  gemvNF32(m: number, n: number, alpha: number, aPtr: number, lda: number, xPtr: number, beta: number, yPtr: number): void;
  gemvTF64(m: number, n: number, alpha: number, aPtr: number, lda: number, xPtr: number, beta: number, yPtr: number): void;
  gemvTF32(m: number, n: number, alpha: number, aPtr: number, lda: number, xPtr: number, beta: number, yPtr: number): void;
  /** (n, xPtr, yPtr) → ⟨x, y⟩ (f64 result for both) */
  dotF64(n: number, xPtr: number, yPtr: number): number;
  dotF32(n: number, xPtr: number, yPtr: number): number;
  /** (n, alpha, xPtr, beta, yPtr): y = alpha·x + beta·y */
  axpbyF64(n: number, alpha: number, xPtr: number, beta: number, yPtr: number): void;
  axpbyF32(n: number, alpha: number, xPtr: number, beta: number, yPtr: number): void;

  // Tile fit (assembly/tile.ts), f64 vectors in WASM memory.
  /** (len, a, aPtr, ld, hPtr i32, lamPtr, v0Ptr, vPtr): v = v0 − Σ_{r<a} lam[r]·A[h[r], 0:len]; v may alias v0 */
  rowsCombineF64(len: number, a: number, aPtr: number, ld: number, hPtr: number, lamPtr: number, v0Ptr: number, vPtr: number): void;
  /** (a, lPtr, ld, xPtr): x ← L⁻¹·x, L lower triangular (a×a, row stride ld) */
  trsvLowerF64(a: number, lPtr: number, ld: number, xPtr: number): void;
  /** (a, lPtr, ld, xPtr): x ← L⁻ᵀ·x */
  trsvLowerTF64(a: number, lPtr: number, ld: number, xPtr: number): void;
  /** (from, a, lPtr, ld, xPtr): rows from … a − 1 of trsvLowerF64 (x[0:from] already solved), bit for bit */
  trsvLowerFromF64(from: number, a: number, lPtr: number, ld: number, xPtr: number): void;
  /** (a, lPtr, ld, xPtr): trsvLowerTF64 bit for bit, four rows a block */
  trsvLowerTBlockF64(a: number, lPtr: number, ld: number, xPtr: number): void;
  /** one tile problem min ‖c − c₀‖ s.t. lo ≤ B c ≤ up by the primal active-set method from c = 0 (see assembly/tile.ts for the
   *  arguments: P, Bt, v0, up, lo, tau, maxIter, swapLimit (degenerate blockers swapped in), then the work l, h, beta, side, lam, v, blockAt, flags, out cc, vc, and the work y (k)) → iterations */
  activeSetTileF64(n: number, k: number, pPtr: number, btPtr: number, v0Ptr: number, upPtr: number, loPtr: number, tau: number, maxIter: number, swapLimit: number,
    lPtr: number, hPtr: number, betaPtr: number, sidePtr: number, lamPtr: number, vPtr: number, blockAtPtr: number, flagsPtr: number, ccPtr: number, vcPtr: number,
    yPtr: number): number;
  /** one held-entry tile step of the tile fit, all rounds in one call (assembly/tile.ts): P, Bt, c0, v0, the tile's δ, hi, lo,
   *  held (n i32 in/out), rounds, maxRounds, then the work l, h, added, lam, candQ, candJ, and out v, c → tau */
  heldTileStepF64(n: number, k: number, pPtr: number, btPtr: number, c0Ptr: number, v0Ptr: number, deltaPtr: number, hiPtr: number, loPtr: number,
    heldPtr: number, rounds: number, maxRounds: number, lPtr: number, hPtr: number, addedPtr: number, lamPtr: number, candQPtr: number,
    candJPtr: number, vPtr: number, cPtr: number): number;
  // The tile fit's gathers and steps on the whole image (assembly/tile_sweep.ts); tiles at image offsets, entries o + off[j].
  /** (T, n, tilesPtr i32, offPtr i32, gPtr, dPtr, rPtr): R (T × n) = g − δ on each tile */
  tileResidualsF64(T: number, n: number, tilesPtr: number, offPtr: number, gPtr: number, dPtr: number, rPtr: number): void;
  /** (o, n, offPtr, dPtr, hiPtr, loPtr, v0Ptr, upPtr, downPtr): the tile's room (up = hi − δ, down = lo − δ); returns max |v0| */
  tileRoomsF64(o: number, n: number, offPtr: number, dPtr: number, hiPtr: number, loPtr: number, v0Ptr: number, upPtr: number, downPtr: number): number;
  /** entries of the last tileRoomsF64 tile without room upwards */
  tileNoUp(): number;
  /** … and downwards */
  tileNoDown(): number;
  /** (o, n, offPtr, dPtr, hiPtr, loPtr, vPtr, tau): δ += γ v on the tile, γ ≤ 1 the largest feasible; returns γ */
  tileStepAlongF64(o: number, n: number, offPtr: number, dPtr: number, hiPtr: number, loPtr: number, vPtr: number, tau: number): number;
  /** one held-entry tile step at o (copies out, heldTileStepF64, held flags back, the feasible step); returns γ */
  heldTileAtF64(o: number, n: number, k: number, offPtr: number, dPtr: number, hiPtr: number, loPtr: number, heldPtr: number,
    pPtr: number, btPtr: number, c0Ptr: number, v0Ptr: number, tDPtr: number, tHiPtr: number, tLoPtr: number, tHeldPtr: number,
    rounds: number, maxRounds: number, lPtr: number, hPtr: number, addedPtr: number, lamPtr: number, candQPtr: number, candJPtr: number,
    vPtr: number, cPtr: number): number;
  /** one tile problem min ‖c − c₀‖ s.t. lo ≤ B c ≤ up to optimality by the dual active-set method (Goldfarb–Idnani; assembly/tile_dual.ts):
   *  Bt, Bt32 (its float32 copy, or 0), c0, up, lo, tol, maxIter, then the work jt, r, act, u, flags, d, z, rr, w, v, and out c → iterations, −1 capped, −2 infeasible */
  dualTileF64(n: number, k: number, btPtr: number, bt32Ptr: number, c0Ptr: number, upPtr: number, loPtr: number, tol: number, maxIter: number,
    jtPtr: number, rPtr: number, actPtr: number, uPtr: number, flagsPtr: number, dPtr: number, zPtr: number, rrPtr: number,
    wPtr: number, vPtr: number, cPtr: number): number;

  // Band Cholesky (assembly/banded.ts): lower band, row-major, row i holds columns i−b … i (diagonal last) in ld ≥ b + 1 slots.
  /** (n, b, ld, aPtr in/out, dropTol) → 0, or k + 1 at the first failed pivot: A = L·Lᵀ in place; dropTol < 0: pivots must be > 0,
   *  ≥ 0: pivots within ±dropTol·A[k,k] are dropped (L[k,k] = 0, column k zero) */
  bandCholeskyF64(n: number, b: number, ld: number, aPtr: number, dropTol: number): number;
  /** (n, b, ld, lPtr, permPtr n i32 | 0, rPtr, workPtr n f64, outPtr): out = Pᵀ(L·Lᵀ)⁻¹P·r, (P r)[i] = r[perm[i]], 0 at dropped pivots; out may alias r */
  bandSolveF64(n: number, b: number, ld: number, lPtr: number, permPtr: number, rPtr: number, workPtr: number, outPtr: number): void;
  /** bandSolveF64 with rows i ≥ r0 stored once per residue mod period (r0 + period rows held) */
  bandSolvePeriodicF64(n: number, b: number, ld: number, lPtr: number, permPtr: number, rPtr: number, workPtr: number, outPtr: number, r0: number, period: number): void;
  /** (nb, nPtr i32, lPtrs i32, permPtr i32 concatenated, rPtr, workPtr, outPtr, len): out = 0, then out[perm_t] = (L_t L_tᵀ)⁻¹ r[perm_t] per dense block */
  bandSolveBlocksF64(nb: number, nPtr: number, lPtrs: number, permPtr: number, rPtr: number, workPtr: number, outPtr: number, len: number): void;
  /** the same with float32 factors (dense row-major n × n each) and the solve in f32 (work f32) */
  bandSolveBlocksF32(nb: number, nPtr: number, lPtrs: number, permPtr: number, rPtr: number, workPtr: number, outPtr: number, len: number): void;

  // Grams of conv rows (assembly/conv_gram.ts), one group, f64; rows and pixels as i32 triplets.
  /** (wPtr, outC, c, kh, kw, sh, sw, dh, dw, ry, rx, tPtr): the overlap table (outC, outC, 2ry+1, 2rx+1) */
  convGramTableF64(wPtr: number, outC: number, c: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, ry: number, rx: number, tPtr: number): void;
  /** (n, rowsPtr (c, y, x), tPtr, outC, ry, rx, outPtr, ld, b): the rows' Gram over unbounded input, lower band layout */
  convGramRowsF64(n: number, rowsPtr: number, tPtr: number, outC: number, ry: number, rx: number, outPtr: number, ld: number, b: number): void;
  /** (n, rowsPtr, wPtr, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, pixPtr (ci, y, x), npix, idxPtr i32 n, valPtr f64 n, outPtr, ld, b): subtract each pixel's a·aᵀ */
  convGramDowndateF64(n: number, rowsPtr: number, wPtr: number, c: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, pixPtr: number, npix: number, idxPtr: number, valPtr: number, outPtr: number, ld: number, b: number): void;

  // The stem's primal–dual dual step (assembly/primal_dual.ts), f32 in place.
  /** (m, sigma, axPtr, yPtr, lbPtr, ubPtr): y ← v − σ·clamp(v/σ, lb, ub), v = y + σ·ax */
  pdDualF32(m: number, sigma: number, axPtr: number, yPtr: number, lbPtr: number, ubPtr: number): void;

  // Selected rows of a conv (assembly/conv_rows.ts), one group, f64; rows grouped by output position (CSR).
  /** (c, h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, ow, wPtr, np, posPtr, startPtr, chanPtr, xPtr, patchPtr, yPtr): y = A_rows x */
  convRowsF64(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, ow: number,
    wPtr: number, np: number, posPtr: number, startPtr: number, chanPtr: number, xPtr: number, patchPtr: number, yPtr: number): void;
  /** (…, yPtr, patchPtr, xPtr): x = A_rowsᵀ y (x overwritten) */
  convRowsTF64(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, ow: number,
    wPtr: number, np: number, posPtr: number, startPtr: number, chanPtr: number, yPtr: number, patchPtr: number, xPtr: number): void;

  // Rounding to the PNG grid by coordinate descent on ‖A e‖² (assembly/grid_round.ts), f64, model order CHW.
  /** (c, h, w, outC, groups, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, wPtr (c, kh, kw, outC/groups), rPtr (oh, ow, outC), kPtr, loPtr, hiPtr, stepPtr, sweeps, tapsPtr (2·kh·kw addresses)): moves taken; k and r = A e updated */
  gridDescentConvF64(c: number, h: number, w: number, outC: number, groups: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, oh: number, ow: number, wPtr: number, rPtr: number, kPtr: number, loPtr: number, hiPtr: number, stepPtr: number, sweeps: number, tapsPtr: number): number;
  /** (m, n, plane, wPtr (m × n), rPtr, kPtr, loPtr, hiPtr, stepPtr, sweeps): moves taken */
  gridDescentDenseF64(m: number, n: number, plane: number, wPtr: number, rPtr: number, kPtr: number, loPtr: number, hiPtr: number, stepPtr: number, sweeps: number): number;
}

export function bindKernels(exports: WebAssembly.Exports): Kernels {
  return exports as unknown as Kernels;
}
