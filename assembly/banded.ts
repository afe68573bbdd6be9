// Cholesky factorization of a symmetric positive (semi)definite band matrix and the matching solve
// (float64, f64x2 SIMD), for the exact normal-equations preconditioner of
// src/linalg/normal-factor.ts.
//
// Layout ("lower band, row-major"): row i of the matrix (and, after factoring, of L) starts at
// ptr + i·ld·8 and holds columns i−b … i at offsets 0 … b, so the diagonal is entry b of the
// row and column k of row i sits at offset k − i + b. Offsets left of column 0 (rows i < b) are
// never read. ld ≥ b + 1.
//
// The factorization is the row-oriented (Cholesky–Crout, "ijk") form: every entry of row i is a
// dot product of two contiguous runs, row i and row j over the columns both hold, so the inner
// loops stream memory forwards. Two rows i are built together against four rows j per pass (a
// 2 × 4 block of dot products), so each run is loaded once for several products.

import { dot, axpy } from "./vec";

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// x / l for a kept pivot l > 0; 0 in the column of a dropped pivot (l = 0)
@inline function over(x: f64, l: f64): f64 {
  return l == 0 ? 0 : x / l;
}

// address of entry (i, k), |i − k| ≤ b, k ≤ i
@inline function at(ptr: usize, ld: i32, b: i32, i: i32, k: i32): usize {
  return ptr + ((<usize>i * <usize>ld + <usize>(k - i + b)) << 3);
}

/**
 * (n, b, ld, aPtr n·ld f64 in/out, dropTol) → 0, or k + 1 at the first pivot k that fails: A = L·Lᵀ in
 * place, lower band layout of the file header. dropTol < 0: every pivot must be > 0. dropTol ≥ 0:
 * a pivot within ±dropTol·A[k,k] (row k depends on the rows before it, up to rounding) is dropped:
 * L[k,k] = 0 and column k of L is 0, which factors A restricted to the kept rows; a pivot below
 * −dropTol·A[k,k] fails (A is not positive semidefinite).
 */
export function bandCholeskyF64(n: i32, b: i32, ld: i32, aPtr: usize, dropTol: f64): i32 {
  let i = 0;
  // two rows at a time once the band is wide enough for the four-row blocks to matter
  if (b >= 8) {
    for (; i + 1 < n; i += 2) {
      const status = rowPair(i, b, ld, aPtr, dropTol);
      if (status != 0) return status;
    }
  }
  for (; i < n; i++) {
    const lo = i - b > 0 ? i - b : 0;
    const ri = at(aPtr, ld, b, i, lo);
    for (let j = lo; j < i; j++) {
      const p = at(aPtr, ld, b, i, j);
      store<f64>(p, over(load<f64>(p) - dot<f64>(ri, at(aPtr, ld, b, j, lo), j - lo), load<f64>(at(aPtr, ld, b, j, j))));
    }
    const status = pivot(i, b, ld, aPtr, dot<f64>(ri, ri, i - lo), dropTol);
    if (status != 0) return status;
  }
  return 0;
}

// Takes pivot i: the diagonal minus ss (the squared norm of row i left of it) → L[i,i], dropped, or failed (i + 1).
@inline function pivot(i: i32, b: i32, ld: i32, aPtr: usize, ss: f64, dropTol: f64): i32 {
  const pd = at(aPtr, ld, b, i, i);
  const a = load<f64>(pd);
  const d = a - ss;
  if (d > dropTol * a && d > 0) store<f64>(pd, Math.sqrt(d));
  else if (dropTol >= 0 && d >= -dropTol * a) store<f64>(pd, 0); // dependent row: dropped
  else return i + 1;
  return 0;
}

// Entries j … j+3 of one row at p0 (address of its column j), given its dot products d0 … d3 with
// rows j … j+3 over the columns before j: adds the triangle the common run left out (columns
// j … j+2 of rows j+1 … j+3) and divides by the pivots.
@inline function finish4(p0: usize, j: i32, b: i32, ld: i32, aPtr: usize, d0: f64, d1: f64, d2: f64, d3: f64): void {
  const x0 = over(load<f64>(p0) - d0, load<f64>(at(aPtr, ld, b, j, j)));
  store<f64>(p0, x0);
  d1 += x0 * load<f64>(at(aPtr, ld, b, j + 1, j));
  const x1 = over(load<f64>(p0 + 8) - d1, load<f64>(at(aPtr, ld, b, j + 1, j + 1)));
  store<f64>(p0 + 8, x1);
  d2 += x0 * load<f64>(at(aPtr, ld, b, j + 2, j)) + x1 * load<f64>(at(aPtr, ld, b, j + 2, j + 1));
  const x2 = over(load<f64>(p0 + 16) - d2, load<f64>(at(aPtr, ld, b, j + 2, j + 2)));
  store<f64>(p0 + 16, x2);
  d3 += x0 * load<f64>(at(aPtr, ld, b, j + 3, j)) + x1 * load<f64>(at(aPtr, ld, b, j + 3, j + 1)) +
    x2 * load<f64>(at(aPtr, ld, b, j + 3, j + 2));
  store<f64>(p0 + 24, over(load<f64>(p0 + 24) - d3, load<f64>(at(aPtr, ld, b, j + 3, j + 3))));
}

// Rows i and i+1 of L together (b ≥ 1): each run of rows j … j+3 is loaded once for both, two by
// four dot products per pass. Row i+1 starts one column later than row i once i ≥ b; row i's
// extra column lo0 is added to its sums separately.
function rowPair(i: i32, b: i32, ld: i32, aPtr: usize, dropTol: f64): i32 {
  const lo0 = i - b > 0 ? i - b : 0;
  const lo1 = i + 1 - b > 0 ? i + 1 - b : 0;
  const extra = lo1 > lo0;
  let xe: f64 = 0;
  if (extra) {
    const p = at(aPtr, ld, b, i, lo0);
    xe = over(load<f64>(p), load<f64>(at(aPtr, ld, b, lo0, lo0)));
    store<f64>(p, xe);
  }
  const ri = at(aPtr, ld, b, i, lo1), rk = at(aPtr, ld, b, i + 1, lo1);
  let j = lo1;
  for (; j + 4 <= i; j += 4) {
    const len = j - lo1;
    const r0 = at(aPtr, ld, b, j, lo1), r1 = at(aPtr, ld, b, j + 1, lo1);
    const r2 = at(aPtr, ld, b, j + 2, lo1), r3 = at(aPtr, ld, b, j + 3, lo1);
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
    let t = 0;
    for (; t + 2 <= len; t += 2) {
      const o = <usize>t << 3;
      const x = v128.load(ri + o), y = v128.load(rk + o);
      const a0 = v128.load(r0 + o), a1 = v128.load(r1 + o), a2 = v128.load(r2 + o), a3 = v128.load(r3 + o);
      s0 = f64x2.add(s0, f64x2.mul(x, a0)); u0 = f64x2.add(u0, f64x2.mul(y, a0));
      s1 = f64x2.add(s1, f64x2.mul(x, a1)); u1 = f64x2.add(u1, f64x2.mul(y, a1));
      s2 = f64x2.add(s2, f64x2.mul(x, a2)); u2 = f64x2.add(u2, f64x2.mul(y, a2));
      s3 = f64x2.add(s3, f64x2.mul(x, a3)); u3 = f64x2.add(u3, f64x2.mul(y, a3));
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
    let e0 = hsum(u0), e1 = hsum(u1), e2 = hsum(u2), e3 = hsum(u3);
    if (t < len) {
      const o = <usize>t << 3;
      const x = load<f64>(ri + o), y = load<f64>(rk + o);
      const a0 = load<f64>(r0 + o), a1 = load<f64>(r1 + o), a2 = load<f64>(r2 + o), a3 = load<f64>(r3 + o);
      d0 += x * a0; d1 += x * a1; d2 += x * a2; d3 += x * a3;
      e0 += y * a0; e1 += y * a1; e2 += y * a2; e3 += y * a3;
    }
    if (extra) {
      // rows j … j+3 hold column lo0 since j + 3 < i
      d0 += xe * load<f64>(at(aPtr, ld, b, j, lo0)); d1 += xe * load<f64>(at(aPtr, ld, b, j + 1, lo0));
      d2 += xe * load<f64>(at(aPtr, ld, b, j + 2, lo0)); d3 += xe * load<f64>(at(aPtr, ld, b, j + 3, lo0));
    }
    finish4(at(aPtr, ld, b, i, j), j, b, ld, aPtr, d0, d1, d2, d3);
    finish4(at(aPtr, ld, b, i + 1, j), j, b, ld, aPtr, e0, e1, e2, e3);
  }
  for (; j < i; j++) {
    const rj = at(aPtr, ld, b, j, lo1);
    const ljj = load<f64>(at(aPtr, ld, b, j, j));
    let d = dot<f64>(ri, rj, j - lo1);
    if (extra) d += xe * load<f64>(at(aPtr, ld, b, j, lo0));
    const p = at(aPtr, ld, b, i, j);
    store<f64>(p, over(load<f64>(p) - d, ljj));
    const q = at(aPtr, ld, b, i + 1, j);
    store<f64>(q, over(load<f64>(q) - dot<f64>(rk, rj, j - lo1), ljj));
  }
  const ssi = dot<f64>(ri, ri, i - lo1) + xe * xe;
  let status = pivot(i, b, ld, aPtr, ssi, dropTol);
  if (status != 0) return status;
  // column i of row i+1 needs the finished row i
  const q = at(aPtr, ld, b, i + 1, i);
  store<f64>(q, over(load<f64>(q) - dot<f64>(rk, ri, i - lo1), load<f64>(at(aPtr, ld, b, i, i))));
  return pivot(i + 1, b, ld, aPtr, dot<f64>(rk, rk, i + 1 - lo1), dropTol);
}

/**
 * (n, b, ld, lPtr: the factor of bandCholeskyF64, permPtr: n i32 or 0, rPtr n f64, workPtr n f64, outPtr n f64):
 * out = Pᵀ·(L·Lᵀ)⁻¹·P·r where (P r)[i] = r[perm[i]] (P = I when permPtr is 0); out may alias r.
 * Dropped pivots (L[k,k] = 0) give out[perm[k]] = 0: the inverse of A restricted to the kept rows.
 */
export function bandSolveF64(n: i32, b: i32, ld: i32, lPtr: usize, permPtr: usize, rPtr: usize, workPtr: usize, outPtr: usize): void {
  bandSolve(n, b, ld, lPtr, permPtr, rPtr, workPtr, outPtr, n, 1);
}

/**
 * bandSolveF64 with a factor whose rows repeat: rows i ≥ r0 are stored once per residue,
 * L[i] = L[r0 + (i − r0) mod period] (relative to the diagonal), the factor holding r0 + period rows.
 * The Cholesky factor of a convolution's A·Aᵀ, in an order that walks the image column by column,
 * settles to one column's rows within round-off after a few dozen columns (normal-factor.ts): what is
 * streamed per solve then fits in cache instead of the whole band.
 */
export function bandSolvePeriodicF64(n: i32, b: i32, ld: i32, lPtr: usize, permPtr: usize, rPtr: usize, workPtr: usize, outPtr: usize, r0: i32, period: i32): void {
  bandSolve(n, b, ld, lPtr, permPtr, rPtr, workPtr, outPtr, r0, period);
}

// the stored row of row i
@inline function stored(i: i32, r0: i32, period: i32): i32 {
  return i < r0 ? i : r0 + (i - r0) % period;
}

// address of entry (i, k) of row i stored as row si
@inline function atRow(ptr: usize, ld: i32, b: i32, si: i32, i: i32, k: i32): usize {
  return ptr + ((<usize>si * <usize>ld + <usize>(k - i + b)) << 3);
}

@inline function bandSolve(n: i32, b: i32, ld: i32, lPtr: usize, permPtr: usize, rPtr: usize, workPtr: usize, outPtr: usize, r0: i32, period: i32): void {
  const x = permPtr == 0 ? outPtr : workPtr;
  if (permPtr == 0) memory.copy(x, rPtr, <usize>n << 3);
  else for (let i = 0; i < n; i++) store<f64>(x + (<usize>i << 3), load<f64>(rPtr + (<usize>load<i32>(permPtr + (<usize>i << 2)) << 3)));
  // L y = P r
  for (let i = 0; i < n; i++) {
    const lo = i - b > 0 ? i - b : 0;
    const si = stored(i, r0, period);
    const p = x + (<usize>i << 3);
    store<f64>(p, over(load<f64>(p) - dot<f64>(atRow(lPtr, ld, b, si, i, lo), x + (<usize>lo << 3), i - lo), load<f64>(atRow(lPtr, ld, b, si, i, i))));
  }
  // Lᵀ z = y, by columns of Lᵀ (rows of L): once z_i is known, remove it from the rows above
  for (let i = n - 1; i >= 0; i--) {
    const lo = i - b > 0 ? i - b : 0;
    const si = stored(i, r0, period);
    const p = x + (<usize>i << 3);
    const zi = over(load<f64>(p), load<f64>(atRow(lPtr, ld, b, si, i, i)));
    store<f64>(p, zi);
    axpy<f64>(atRow(lPtr, ld, b, si, i, lo), x + (<usize>lo << 3), i - lo, -zi);
  }
  if (permPtr != 0) for (let i = 0; i < n; i++) store<f64>(outPtr + (<usize>load<i32>(permPtr + (<usize>i << 2)) << 3), load<f64>(x + (<usize>i << 3)));
}

/**
 * Block-diagonal solve: out (len f64) = 0, then for each of the nb blocks, out[perm_t] = (L_t·L_tᵀ)⁻¹ r[perm_t]
 * — bandSolveF64 with a dense factor (b = n − 1, ld = n) per block. nPtr i32 (nb): block orders; lPtrs i32 (nb):
 * factor addresses; perm i32: the blocks' indices, concatenated; work f64 (max n).
 */
export function bandSolveBlocksF64(nb: i32, nPtr: usize, lPtrs: usize, permPtr: usize, rPtr: usize, workPtr: usize, outPtr: usize, len: i32): void {
  memory.fill(outPtr, 0, <usize>len << 3);
  let off: usize = permPtr;
  for (let t = 0; t < nb; t++) {
    const n = load<i32>(nPtr + (<usize>t << 2));
    bandSolveF64(n, n - 1, n, <usize>load<u32>(lPtrs + (<usize>t << 2)), off, rPtr, workPtr, outPtr);
    off += <usize>n << 2;
  }
}

/**
 * bandSolveBlocksF64 with float32 factors: each block's L dense row-major (n × n, lower part used),
 * r and out f64, the solve in f32 (work f32, max n). Half the bytes of the factors, which the solve
 * streams once per call: for preconditioning to moderate accuracy, where f32's rounding is harmless.
 */
export function bandSolveBlocksF32(nb: i32, nPtr: usize, lPtrs: usize, permPtr: usize, rPtr: usize, workPtr: usize, outPtr: usize, len: i32): void {
  memory.fill(outPtr, 0, <usize>len << 3);
  let off: usize = permPtr;
  for (let t = 0; t < nb; t++) {
    const n = load<i32>(nPtr + (<usize>t << 2));
    const L = <usize>load<u32>(lPtrs + (<usize>t << 2));
    for (let i = 0; i < n; i++) store<f32>(workPtr + (<usize>i << 2), <f32>load<f64>(rPtr + (<usize>load<i32>(off + (<usize>i << 2)) << 3)));
    // L y = r, by rows
    for (let i = 0; i < n; i++) {
      const row = L + (<usize>(i * n) << 2);
      const s = <f32>dot<f32>(row, workPtr, i);
      const d = load<f32>(row + (<usize>i << 2));
      const p = workPtr + (<usize>i << 2);
      store<f32>(p, d == 0 ? 0 : (load<f32>(p) - s) / d);
    }
    // Lᵀ z = y: z_i known, remove it from the rows above
    for (let i = n - 1; i >= 0; i--) {
      const row = L + (<usize>(i * n) << 2);
      const d = load<f32>(row + (<usize>i << 2));
      const p = workPtr + (<usize>i << 2);
      const z: f32 = d == 0 ? 0 : load<f32>(p) / d;
      store<f32>(p, z);
      axpy<f32>(row, workPtr, i, -z);
    }
    for (let i = 0; i < n; i++) store<f64>(outPtr + (<usize>load<i32>(off + (<usize>i << 2)) << 3), <f64>load<f32>(workPtr + (<usize>i << 2)));
    off += <usize>n << 2;
  }
}
