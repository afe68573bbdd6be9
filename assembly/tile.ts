// Kernels of the tile fit (src/linalg/tile-fit.ts): combinations of selected rows of a matrix
// (the tile projector's held rows, the basis rows of held entries) and triangular solves with
// the Cholesky factor of the held block, all on f64 vectors in WASM memory. f64x2 body plus a
// scalar tail; four rows per pass so that the output is streamed once per four rows.
import { dot, axpy } from "./vec";
import { gemvTF64, gemvNF64 } from "./blas1";

/** f64 v (len) = v0 − Σ_{r<a} lam[r]·A[h[r], 0:len]; A row stride ld, h i32 (a), lam f64 (a). v may alias v0. */
export function rowsCombineF64(len: i32, a: i32, aPtr: usize, ld: i32, hPtr: usize, lamPtr: usize, v0Ptr: usize, vPtr: usize): void {
  if (vPtr != v0Ptr) memory.copy(vPtr, v0Ptr, <usize>len << 3);
  const ldb = <usize>ld << 3;
  let r = 0;
  for (; r + 4 <= a; r += 4) {
    const p0 = aPtr + <usize>load<i32>(hPtr + (<usize>r << 2)) * ldb;
    const p1 = aPtr + <usize>load<i32>(hPtr + (<usize>(r + 1) << 2)) * ldb;
    const p2 = aPtr + <usize>load<i32>(hPtr + (<usize>(r + 2) << 2)) * ldb;
    const p3 = aPtr + <usize>load<i32>(hPtr + (<usize>(r + 3) << 2)) * ldb;
    const l0 = load<f64>(lamPtr + (<usize>r << 3));
    const l1 = load<f64>(lamPtr + (<usize>(r + 1) << 3));
    const l2 = load<f64>(lamPtr + (<usize>(r + 2) << 3));
    const l3 = load<f64>(lamPtr + (<usize>(r + 3) << 3));
    const s0 = f64x2.splat(l0), s1 = f64x2.splat(l1), s2 = f64x2.splat(l2), s3 = f64x2.splat(l3);
    let j = 0;
    for (; j + 2 <= len; j += 2) {
      const o = <usize>j << 3;
      const t01 = f64x2.add(f64x2.mul(s0, v128.load(p0 + o)), f64x2.mul(s1, v128.load(p1 + o)));
      const t23 = f64x2.add(f64x2.mul(s2, v128.load(p2 + o)), f64x2.mul(s3, v128.load(p3 + o)));
      v128.store(vPtr + o, f64x2.sub(v128.load(vPtr + o), f64x2.add(t01, t23)));
    }
    for (; j < len; j++) {
      const o = <usize>j << 3;
      store<f64>(vPtr + o, load<f64>(vPtr + o) - ((l0 * load<f64>(p0 + o) + l1 * load<f64>(p1 + o)) + (l2 * load<f64>(p2 + o) + l3 * load<f64>(p3 + o))));
    }
  }
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

/** rows from … a − 1 of trsvLowerF64's forward substitution (x[0:from] already solved): bit for bit what the whole
 *  solve gives there */
export function trsvLowerFromF64(from: i32, a: i32, lPtr: usize, ld: i32, xPtr: usize): void {
  const ldb = <usize>ld << 3;
  for (let r = from; r < a; r++) {
    const row = lPtr + <usize>r * ldb;
    const o = <usize>r << 3;
    store<f64>(xPtr + o, (load<f64>(xPtr + o) - dot<f64>(row, xPtr, r)) / load<f64>(row + o));
  }
}

/** trsvLowerTF64 bit for bit, four rows a block: the block's four unknowns from its triangle, then its four rows scattered
 *  into x[0:r − 3] in one pass, each entry updated in trsvLowerTF64's order (x streamed once per four rows) */
export function trsvLowerTBlockF64(a: i32, lPtr: usize, ld: i32, xPtr: usize): void {
  const ldb = <usize>ld << 3;
  let r = a - 1;
  for (; r >= 3; r -= 4) {
    const q3 = lPtr + <usize>r * ldb, q2 = q3 - ldb, q1 = q2 - ldb, q0 = q1 - ldb; // rows r, r − 1, r − 2, r − 3
    const b = r - 3;
    const bo = <usize>b << 3;
    const xo = xPtr + bo;
    const x3 = load<f64>(xo, 24) / load<f64>(q3 + bo, 24);
    const x2 = (load<f64>(xo, 16) + (-x3) * load<f64>(q3 + bo, 16)) / load<f64>(q2 + bo, 16);
    const x1 = ((load<f64>(xo, 8) + (-x3) * load<f64>(q3 + bo, 8)) + (-x2) * load<f64>(q2 + bo, 8)) / load<f64>(q1 + bo, 8);
    const x0 = (((load<f64>(xo) + (-x3) * load<f64>(q3 + bo)) + (-x2) * load<f64>(q2 + bo)) + (-x1) * load<f64>(q1 + bo)) / load<f64>(q0 + bo);
    store<f64>(xo, x0); store<f64>(xo, x1, 8); store<f64>(xo, x2, 16); store<f64>(xo, x3, 24);
    const s3 = f64x2.splat(-x3), s2 = f64x2.splat(-x2), s1 = f64x2.splat(-x1), s0 = f64x2.splat(-x0);
    let j = 0;
    for (; j + 2 <= b; j += 2) {
      const o = <usize>j << 3;
      let t = f64x2.add(v128.load(xPtr + o), f64x2.mul(s3, v128.load(q3 + o)));
      t = f64x2.add(t, f64x2.mul(s2, v128.load(q2 + o)));
      t = f64x2.add(t, f64x2.mul(s1, v128.load(q1 + o)));
      v128.store(xPtr + o, f64x2.add(t, f64x2.mul(s0, v128.load(q0 + o))));
    }
    for (; j < b; j++) {
      const o = <usize>j << 3;
      store<f64>(xPtr + o, (((load<f64>(xPtr + o) + (-x3) * load<f64>(q3 + o)) + (-x2) * load<f64>(q2 + o)) + (-x1) * load<f64>(q1 + o)) + (-x0) * load<f64>(q0 + o));
    }
  }
  trsvLowerTF64(r + 1, lPtr, ld, xPtr);
}

/**
 * One tile problem of the tile fit by the primal active-set method: min ‖c − c₀‖ over c (k) subject to
 * lo ≤ B c ≤ up (B: n×k, orthonormal columns; P = B Bᵀ), from the feasible point c = 0 (so lo ≤ 0 ≤ up).
 * Constraints join the working set W on their bound when the step towards the target (the minimiser with W
 * on its bounds) reaches them — every one that blocks at the same step length at once — and leave it when
 * at the target their multiplier has the wrong sign (the most wrong first). The Cholesky factor of
 * P[W, W] is appended to row by row (a row of B that depends on W's does not join) and downdated by Givens
 * rotations. A first blocker whose row depends on W's (a degenerate vertex) takes the place of the member it leans on
 * most, at most swapLimit times per call (each lets the solve go on instead of stopping there), then the solve stops
 * at that feasible point. Steps are the same as src/linalg/tile-fit.ts describes; here so that one tile is one call.
 * The iterates are tracked as v = B c only (v₀ − P[:, W] λ for a target), and the final c recovered as Bᵀ v.
 * A target's forward substitution y = L⁻¹ (v₀[W] − β) is kept from the last one and redone only from the first row of
 * L a downdate changed (appends add rows below), its back substitution runs four rows a block, and the ratio test two
 * entries a pass: all bit for bit the plain solves and test, so the iterates are exactly those of the plain method.
 * (Keeping U = P[:, W] L⁻ᵀ as well, for v = v₀ − U y without the back substitution, was tried and dropped: every member
 * that joins costs an n×|W| combination then, and on text crops ~2.4 join per step, so it ran ~1.4× slower.)
 * Arguments: P (n×n), Bt (n×k) row-major; v0 = B c0 (n); up, lo (n) the room of each entry;
 * tau the round-off allowance of the ratio test; maxIter; swapLimit. Work (all caller-owned): l (k×k f64, row stride
 * k), h (k i32), beta (k), side (k i32), lam (k), v (n), blockAt (n), flags (n i32: bit 0 in W,
 * bits 1–2 the blocking side), y (k). Out: cc (k) the final point (feasible up to round-off), vc (n) its B cc.
 * Returns the iterations run.
 */
export function activeSetTileF64(n: i32, k: i32, pPtr: usize, btPtr: usize, v0Ptr: usize, upPtr: usize, loPtr: usize,
  tau: f64, maxIter: i32, swapLimit: i32, lPtr: usize, hPtr: usize, betaPtr: usize, sidePtr: usize, lamPtr: usize, vPtr: usize,
  blockAtPtr: usize, flagsPtr: usize, ccPtr: usize, vcPtr: usize, yPtr: usize): i32 {
  memory.fill(vcPtr, 0, <usize>n << 3);
  gY = yPtr; yValid = 0;
  memory.fill(flagsPtr, 0, <usize>n << 2);
  swaps = 0;
  maxSwaps = swapLimit;
  let a: i32 = 0;
  let it: i32 = 0;
  for (; it < maxIter; it++) {
    // the target: min ‖c − c₀‖ with W on its bounds
    target(n, a, pPtr, v0Ptr, hPtr, betaPtr, lPtr, k, lamPtr, vPtr);
    // the ratio test from the current point towards the target, and the step
    ratio(n, k, tau, upPtr, loPtr, vPtr, vcPtr, blockAtPtr, flagsPtr);
    let alpha = rAlpha;
    let block = rBlock;
    if (alpha > 0) axpby(n, alpha, vPtr, vcPtr);
    if (block >= 0) {
      // every entry that blocks at this step length joins W; one whose row depends on W's stops the solve
      a = addTies(n, k, a, alpha, block, pPtr, lPtr, hPtr, betaPtr, sidePtr, upPtr, loPtr, blockAtPtr, flagsPtr, lamPtr);
      if (a < 0) { it++; break; }
      continue;
    }
    // at the target: drop the constraint whose multiplier has the wrong sign (most), or stop
    let worst: f64 = 0;
    let drop: i32 = -1;
    for (let r = 0; r < a; r++) {
      const m = <f64>load<i32>(sidePtr + (<usize>r << 2)) * load<f64>(lamPtr + (<usize>r << 3));
      if (m < worst) { worst = m; drop = r; }
    }
    if (drop < 0) { it++; break; }
    a = downdate(k, a, drop, lPtr, hPtr, betaPtr, sidePtr, flagsPtr);
  }
  // the point in basis coordinates: cc = Bᵀ vc (the steps are tracked as vc = B cc only; B has orthonormal columns)
  gemvTF64(n, k, 1, btPtr, k, vcPtr, 0, ccPtr);
  return it;
}

/** λ = P[W, W]⁻¹ (v₀[W] − β), v = v₀ − P[:, W] λ = B (c₀ − B_Wᵀλ): the minimiser of ‖c − c₀‖ with W on its bounds, as B c */
function target(n: i32, a: i32, pPtr: usize, v0Ptr: usize, hPtr: usize, betaPtr: usize, lPtr: usize, ld: i32, lamPtr: usize, vPtr: usize): void {
  if (a == 0) {
    memory.copy(vPtr, v0Ptr, <usize>n << 3);
    return;
  }
  // y = L⁻¹ (v₀[W] − β): rows below yValid are those of the last solve (the rows of L and entries of β above them have
  // not changed since), the rest by forward substitution as trsvLowerF64 does (bit for bit the full solve)
  for (let r = yValid; r < a; r++) {
    const j = <usize>load<i32>(hPtr + (<usize>r << 2));
    store<f64>(gY + (<usize>r << 3), load<f64>(v0Ptr + (j << 3)) - load<f64>(betaPtr + (<usize>r << 3)));
  }
  trsvLowerFromF64(yValid, a, lPtr, ld, gY);
  yValid = a;
  memory.copy(lamPtr, gY, <usize>a << 3);
  trsvLowerTBlockF64(a, lPtr, ld, lamPtr);
  rowsCombineF64(n, a, pPtr, n, hPtr, lamPtr, v0Ptr, vPtr);
}

let rAlpha: f64 = 1;
let rBlock: i32 = -1;
/** the ratio test from vc towards v over the entries not in W: rAlpha ≤ 1 the longest feasible step, rBlock the first
 *  entry it stops at (−1: none); each blocking entry gets its step length and side (flags 2: upper, 4: lower) */
function ratio(n: i32, k: i32, tau: f64, upPtr: usize, loPtr: usize, vPtr: usize, vcPtr: usize, blockAtPtr: usize, flagsPtr: usize): void {
  let alpha: f64 = 1;
  let block: i32 = -1;
  // two entries a pass, without branches on the data (bit for bit the scalar test below: each lane's q, side and flag
  // are computed alike; blockAt is written for every entry outside W, read only where its flag says it blocks)
  const zero = f64x2.splat(0);
  const tv = f64x2.splat(tau);
  const one = i64x2.splat(1), two = i64x2.splat(2), four = i64x2.splat(4);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const o = <usize>j << 3;
    const fo = flagsPtr + (<usize>j << 2);
    const f = i64x2.extend_low_i32x4_s(v128.load64_zero(fo));
    const out = i64x2.eq(v128.and(f, one), i64x2.splat(0));
    const vc = v128.load(vcPtr + o);
    const p = f64x2.sub(v128.load(vPtr + o), vc);
    const u = v128.load(upPtr + o);
    const l = v128.load(loPtr + o);
    const np = f64x2.add(vc, p);
    const mUp = v128.and(f64x2.gt(p, zero), f64x2.gt(np, f64x2.add(u, tv)));
    const mLo = v128.and(f64x2.lt(p, zero), f64x2.lt(np, f64x2.sub(l, tv)));
    const q = v128.bitselect(f64x2.max(zero, f64x2.div(f64x2.sub(u, vc), p)), f64x2.max(zero, f64x2.div(f64x2.sub(l, vc), p)), mUp);
    const sj = v128.or(v128.and(mUp, two), v128.and(mLo, four));
    const nf = v128.bitselect(sj, f, out);
    v128.store64_lane(fo, i8x16.shuffle(nf, nf, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11), 0);
    v128.store(blockAtPtr + o, q);
    const cand = v128.and(v128.and(v128.or(mUp, mLo), out), f64x2.lt(q, f64x2.splat(alpha)));
    if (v128.any_true(cand)) {
      if (i64x2.extract_lane(cand, 0) != 0) { alpha = f64x2.extract_lane(q, 0); block = j; }
      const q1 = f64x2.extract_lane(q, 1);
      if (i64x2.extract_lane(cand, 1) != 0 && q1 < alpha) { alpha = q1; block = j + 1; }
    }
  }
  for (; j < n; j++) {
    const fo = flagsPtr + (<usize>j << 2);
    if (load<i32>(fo) & 1) continue;
    const o = <usize>j << 3;
    const vcj = load<f64>(vcPtr + o);
    const p = load<f64>(vPtr + o) - vcj;
    let sj: i32 = 0;
    let q: f64 = 0;
    if (p > 0) {
      const u = load<f64>(upPtr + o);
      if (vcj + p > u + tau) { q = max<f64>(0, (u - vcj) / p); sj = 2; }
    } else if (p < 0) {
      const l = load<f64>(loPtr + o);
      if (vcj + p < l - tau) { q = max<f64>(0, (l - vcj) / p); sj = 4; }
    }
    store<i32>(fo, sj);
    if (sj == 0) continue;
    store<f64>(blockAtPtr + o, q);
    if (q < alpha) { alpha = q; block = j; }
  }
  rAlpha = alpha;
  rBlock = block;
}

/** every entry that blocks at step length alpha (ties) joins W at its bound (the first blocker, when its row depends on
 *  W's, in place of a member: see activeSetTileF64); returns the new |W|, or −1 when the first blocker cannot join
 *  (degenerate, swaps used up: the solve stops at this feasible point) */
function addTies(n: i32, k: i32, a: i32, alpha: f64, block: i32, pPtr: usize, lPtr: usize, hPtr: usize, betaPtr: usize, sidePtr: usize,
  upPtr: usize, loPtr: usize, blockAtPtr: usize, flagsPtr: usize, lamPtr: usize): i32 {
  let stuck = false;
  const cutoff = alpha * (1 + 1e-9) + 1e-15;
  for (let j = 0; j < n && !stuck; j++) {
    const fo = flagsPtr + (<usize>j << 2);
    const f = load<i32>(fo);
    if ((f & 1) || f == 0) continue;
    if (load<f64>(blockAtPtr + (<usize>j << 3)) > cutoff) continue;
    const upper = f == 2;
    store<f64>(betaPtr + (<usize>a << 3), upper ? load<f64>(upPtr + (<usize>j << 3)) : load<f64>(loPtr + (<usize>j << 3)));
    store<i32>(sidePtr + (<usize>a << 2), upper ? 1 : -1);
    if (!append(n, k, a, j, pPtr, lPtr, hPtr)) {
      if (j != block) continue;
      // the first blocker's row depends on W's (B_j = Σ w_r B_{W_r}, w = P[W, W]⁻¹ P[W, j]): it takes the place of
      // the member it leans on most (a bounded number of times per tile: degenerate vertices can cycle)
      if (swaps >= maxSwaps || a == 0) { stuck = true; continue; }
      swaps++;
      const pj = pPtr + <usize>j * (<usize>n << 3);
      for (let r = 0; r < a; r++) store<f64>(lamPtr + (<usize>r << 3), load<f64>(pj + (<usize>load<i32>(hPtr + (<usize>r << 2)) << 3)));
      trsvLowerFromF64(0, a, lPtr, k, lamPtr);
      trsvLowerTBlockF64(a, lPtr, k, lamPtr);
      let big: f64 = 0; let out = 0;
      for (let r = 0; r < a; r++) { const w = abs<f64>(load<f64>(lamPtr + (<usize>r << 3))); if (w > big) { big = w; out = r; } }
      a = downdate(k, a, out, lPtr, hPtr, betaPtr, sidePtr, flagsPtr);
      store<f64>(betaPtr + (<usize>a << 3), upper ? load<f64>(upPtr + (<usize>j << 3)) : load<f64>(loPtr + (<usize>j << 3)));
      store<i32>(sidePtr + (<usize>a << 2), upper ? 1 : -1);
      if (!append(n, k, a, j, pPtr, lPtr, hPtr)) { stuck = true; continue; }
    }
    a++;
    store<i32>(fo, f | 1);
  }
  if (stuck || !(load<i32>(flagsPtr + (<usize>block << 2)) & 1)) return -1;
  return a;
}
let swaps: i32 = 0;
let maxSwaps: i32 = 0;
// activeSetTileF64's y = L⁻¹ (v₀[W] − β) of the last target, valid in its first yValid entries (a downdate at row r
// changes L's rows from r on)
let gY: usize = 0;
let yValid: i32 = 0;

/** removes row `drop` of the factor of P[W, W] (and its entry of h, beta, side; its flag cleared): shifts the rows below up,
 *  then rotates column pairs (i, i + 1) back to lower triangular (a Cholesky downdate, O((a − drop)²)); returns a − 1 */
function downdate(k: i32, a: i32, drop: i32, lPtr: usize, hPtr: usize, betaPtr: usize, sidePtr: usize, flagsPtr: usize): i32 {
  const ldl = <usize>k << 3;
  const jd = <usize>load<i32>(hPtr + (<usize>drop << 2));
  store<i32>(flagsPtr + (jd << 2), 0);
  if (drop < yValid) yValid = drop;
  for (let i = drop; i < a - 1; i++) {
    memory.copy(lPtr + <usize>i * ldl, lPtr + <usize>(i + 1) * ldl, <usize>(i + 2) << 3);
    store<i32>(hPtr + (<usize>i << 2), load<i32>(hPtr + (<usize>(i + 1) << 2)));
    store<f64>(betaPtr + (<usize>i << 3), load<f64>(betaPtr + (<usize>(i + 1) << 3)));
    store<i32>(sidePtr + (<usize>i << 2), load<i32>(sidePtr + (<usize>(i + 1) << 2)));
  }
  a--;
  for (let i = drop; i < a; i++) {
    const di = lPtr + <usize>i * ldl + (<usize>i << 3);
    const x = load<f64>(di);
    const y = load<f64>(di + 8);
    const rr = Math.hypot(x, y);
    const cs = x / rr;
    const sn = y / rr;
    for (let q = i; q < a; q++) {
      const e = lPtr + <usize>q * ldl + (<usize>i << 3);
      const e1 = load<f64>(e);
      const e2 = load<f64>(e + 8);
      store<f64>(e, cs * e1 + sn * e2);
      store<f64>(e + 8, -sn * e1 + cs * e2);
    }
    store<f64>(di + 8, 0);
  }
  return a;
}

/** y += α (x − y) over len f64 */
@inline function axpby(len: i32, alpha: f64, xPtr: usize, yPtr: usize): void {
  const s = f64x2.splat(alpha);
  let j = 0;
  for (; j + 2 <= len; j += 2) {
    const o = <usize>j << 3;
    const y = v128.load(yPtr + o);
    v128.store(yPtr + o, f64x2.add(y, f64x2.mul(s, f64x2.sub(v128.load(xPtr + o), y))));
  }
  for (; j < len; j++) {
    const o = <usize>j << 3;
    const y = load<f64>(yPtr + o);
    store<f64>(yPtr + o, y + alpha * (load<f64>(xPtr + o) - y));
  }
}

/** A row of B joins the factor only when its part outside the span of W's rows keeps more than this share of
 *  its squared norm (1e-8 stopped most text-crop tiles at a spuriously dependent blocker, ~90 steps in; at 1e-14 the
 *  tiles run on and reach ≈ 0.5 dB further) */
const DEPENDENT: f64 = 1e-14;

/** appends entry j as row a of the factor of P[W, W]; false when its row of B depends on W's (or a = k) */
function append(n: i32, k: i32, a: i32, j: i32, pPtr: usize, lPtr: usize, hPtr: usize): bool {
  if (a >= k) return false;
  const row = lPtr + <usize>a * (<usize>k << 3);
  const pj = pPtr + <usize>j * (<usize>n << 3);
  for (let r = 0; r < a; r++) store<f64>(row + (<usize>r << 3), load<f64>(pj + (<usize>load<i32>(hPtr + (<usize>r << 2)) << 3)));
  trsvLowerFromF64(0, a, lPtr, k, row);
  const s2 = dot<f64>(row, row, a);
  const pjj = load<f64>(pj + (<usize>j << 3));
  const d2 = pjj - s2;
  if (!(d2 > DEPENDENT * pjj)) return false;
  store<f64>(row + (<usize>a << 3), Math.sqrt(d2));
  store<i32>(hPtr + (<usize>a << 2), j);
  return true;
}


/**
 * One held-entry tile step of the tile fit (src/linalg/tile-fit.ts `run`), all rounds in one call: the step towards
 * the target v₀ = B c₀ with the held entries kept where they are (v = v₀ − P[:, H] λ, P[H, H] λ = v₀[H]); each round
 * holds the entries the step would push out of the box, those that cut it most first (at most a third of the free
 * dimensions a round; past `rounds` rounds only those that cut it below half), until none or `maxRounds`. The held
 * entries join the Cholesky factor of P[H, H] in entry order (one whose row of B depends on the held ones' follows
 * them and is not added). Then the step is formed as c = c₀ − B_Hᵀλ, v = B c (in the tile's null space to round-off)
 * and λ refined once. Arguments: P (n×n), Bt (n×k), c0 (k), v0 (n); the tile's δ, hi, lo (n); held (n i32, in/out:
 * 1 held); rounds, maxRounds. Work: l (k×k), h (k i32), added (n i32), lam (k), candQ (n f64), candJ (n i32).
 * Out: v (n) the step, c (k). Returns tau, the round-off allowance of the last round (1e-13 of max |v|).
 */
export function heldTileStepF64(n: i32, k: i32, pPtr: usize, btPtr: usize, c0Ptr: usize, v0Ptr: usize,
  deltaPtr: usize, hiPtr: usize, loPtr: usize, heldPtr: usize, rounds: i32, maxRounds: i32,
  lPtr: usize, hPtr: usize, addedPtr: usize, lamPtr: usize, candQPtr: usize, candJPtr: usize, vPtr: usize, cPtr: usize): f64 {
  memory.fill(addedPtr, 0, <usize>n << 2);
  let acc = absorbHeld(n, k, 0, pPtr, heldPtr, addedPtr, lPtr, hPtr);
  let tau: f64 = 0;
  for (let round = 0; ; round++) {
    if (acc > 0) {
      gatherLam(acc, hPtr, v0Ptr, lamPtr);
      trsvLowerF64(acc, lPtr, k, lamPtr);
      trsvLowerTF64(acc, lPtr, k, lamPtr);
      rowsCombineF64(n, acc, pPtr, n, hPtr, lamPtr, v0Ptr, vPtr);
    } else memory.copy(vPtr, v0Ptr, <usize>n << 3);
    let vmax: f64 = 0;
    for (let j = 0; j < n; j++) vmax = max<f64>(vmax, abs<f64>(load<f64>(vPtr + (<usize>j << 3))));
    tau = 1e-13 * vmax;
    if (round >= maxRounds) break;
    const cutAt: f64 = round < rounds ? 1 : 0.5;
    let nc = 0;
    for (let j = 0; j < n; j++) {
      if (load<i32>(heldPtr + (<usize>j << 2))) continue;
      const o = <usize>j << 3;
      const vj = load<f64>(vPtr + o);
      const dj = load<f64>(deltaPtr + o);
      const d = dj + vj;
      let q: f64 = 2;
      if (d > load<f64>(hiPtr + o) + tau) q = (load<f64>(hiPtr + o) - dj) / vj;
      else if (d < load<f64>(loPtr + o) - tau) q = (load<f64>(loPtr + o) - dj) / vj;
      if (q < cutAt) {
        store<f64>(candQPtr + (<usize>nc << 3), q);
        store<i32>(candJPtr + (<usize>nc << 2), j);
        nc++;
      }
    }
    const room = (k - acc) / 3;
    if (nc == 0 || room < 1) break;
    // the `take` smallest q, ties in entry order (a stable sort's first `take`)
    const take = min<i32>(room, nc);
    for (let s = 0; s < take; s++) {
      let best = -1;
      let bq: f64 = Infinity;
      for (let c = 0; c < nc; c++) {
        const j = load<i32>(candJPtr + (<usize>c << 2));
        if (j < 0) continue;
        const q = load<f64>(candQPtr + (<usize>c << 3));
        if (q < bq) { bq = q; best = c; }
      }
      const j = load<i32>(candJPtr + (<usize>best << 2));
      store<i32>(heldPtr + (<usize>j << 2), 1);
      store<i32>(candJPtr + (<usize>best << 2), -1);
    }
    acc = absorbHeld(n, k, acc, pPtr, heldPtr, addedPtr, lPtr, hPtr);
  }
  if (acc > 0) {
    // the step from c = c₀ − B_Hᵀλ, v = B c; λ refined once on the held entries
    rowsCombineF64(k, acc, btPtr, k, hPtr, lamPtr, c0Ptr, cPtr);
    gemvNF64(n, k, 1, btPtr, k, cPtr, 0, vPtr);
    gatherLam(acc, hPtr, vPtr, lamPtr);
    trsvLowerF64(acc, lPtr, k, lamPtr);
    trsvLowerTF64(acc, lPtr, k, lamPtr);
    rowsCombineF64(n, acc, pPtr, n, hPtr, lamPtr, vPtr, vPtr);
  }
  return tau;
}

/** lam[r] = x[h[r]] for r < a */
@inline function gatherLam(a: i32, hPtr: usize, xPtr: usize, lamPtr: usize): void {
  for (let r = 0; r < a; r++) store<f64>(lamPtr + (<usize>r << 3), load<f64>(xPtr + (<usize>load<i32>(hPtr + (<usize>r << 2)) << 3)));
}

/** appends the newly held entries (held, not yet added) to the factor of P[H, H] in entry order; returns the new size */
function absorbHeld(n: i32, k: i32, acc: i32, pPtr: usize, heldPtr: usize, addedPtr: usize, lPtr: usize, hPtr: usize): i32 {
  const ldl = <usize>k << 3;
  for (let j = 0; j < n; j++) {
    const ao = addedPtr + (<usize>j << 2);
    if (load<i32>(ao) || !load<i32>(heldPtr + (<usize>j << 2))) continue;
    store<i32>(ao, 1);
    const a = acc;
    if (a >= k) continue;
    const row = lPtr + <usize>a * ldl;
    const pj = pPtr + <usize>j * (<usize>n << 3);
    for (let r = 0; r < a; r++) store<f64>(row + (<usize>r << 3), load<f64>(pj + (<usize>load<i32>(hPtr + (<usize>r << 2)) << 3)));
    trsvLowerF64(a, lPtr, k, row);
    let s2: f64 = 0;
    for (let r = 0; r < a; r++) { const x = load<f64>(row + (<usize>r << 3)); s2 += x * x; }
    const pjj = load<f64>(pj + (<usize>j << 3));
    const d2 = pjj - s2;
    if (!(d2 > 1e-6 * pjj)) continue;
    store<f64>(row + (<usize>a << 3), Math.sqrt(d2));
    store<i32>(hPtr + (<usize>a << 2), j);
    acc++;
  }
  return acc;
}
