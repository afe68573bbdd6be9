// GEMM, C = alpha·op(A)·op(B) + beta·C, row-major, float64 and float32 from one generic body.
//
// GotoBLAS blocking: a KC×NC panel of op(B) and an MC×KC block of op(A) (alpha folded in) are
// packed into the caller's workspace in micro-panel order, then an MR × NR register-blocked
// micro-kernel (NR = 2 v128 vectors: 4 f64 or 8 f32 columns) accumulates each tile over KC.
// Packing zero-pads partial panels so the micro-kernel always runs full tiles; a partial tile is
// written through a small static buffer. The caller sizes the workspace with gemmWorkElems.
// When A has at most 4 row strips and B is not transposed, full B strips are read in place
// (measured +10–30% on conv-shaped products such as 8×4608×27); symmetrically, with at most 4
// column strips a non-transposed A is read in place (about 2× on 18432×8×27).
// beta = 0 overwrites C (NaN/Inf already in C do not propagate, as in BLAS).

const MR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 128; // multiple of MR
const NC: i32 = 2048; // multiple of NR for both element sizes

// one MR × NR tile (at most 4 × 8 × 8 bytes), 16-aligned
const TILE: usize = memory.data(256, 16);

@inline function nrOf<T>(): i32 { return 32 / sizeof<T>(); }
@inline function roundUp(x: i32, m: i32): i32 { return (x + m - 1) / m * m; }
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }

/** Workspace elements (of the GEMM's element type, 8 or 4 bytes) needed for an m×n×k product. */
export function gemmWorkElems(m: i32, n: i32, k: i32, elemBytes: i32): i32 {
  const nr = 32 / elemBytes;
  const kc = imin(KC, k);
  return imin(MC, roundUp(m, MR)) * kc + kc * imin(NC, roundUp(n, nr));
}

@inline function scaleC<T>(m: i32, n: i32, beta: T, cPtr: usize, ldc: i32): void {
  const es = <usize>sizeof<T>();
  if (beta == <T>1) return;
  for (let i = 0; i < m; i++) {
    const row = cPtr + <usize>i * <usize>ldc * es;
    if (beta == <T>0) { memory.fill(row, 0, <usize>n * es); continue; }
    for (let j = 0; j < n; j++) store<T>(row + <usize>j * es, load<T>(row + <usize>j * es) * beta);
  }
}

// op(A)[i0.., p0..] (mc × kc) → strips of MR rows: pack[s·MR·kc + p·MR + r], scaled by alpha.
@inline function packA<T>(transA: bool, aPtr: usize, lda: i32, m: i32, i0: i32, mc: i32, p0: i32, kc: i32, alpha: T, pack: usize): void {
  const es = <usize>sizeof<T>();
  let dst = pack;
  for (let s = 0; s < mc; s += MR) {
    const rows = imin(MR, m - i0 - s);
    if (!transA) {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          const v: T = r < rows ? load<T>(aPtr + (<usize>(i0 + s + r) * <usize>lda + <usize>(p0 + p)) * es) * alpha : <T>0;
          store<T>(dst + <usize>r * es, v);
        }
        dst += <usize>MR * es;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = aPtr + (<usize>(p0 + p) * <usize>lda + <usize>(i0 + s)) * es;
        for (let r = 0; r < MR; r++) {
          const v: T = r < rows ? load<T>(src + <usize>r * es) * alpha : <T>0;
          store<T>(dst + <usize>r * es, v);
        }
        dst += <usize>MR * es;
      }
    }
  }
}

// op(B)[p0.., j0..] (kc × nc) → strips of NR columns: pack[t·NR·kc + p·NR + j].
@inline function packB<T>(transB: bool, bPtr: usize, ldb: i32, n: i32, j0: i32, nc: i32, p0: i32, kc: i32, pack: usize): void {
  const es = <usize>sizeof<T>();
  const NR = nrOf<T>();
  let dst = pack;
  for (let t = 0; t < nc; t += NR) {
    const cols = imin(NR, n - j0 - t);
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = bPtr + (<usize>(p0 + p) * <usize>ldb + <usize>(j0 + t)) * es;
        if (cols == NR) {
          v128.store(dst, v128.load(src));
          v128.store(dst + 16, v128.load(src + 16));
        } else {
          for (let j = 0; j < NR; j++) store<T>(dst + <usize>j * es, j < cols ? load<T>(src + <usize>j * es) : <T>0);
        }
        dst += <usize>NR * es;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          const v: T = j < cols ? load<T>(bPtr + (<usize>(j0 + t + j) * <usize>ldb + <usize>(p0 + p)) * es) : <T>0;
          store<T>(dst + <usize>j * es, v);
        }
        dst += <usize>NR * es;
      }
    }
  }
}

// C[rows × cols tile at cPtr] += Apanel (kc × MR) · Bpanel (kc × NR).
// aRow: bytes between the MR rows of the A panel, aStep: bytes per k step (packed: es and MR·es;
// read in place from a row-major A: lda·es and es); scale multiplies the product (alpha when A is
// read in place, 1 when packing already applied it).
@inline function micro<T>(kc: i32, ap: usize, aRow: usize, aStep: usize, bp: usize, bStride: usize, scale: T, cPtr: usize, ldc: i32, rows: i32, cols: i32): void {
  const es = <usize>sizeof<T>();
  const NR = nrOf<T>();
  let c00 = v128.splat<T>(<T>0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load_splat<T>(ap);
    c00 = v128.add<T>(c00, v128.mul<T>(a, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + aRow);
    c10 = v128.add<T>(c10, v128.mul<T>(a, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + 2 * aRow);
    c20 = v128.add<T>(c20, v128.mul<T>(a, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(a, b1));
    a = v128.load_splat<T>(ap + 3 * aRow);
    c30 = v128.add<T>(c30, v128.mul<T>(a, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(a, b1));
    ap += aStep;
    bp += bStride;
  }
  if (scale != <T>1) {
    const sv = v128.splat<T>(scale);
    c00 = v128.mul<T>(c00, sv); c01 = v128.mul<T>(c01, sv); c10 = v128.mul<T>(c10, sv); c11 = v128.mul<T>(c11, sv);
    c20 = v128.mul<T>(c20, sv); c21 = v128.mul<T>(c21, sv); c30 = v128.mul<T>(c30, sv); c31 = v128.mul<T>(c31, sv);
  }
  const ld = <usize>ldc * es;
  if (rows == MR && cols == NR) {
    let r = cPtr;
    v128.store(r, v128.add<T>(v128.load(r), c00)); v128.store(r, v128.add<T>(v128.load(r, 16), c01), 16);
    r += ld;
    v128.store(r, v128.add<T>(v128.load(r), c10)); v128.store(r, v128.add<T>(v128.load(r, 16), c11), 16);
    r += ld;
    v128.store(r, v128.add<T>(v128.load(r), c20)); v128.store(r, v128.add<T>(v128.load(r, 16), c21), 16);
    r += ld;
    v128.store(r, v128.add<T>(v128.load(r), c30)); v128.store(r, v128.add<T>(v128.load(r, 16), c31), 16);
    return;
  }
  v128.store(TILE, c00); v128.store(TILE, c01, 16);
  v128.store(TILE, c10, 32); v128.store(TILE, c11, 48);
  v128.store(TILE, c20, 64); v128.store(TILE, c21, 80);
  v128.store(TILE, c30, 96); v128.store(TILE, c31, 112);
  for (let i = 0; i < rows; i++) {
    const row = cPtr + <usize>i * ld;
    const t = TILE + <usize>(i * NR) * es;
    for (let j = 0; j < cols; j++) {
      const d = row + <usize>j * es;
      store<T>(d, load<T>(d) + load<T>(t + <usize>j * es));
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C in T (f64 or f32): the kernel behind gemmF64/gemmF32, for other kernels' blocked updates (qr.ts). */
export function gemmT<T>(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: T,
  aPtr: usize, lda: i32, bPtr: usize, ldb: i32, beta: T, cPtr: usize, ldc: i32, workPtr: usize,
): void {
  const es = <usize>sizeof<T>();
  const NR = nrOf<T>();
  scaleC<T>(m, n, beta, cPtr, ldc);
  if (alpha == <T>0 || k == 0) return;
  const kcMax = imin(KC, k);
  const packAPtr = workPtr;
  const packBPtr = workPtr + <usize>(imin(MC, roundUp(m, MR)) * kcMax) * es;
  // With few row strips B is read only a few times: streaming it straight from memory beats
  // copying it into a packed panel first (conv products: m = outC/g ≤ 16, k = c·kh·kw small).
  const direct = !transB && m <= 4 * MR;
  // Likewise with few column strips A is read only a few times: full row strips of a
  // non-transposed A are read in place (tall-skinny products such as 18432×8×27).
  const directA = !transA && n <= 4 * NR;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = imin(NC, n - jc);
    const ncPad = roundUp(nc, NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = imin(KC, k - pc);
      if (!direct) packB<T>(transB, bPtr, ldb, n, jc, ncPad, pc, kc, packBPtr);
      else if (nc % NR != 0) packB<T>(false, bPtr, ldb, n, jc + nc - nc % NR, NR, pc, kc, packBPtr);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = imin(MC, m - ic);
        const mcPad = roundUp(mc, MR);
        if (!directA) packA<T>(transA, aPtr, lda, m, ic, mcPad, pc, kc, alpha, packAPtr);
        else if (mc % MR != 0) packA<T>(false, aPtr, lda, m, ic + mc - mc % MR, MR, pc, kc, alpha, packAPtr);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = imin(NR, nc - jr);
          let bp: usize, bStride: usize;
          if (!direct) { bp = packBPtr + <usize>(jr * kc) * es; bStride = 32; }
          else if (cols == NR) { bp = bPtr + (<usize>pc * <usize>ldb + <usize>(jc + jr)) * es; bStride = <usize>ldb * es; }
          else { bp = packBPtr; bStride = 32; }
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = imin(MR, mc - ir);
            const cTile = cPtr + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * es;
            if (!directA) {
              micro<T>(kc, packAPtr + <usize>(ir * kc) * es, es, <usize>MR * es, bp, bStride, <T>1, cTile, ldc, rows, cols);
            } else if (rows == MR) {
              const ap = aPtr + (<usize>(ic + ir) * <usize>lda + <usize>pc) * es;
              micro<T>(kc, ap, <usize>lda * es, es, bp, bStride, alpha, cTile, ldc, rows, cols);
            } else {
              micro<T>(kc, packAPtr, es, <usize>MR * es, bp, bStride, <T>1, cTile, ldc, rows, cols);
            }
          }
        }
      }
    }
  }
}

/** f64 C (m×n, ldc) = alpha·op(A)·op(B) + beta·C; A is (m×k) or, transposed, (k×m) with row stride lda; same for B (k×n / n×k, ldb); work holds gemmWorkElems(m,n,k,8) f64. C must not alias A or B. */
export function gemmF64(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64,
  aPtr: usize, lda: i32, bPtr: usize, ldb: i32, beta: f64, cPtr: usize, ldc: i32, workPtr: usize,
): void {
  gemmT<f64>(transA != 0, transB != 0, m, n, k, alpha, aPtr, lda, bPtr, ldb, beta, cPtr, ldc, workPtr);
}

/** f32 version of gemmF64; work holds gemmWorkElems(m,n,k,4) f32. C must not alias A or B. */
export function gemmF32(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  aPtr: usize, lda: i32, bPtr: usize, ldb: i32, beta: f32, cPtr: usize, ldc: i32, workPtr: usize,
): void {
  gemmT<f32>(transA != 0, transB != 0, m, n, k, alpha, aPtr, lda, bPtr, ldb, beta, cPtr, ldc, workPtr);
}
