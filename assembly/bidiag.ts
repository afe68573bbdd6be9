// Values-only SVD the LAPACK way (dgebrd, then dqds as in dlasq1 or dbdsqr's QR without
// vectors): Householder bidiagonalisation of a column set, then the bidiagonal's singular values.
// Internal helpers: updDot(2), updAcc(2), dot2, las2, rotate, dqds, bidiagQr, sortDescending;
// exported kernels: bidiagonalizeF64, bidiagWorkElems, bidiagValuesF64, qrColumnsF64, maxAbsF64,
// stageF64.
//
// Layout: X (len × k, len ≥ k) is stored by columns — k contiguous rows of stride ld elements —
// so that both the left reflector (a dot and an axpy down each column) and the right one (w = X·v,
// a sum of columns, then a rank-1 update of each column) run on contiguous memory.
import { house } from './qr';
import { dot, axpy } from './vec';

/** bidiagValuesF64 status codes (mirrored in src/linalg/bidiag.ts). */
const OK: i32 = 0;
const NO_CONVERGENCE: i32 = -1;

@inline function ld8(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st8(p: usize, i: i32, x: f64): void { store<f64>(p + (<usize>i << 3), x); }

// x ← x − a·w over n elements, returns x·u of the updated x (the right update of the previous
// step fused with this step's left-reflector product: the column is read once).
@inline function updDot(x: usize, w: usize, u: usize, n: i32, a: f64): f64 {
  const av = f64x2.splat(a);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    const x0 = f64x2.sub(v128.load(x + o), f64x2.mul(av, v128.load(w + o)));
    const x1 = f64x2.sub(v128.load(x + o, 16), f64x2.mul(av, v128.load(w + o, 16)));
    v128.store(x + o, x0);
    v128.store(x + o, x1, 16);
    s0 = f64x2.add(s0, f64x2.mul(x0, v128.load(u + o)));
    s1 = f64x2.add(s1, f64x2.mul(x1, v128.load(u + o, 16)));
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const xi = load<f64>(x + o) - a * load<f64>(w + o);
    store<f64>(x + o, xi);
    s += xi * load<f64>(u + o);
  }
  return s;
}

// x ← x − b·u over n elements (the left update), then acc[i] += x[0]·x[i] for 1 ≤ i < n: x[0] is
// this column's entry in the row the next right reflector comes from, so acc builds X·r for it
// in the same pass. Returns x[0].
@inline function updAcc(x: usize, u: usize, acc: usize, n: i32, b: f64): f64 {
  const r = load<f64>(x) - b * load<f64>(u);
  store<f64>(x, r);
  const xs = x + 8, us = u + 8, as = acc + 8;
  const len = n - 1;
  const bv = f64x2.splat(b), rv = f64x2.splat(r);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 3;
    const x0 = f64x2.sub(v128.load(xs + o), f64x2.mul(bv, v128.load(us + o)));
    const x1 = f64x2.sub(v128.load(xs + o, 16), f64x2.mul(bv, v128.load(us + o, 16)));
    v128.store(xs + o, x0);
    v128.store(xs + o, x1, 16);
    v128.store(as + o, f64x2.add(v128.load(as + o), f64x2.mul(rv, x0)));
    v128.store(as + o, f64x2.add(v128.load(as + o, 16), f64x2.mul(rv, x1)), 16);
  }
  for (; i < len; i++) {
    const o = <usize>i << 3;
    const xi = load<f64>(xs + o) - b * load<f64>(us + o);
    store<f64>(xs + o, xi);
    store<f64>(as + o, load<f64>(as + o) + r * xi);
  }
  return r;
}

// Two columns at a time: the shared vectors (w, u, acc) are loaded once for both. Second results
// go through these globals.
let pairA: f64 = 0, pairB: f64 = 0;

// updDot for columns xa, xb with coefficients aa, ab: pairA/pairB ← the two products.
@inline function updDot2(xa: usize, xb: usize, w: usize, u: usize, n: i32, aa: f64, ab: f64): void {
  const av = f64x2.splat(aa), bv = f64x2.splat(ab);
  let sa = f64x2.splat(0), sb = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const wv = v128.load(w + o), uv = v128.load(u + o);
    const x0 = f64x2.sub(v128.load(xa + o), f64x2.mul(av, wv));
    const x1 = f64x2.sub(v128.load(xb + o), f64x2.mul(bv, wv));
    v128.store(xa + o, x0);
    v128.store(xb + o, x1);
    sa = f64x2.add(sa, f64x2.mul(x0, uv));
    sb = f64x2.add(sb, f64x2.mul(x1, uv));
  }
  let ta = f64x2.extract_lane(sa, 0) + f64x2.extract_lane(sa, 1);
  let tb = f64x2.extract_lane(sb, 0) + f64x2.extract_lane(sb, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const wi = load<f64>(w + o), ui = load<f64>(u + o);
    const x0 = load<f64>(xa + o) - aa * wi, x1 = load<f64>(xb + o) - ab * wi;
    store<f64>(xa + o, x0);
    store<f64>(xb + o, x1);
    ta += x0 * ui;
    tb += x1 * ui;
  }
  pairA = ta;
  pairB = tb;
}

// Two plain dot products with u (no previous right update).
@inline function dot2(xa: usize, xb: usize, u: usize, n: i32): void {
  let sa = f64x2.splat(0), sb = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const uv = v128.load(u + o);
    sa = f64x2.add(sa, f64x2.mul(v128.load(xa + o), uv));
    sb = f64x2.add(sb, f64x2.mul(v128.load(xb + o), uv));
  }
  let ta = f64x2.extract_lane(sa, 0) + f64x2.extract_lane(sa, 1);
  let tb = f64x2.extract_lane(sb, 0) + f64x2.extract_lane(sb, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const ui = load<f64>(u + o);
    ta += load<f64>(xa + o) * ui;
    tb += load<f64>(xb + o) * ui;
  }
  pairA = ta;
  pairB = tb;
}

// updAcc for columns xa, xb with coefficients ba, bb: pairA/pairB ← the two new leading entries.
@inline function updAcc2(xa: usize, xb: usize, u: usize, acc: usize, n: i32, ba: f64, bb: f64): void {
  const u0 = load<f64>(u);
  const ra = load<f64>(xa) - ba * u0, rb = load<f64>(xb) - bb * u0;
  store<f64>(xa, ra);
  store<f64>(xb, rb);
  const as_ = xa + 8, bs = xb + 8, us = u + 8, cs = acc + 8;
  const len = n - 1;
  const bav = f64x2.splat(ba), bbv = f64x2.splat(bb), rav = f64x2.splat(ra), rbv = f64x2.splat(rb);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 3;
    const uv = v128.load(us + o);
    const x0 = f64x2.sub(v128.load(as_ + o), f64x2.mul(bav, uv));
    const x1 = f64x2.sub(v128.load(bs + o), f64x2.mul(bbv, uv));
    v128.store(as_ + o, x0);
    v128.store(bs + o, x1);
    v128.store(cs + o, f64x2.add(v128.load(cs + o), f64x2.add(f64x2.mul(rav, x0), f64x2.mul(rbv, x1))));
  }
  for (; i < len; i++) {
    const o = <usize>i << 3;
    const ui = load<f64>(us + o);
    const x0 = load<f64>(as_ + o) - ba * ui, x1 = load<f64>(bs + o) - bb * ui;
    store<f64>(as_ + o, x0);
    store<f64>(bs + o, x1);
    store<f64>(cs + o, load<f64>(cs + o) + ra * x0 + rb * x1);
  }
  pairA = ra;
  pairB = rb;
}

/** f64 scratch that bidiagonalizeF64 needs for k columns of length len. */
export function bidiagWorkElems(k: i32, len: i32): i32 {
  return 2 * (len + 4) + k + 4 + 2;
}

/**
 * Householder bidiagonalisation of X (len × k, len ≥ k ≥ 1; stored by columns: k rows of stride ld
 * f64, destroyed) to upper bidiagonal form: diagonal to d (k f64), superdiagonal to e (k f64,
 * e[k−1] = 0). work: bidiagWorkElems(k, len) f64.
 */
export function bidiagonalizeF64(x: usize, k: i32, len: i32, ld: i32, d: usize, e: usize, work: usize): void {
  const rb = <usize>ld << 3;
  const w = work;                                 // right update vector of the previous step
  const acc = w + ((<usize>len + 4) << 3);        // X·r accumulated during the pass
  const vr = acc + ((<usize>len + 4) << 3);       // the right reflector (row entries)
  const t = vr + ((<usize>k + 4) << 3);           // tau slot
  let tauR: f64 = 0;                              // the previous step's right reflector
  for (let s = 0; s < k; s++) {
    const seg = len - s;                          // rows s..len−1
    const off = <usize>s << 3;
    const cs = x + <usize>s * rb + off;
    // column s: the previous right update, then this step's left reflector from it
    if (s > 0 && tauR != 0) {
      const a = tauR; // v[0] = 1
      for (let i = 0; i < seg; i++) st8(cs, i, ld8(cs, i) - a * ld8(w, i));
    }
    house<f64>(cs, seg, t, d + off);
    const tauL = load<f64>(t);
    if (s == k - 1) break;
    // columns s+1..k−1: previous right update, left update, accumulate X·r over rows s+1..
    memory.fill(acc, 0, <usize>seg << 3);
    const fresh = s == 0 || tauR == 0;
    let j = s + 1;
    for (; j + 2 <= k; j += 2) {
      const ca = x + <usize>j * rb + off, cb = ca + rb;
      if (fresh) dot2(ca, cb, cs, seg);
      else updDot2(ca, cb, w, cs, seg, tauR * ld8(vr, j - s), tauR * ld8(vr, j + 1 - s));
      const za = pairA, zb = pairB;
      updAcc2(ca, cb, cs, acc, seg, tauL * za, tauL * zb);
      st8(vr, j - s - 1, pairA);
      st8(vr, j - s, pairB);
    }
    for (; j < k; j++) {
      const cj = x + <usize>j * rb + off;
      const a = s > 0 ? tauR * ld8(vr, j - s) : 0.0; // v of the previous step, indexed from column s
      // (w is stale or uninitialised when there is no right update: never read it then)
      const z = a != 0 ? updDot(cj, w, cs, seg, a) : dot<f64>(cj, cs, seg);
      st8(vr, j - s - 1, updAcc(cj, cs, acc, seg, tauL * z));
    }
    // the right reflector from row s, columns s+1..k−1 (now in vr[0..nr−1])
    const nr = k - s - 1;
    const alpha = ld8(vr, 0);
    house<f64>(vr, nr, t, e + off);
    tauR = load<f64>(t);
    if (tauR != 0) {
      // w = X·v with v = (r − β·e₀)/(α − β): from acc = X·r (rows s+1..) and column s+1
      const beta = load<f64>(e + off);
      const inv = 1 / (alpha - beta);
      const c1 = x + <usize>(s + 1) * rb + off;
      for (let i = 1; i < seg; i++) st8(w, i - 1, (ld8(acc, i) - beta * ld8(c1, i)) * inv);
    }
    // in the next step vr[j − (s + 1)] is column j's coefficient (vr[0] = 1 for column s + 1)
  }
  store<f64>(e + (<usize>(k - 1) << 3), 0);
}

// Reflectors per panel of qrColumnsF64: 32 reflectors of a 4608-long column set (1.2 MiB) stay in L2.
const QB = 32;

/**
 * Householder QR of X (len × k by columns, k rows of stride ld f64), in place, with qrHouseF64's
 * output convention (reflector j in row j from element j, v[0] = 1; R's strict upper part in
 * rows; tau, rdiag: min(k, len) f64) — so qrRF64 reads R from it. Trailing columns go two at a
 * time through each panel, reflector j's update fused with reflector j+1's products: one pass
 * over the columns per reflector, each reflector loaded once for both.
 */
export function qrColumnsF64(x: usize, k: i32, len: i32, ld: i32, tau: usize, rdiag: usize): void {
  const rb = <usize>ld << 3;
  const kr = min(k, len);
  for (let p0 = 0; p0 < kr; p0 += QB) {
    const p1 = min(p0 + QB, kr);
    for (let j = p0; j < p1; j++) {
      const vj = x + <usize>j * rb + (<usize>j << 3);
      house<f64>(vj, len - j, tau + (<usize>j << 3), rdiag + (<usize>j << 3));
      const tj = ld8(tau, j);
      if (tj == 0) continue;
      for (let r = j + 1; r < p1; r++) {
        const y = x + <usize>r * rb + (<usize>j << 3);
        axpy<f64>(vj, y, len - j, -tj * dot<f64>(vj, y, len - j));
      }
    }
    let r = p1;
    for (; r + 2 <= k; r += 2) {
      const ca = x + <usize>r * rb, cb = ca + rb;
      const o0 = <usize>p0 << 3;
      dot2(ca + o0, cb + o0, x + <usize>p0 * rb + o0, len - p0);
      let za = pairA, zb = pairB;
      for (let j = p0; j < p1; j++) {
        const tj = ld8(tau, j);
        const oj = <usize>j << 3;
        const uj = x + <usize>j * rb + oj;
        const aa = tj * za, ab = tj * zb;
        if (j + 1 < p1) {
          st8(ca, j, ld8(ca, j) - aa * load<f64>(uj));
          st8(cb, j, ld8(cb, j) - ab * load<f64>(uj));
          updDot2(ca + oj + 8, cb + oj + 8, uj + 8, x + <usize>(j + 1) * rb + oj + 8, len - j - 1, aa, ab);
          za = pairA;
          zb = pairB;
        } else {
          axpy<f64>(uj, ca + oj, len - j, -aa);
          axpy<f64>(uj, cb + oj, len - j, -ab);
        }
      }
    }
    for (; r < k; r++) {
      const c = x + <usize>r * rb;
      for (let j = p0; j < p1; j++) {
        const tj = ld8(tau, j);
        if (tj == 0) continue;
        const oj = <usize>j << 3;
        const uj = x + <usize>j * rb + oj;
        axpy<f64>(uj, c + oj, len - j, -tj * dot<f64>(uj, c + oj, len - j));
      }
    }
  }
}

/** max |x_i| over n f64 (NaN or +Inf when x holds a non-finite value: the caller's finiteness check). */
export function maxAbsF64(x: usize, n: i32): f64 {
  let m0 = f64x2.splat(0), m1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    m0 = f64x2.max(m0, f64x2.abs(v128.load(x + o)));
    m1 = f64x2.max(m1, f64x2.abs(v128.load(x + o, 16)));
  }
  m0 = f64x2.max(m0, m1);
  let r = max(f64x2.extract_lane(m0, 0), f64x2.extract_lane(m0, 1));
  for (; i < n; i++) r = max(r, Math.abs(load<f64>(x + (<usize>i << 3))));
  return r;
}

// Tile edge of the staging transpose: a 32 × 32 f64 tile of source and destination (16 KiB) stays in L1.
const TB = 32;

/**
 * Stages A (m × n row-major f64 at src) for bidiagonalizeF64, scaled by alpha: trans = 1 writes
 * Aᵀ (n rows of stride ld, the columns of A), trans = 0 writes A's rows (m rows of stride ld);
 * the padding up to ld is zeroed.
 */
export function stageF64(src: usize, m: i32, n: i32, trans: i32, alpha: f64, dst: usize, ld: i32): void {
  const db = <usize>ld << 3;
  if (trans == 0) {
    const av = f64x2.splat(alpha);
    for (let i = 0; i < m; i++) {
      const s = src + ((<usize>i * <usize>n) << 3), d = dst + <usize>i * db;
      let j = 0;
      for (; j + 2 <= n; j += 2) v128.store(d + (<usize>j << 3), f64x2.mul(av, v128.load(s + (<usize>j << 3))));
      for (; j < n; j++) st8(d, j, alpha * ld8(s, j));
      for (; j < ld; j++) st8(d, j, 0);
    }
    return;
  }
  for (let i0 = 0; i0 < m; i0 += TB) {
    const i1 = min(i0 + TB, m);
    for (let j0 = 0; j0 < n; j0 += TB) {
      const j1 = min(j0 + TB, n);
      for (let j = j0; j < j1; j++) {
        const d = dst + <usize>j * db;
        for (let i = i0; i < i1; i++) st8(d, i, alpha * ld8(src, i * n + j));
      }
    }
  }
  for (let j = 0; j < n; j++) for (let i = m; i < ld; i++) st8(dst + <usize>j * db, i, 0);
}

// Singular values of the 2×2 upper triangular [[f, g], [0, h]] (LAPACK dlas2): smaller to las2Min,
// larger to las2Max.
let las2Min: f64 = 0, las2Max: f64 = 0;
function las2(f: f64, g: f64, h: f64): void {
  const fa = Math.abs(f), ga = Math.abs(g), ha = Math.abs(h);
  const fhmn = min(fa, ha), fhmx = max(fa, ha);
  if (fhmn == 0) {
    las2Min = 0;
    if (fhmx == 0) las2Max = ga;
    else { const mx = max(fhmx, ga), mn = min(fhmx, ga); las2Max = mx * Math.sqrt(1 + (mn / mx) * (mn / mx)); }
  } else if (ga < fhmx) {
    const as_ = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, au = (ga / fhmx) * (ga / fhmx);
    const c = 2 / (Math.sqrt(as_ * as_ + au) + Math.sqrt(at * at + au));
    las2Min = fhmn * c;
    las2Max = fhmx / c;
  } else {
    const au = fhmx / ga;
    if (au == 0) {
      las2Min = (fhmn * fhmx) / ga;
      las2Max = ga;
    } else {
      const as_ = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
      const c = 1 / (Math.sqrt(1 + (as_ * au) * (as_ * au)) + Math.sqrt(1 + (at * au) * (at * au)));
      las2Min = 2 * (fhmn * c) * au;
      las2Max = ga / (c + c);
    }
  }
}

// Plane rotation [c s; −s c]·[f; g] = [r; 0] (LAPACK dlartg) into rotC, rotS, rotR. The operands
// are bounded (the matrix was scaled to max|a| = 1), so f² + g² only needs the hypot fallback
// when it underflows.
let rotC: f64 = 1, rotS: f64 = 0, rotR: f64 = 0;
@inline function rotate(f: f64, g: f64): void {
  if (g == 0) { rotC = 1; rotS = 0; rotR = f; return; }
  if (f == 0) { rotC = 0; rotS = 1; rotR = g; return; }
  const q = f * f + g * g;
  let r = q > 1e-290 && q < 1e290 ? Math.sqrt(q) : Math.hypot(f, g);
  if (f < 0) r = -r;
  // two independent divisions: they overlap, where 1/r then two products would chain
  rotC = f / r;
  rotS = g / r;
  rotR = r;
}

// dqds (Fernando & Parlett 1994) on the squares q_i = d_i², z_i = e_i²: each transform maps the
// qd array of Z = BᵀB to that of Z − τI with one division per entry and no square roots, so it
// runs several times faster than the QR sweeps below. Deliberately simple: no splitting, shifts
// from the trailing 2×2 and the transform's d_min with a safety margin, a failed (non-positive)
// transform retried with a smaller shift and then none. Returns false — and the caller runs the
// QR iteration instead, on its untouched d and e — on an exact zero in d or e, or when it takes
// too long. work: 5n f64 (the qd arrays twice, the results).
function dqds(d: usize, e: usize, n: i32, work: usize): bool {
  const EPS2: f64 = 1.232595164407831e-32; // (2^−53)²
  let qa = work, za = work + (<usize>n << 3), qb = za + (<usize>n << 3), zb = qb + (<usize>n << 3);
  const res = zb + (<usize>n << 3);
  for (let i = 0; i < n; i++) {
    const di = ld8(d, i);
    if (di == 0) return false;
    st8(qa, i, di * di);
  }
  for (let i = 0; i < n - 1; i++) {
    const ei = ld8(e, i);
    if (ei == 0) return false;
    st8(za, i, ei * ei);
  }
  let hi = n;            // active qd array: 0..hi−1
  let sum: f64 = 0;      // shifts so far: eigenvalue = sum + current one
  let tau: f64 = 0;
  let fails = 0;
  let passes = 0;
  const maxPasses = 30 * n + 30;
  while (hi > 0) {
    if (hi == 1) { st8(res, 0, ld8(qa, 0) + sum); hi = 0; break; }
    const qn = ld8(qa, hi - 1);
    // converged when z is below (10·eps)² of the eigenvalue: it moves it by less than that
    if (ld8(za, hi - 2) <= EPS2 * (sum + qn) * 100) {
      st8(res, hi - 1, qn + sum);
      hi--;
      tau = nextShift(qa, za, hi, -1);
      continue;
    }
    if (hi == 2 || ld8(za, hi - 3) <= EPS2 * (sum + ld8(qa, hi - 2)) * 100) {
      las2(Math.sqrt(ld8(qa, hi - 2)), Math.sqrt(ld8(za, hi - 2)), Math.sqrt(qn));
      st8(res, hi - 2, las2Max * las2Max + sum);
      st8(res, hi - 1, las2Min * las2Min + sum);
      hi -= 2;
      tau = hi >= 2 ? nextShift(qa, za, hi, -1) : 0;
      continue;
    }
    if (++passes > maxPasses) return false;
    // one dqds(τ) transform of (qa, za) into (qb, zb)
    let dd = ld8(qa, 0) - tau;
    let dmin = dd;
    let ok = dd >= 0;
    for (let i = 0; ok && i < hi - 1; i++) {
      const qh = dd + ld8(za, i);
      if (!(qh > 0)) { ok = false; break; }
      const t = ld8(qa, i + 1) / qh;
      st8(zb, i, ld8(za, i) * t);
      st8(qb, i, qh);
      dd = dd * t - tau;
      if (dd < 0) { ok = false; break; }
      dmin = min(dmin, dd);
    }
    if (!ok) {
      // τ overshot the smallest eigenvalue: retry with a quarter of it, then with none
      tau = fails++ == 0 ? 0.25 * tau : 0;
      continue;
    }
    st8(qb, hi - 1, dd);
    fails = 0;
    sum += tau;
    let t2 = qa; qa = qb; qb = t2;
    t2 = za; za = zb; zb = t2;
    // next shift: just below both d_min (≥ λ_min) and the trailing 2×2's smaller eigenvalue (≥ λ_min by
    // interlacing, and close to it near convergence); margins of 5%, 1e-4 and 1e-8 measured
    // 8.7, 7.1 and 7.3 ms on a 480² bidiagonal (QR iteration 12 ms)
    tau = nextShift(qa, za, hi, dmin);
  }
  for (let i = 0; i < n; i++) st8(d, i, Math.sqrt(ld8(res, i)));
  return true;
}

// The next dqds shift for the active qd array 0..hi−1 (hi ≥ 2): just below the trailing 2×2's
// smaller eigenvalue (≥ λ_min by interlacing, and close to it near convergence) and d_min of the
// last transform (≥ λ_min); right after a deflation (dmin < 0: none) 0.9 of the 2×2 estimate
// (measured: 4.8 transforms per singular value on a 480² bidiagonal, 5.0 when restarting at τ = 0).
@inline function nextShift(qa: usize, za: usize, hi: i32, dmin: f64): f64 {
  las2(Math.sqrt(ld8(qa, hi - 2)), Math.sqrt(ld8(za, hi - 2)), Math.sqrt(ld8(qa, hi - 1)));
  const est = las2Min * las2Min;
  const tau = dmin < 0 ? SHIFT_FRESH * est : 0.9999 * min(dmin, est);
  return tau > 0 ? tau : 0;
}
const SHIFT_FRESH: f64 = 0.9;

/**
 * Singular values of the upper bidiagonal (d: n f64, e: n−1 f64 superdiagonal), in place into d
 * (non-negative, descending); e is destroyed; work: 5n f64. Returns 0, or −1 when the iteration
 * did not converge.
 */
export function bidiagValuesF64(d: usize, e: usize, n: i32, work: usize): i32 {
  if (n > 1 && dqds(d, e, n, work)) { sortDescending(d, n); return OK; }
  return bidiagQr(d, e, n);
}

// non-negative, descending (insertion sort: n is the short side, and d is nearly sorted)
function sortDescending(d: usize, n: i32): void {
  for (let i = 0; i < n; i++) st8(d, i, Math.abs(ld8(d, i)));
  for (let i = 1; i < n; i++) {
    const v = ld8(d, i);
    let j = i - 1;
    while (j >= 0 && ld8(d, j) < v) { st8(d, j + 1, ld8(d, j)); j--; }
    st8(d, j + 1, v);
  }
}

// LAPACK dbdsqr without vectors: the fallback of bidiagValuesF64.
function bidiagQr(d: usize, e: usize, n: i32): i32 {

  // LAPACK dbdsqr without vectors (1-based indices below as in its text: D(i) = d[i−1]): implicit
  // zero-shift QR (Demmel–Kahan) when the shift is negligible, else the shifted Golub–Kahan step,
  // chasing in the direction of the larger end; relative convergence tests.
  const EPS: f64 = 1.1102230246251565e-16; // dlamch('E'): half of 2^−52
  const UNFL: f64 = 2.2250738585072014e-308;
  const MAXITR = 6;
  const tolmul = max(10.0, min(100.0, Math.pow(EPS, -0.125)));
  const tol = tolmul * EPS;
  if (n <= 0) return OK;
  if (n > 1) {
    let smax: f64 = 0;
    for (let i = 1; i <= n; i++) smax = max(smax, Math.abs(D(d, i)));
    for (let i = 1; i < n; i++) smax = max(smax, Math.abs(E(e, i)));
    let sminoa = Math.abs(D(d, 1));
    if (sminoa != 0) {
      let mu = sminoa;
      for (let i = 2; i <= n; i++) {
        mu = Math.abs(D(d, i)) * (mu / (mu + Math.abs(E(e, i - 1))));
        sminoa = min(sminoa, mu);
        if (sminoa == 0) break;
      }
    }
    sminoa = sminoa / Math.sqrt(<f64>n);
    const thresh = max(tol * sminoa, <f64>MAXITR * (<f64>n * (<f64>n * UNFL)));
    const maxitdivn = MAXITR * n;
    let iterdivn = 0, iter = -1;
    let oldll = -1, oldm = -1, idir = 0;
    let m = n;
    let sminl: f64 = 0;
    while (m > 1) {
      if (iter >= n) {
        iter -= n;
        iterdivn++;
        if (iterdivn >= maxitdivn) return NO_CONVERGENCE;
      }
      // find the diagonal block to work on: E(ll) … E(m−1) non-negligible
      smax = Math.abs(D(d, m));
      let ll = 0;
      let split = false;
      for (let lll = 1; lll <= m - 1; lll++) {
        ll = m - lll;
        const abss = Math.abs(D(d, ll)), abse = Math.abs(E(e, ll));
        if (abse <= thresh) { split = true; break; }
        smax = max(smax, max(abss, abse));
      }
      if (split) {
        SE(e, ll, 0);
        if (ll == m - 1) { m--; continue; }
      } else {
        ll = 0;
      }
      ll++;
      if (ll == m - 1) {
        las2(D(d, m - 1), E(e, m - 1), D(d, m));
        SD(d, m - 1, las2Max);
        SE(e, m - 1, 0);
        SD(d, m, las2Min);
        m -= 2;
        continue;
      }
      // a new block: chase from the larger end
      if (ll > oldm || m < oldll) idir = Math.abs(D(d, ll)) >= Math.abs(D(d, m)) ? 1 : 2;
      // convergence tests
      let converged = false;
      if (idir == 1) {
        if (Math.abs(E(e, m - 1)) <= tol * Math.abs(D(d, m))) { SE(e, m - 1, 0); continue; }
        let mu = Math.abs(D(d, ll));
        sminl = mu;
        for (let lll = ll; lll <= m - 1; lll++) {
          if (Math.abs(E(e, lll)) <= tol * mu) { SE(e, lll, 0); converged = true; break; }
          mu = Math.abs(D(d, lll + 1)) * (mu / (mu + Math.abs(E(e, lll))));
          sminl = min(sminl, mu);
        }
      } else {
        if (Math.abs(E(e, ll)) <= tol * Math.abs(D(d, ll))) { SE(e, ll, 0); continue; }
        let mu = Math.abs(D(d, m));
        sminl = mu;
        for (let lll = m - 1; lll >= ll; lll--) {
          if (Math.abs(E(e, lll)) <= tol * mu) { SE(e, lll, 0); converged = true; break; }
          mu = Math.abs(D(d, lll)) * (mu / (mu + Math.abs(E(e, lll))));
          sminl = min(sminl, mu);
        }
      }
      if (converged) continue;
      oldll = ll;
      oldm = m;
      // the shift: zero when it would not matter relative to the smallest singular value
      let shift: f64 = 0;
      if (<f64>n * tol * (sminl / smax) <= max(EPS, 0.01 * tol)) {
        shift = 0;
      } else {
        let sll: f64;
        if (idir == 1) { sll = Math.abs(D(d, ll)); las2(D(d, m - 1), E(e, m - 1), D(d, m)); }
        else { sll = Math.abs(D(d, m)); las2(D(d, ll), E(e, ll), D(d, ll + 1)); }
        shift = las2Min;
        if (sll > 0 && (shift / sll) * (shift / sll) < EPS) shift = 0;
      }
      iter += m - ll;
      if (shift == 0) {
        if (idir == 1) {
          let cs: f64 = 1, oldcs: f64 = 1, oldsn: f64 = 0;
          for (let i = ll; i <= m - 1; i++) {
            rotate(D(d, i) * cs, E(e, i));
            cs = rotC;
            const sn = rotS, r = rotR;
            if (i > ll) SE(e, i - 1, oldsn * r);
            rotate(oldcs * r, D(d, i + 1) * sn);
            oldcs = rotC; oldsn = rotS; SD(d, i, rotR);
          }
          const h = D(d, m) * cs;
          SD(d, m, h * oldcs);
          SE(e, m - 1, h * oldsn);
          if (Math.abs(E(e, m - 1)) <= thresh) SE(e, m - 1, 0);
        } else {
          let cs: f64 = 1, oldcs: f64 = 1, oldsn: f64 = 0;
          for (let i = m; i >= ll + 1; i--) {
            rotate(D(d, i) * cs, E(e, i - 1));
            cs = rotC;
            const sn = rotS, r = rotR;
            if (i < m) SE(e, i, oldsn * r);
            rotate(oldcs * r, D(d, i - 1) * sn);
            oldcs = rotC; oldsn = rotS; SD(d, i, rotR);
          }
          const h = D(d, ll) * cs;
          SD(d, ll, h * oldcs);
          SE(e, ll, h * oldsn);
          if (Math.abs(E(e, ll)) <= thresh) SE(e, ll, 0);
        }
      } else {
        if (idir == 1) {
          const dl = D(d, ll);
          let f = (Math.abs(dl) - shift) * ((dl >= 0 ? 1.0 : -1.0) + shift / dl);
          let g = E(e, ll);
          for (let i = ll; i <= m - 1; i++) {
            rotate(f, g);
            const cosr = rotC, sinr = rotS;
            if (i > ll) SE(e, i - 1, rotR);
            const di = D(d, i), ei = E(e, i), dn = D(d, i + 1);
            f = cosr * di + sinr * ei;
            const e1 = cosr * ei - sinr * di;
            g = sinr * dn;
            const d1 = cosr * dn;
            rotate(f, g);
            const cosl = rotC, sinl = rotS;
            SD(d, i, rotR);
            f = cosl * e1 + sinl * d1;
            SD(d, i + 1, cosl * d1 - sinl * e1);
            SE(e, i, e1);
            if (i < m - 1) {
              const en = E(e, i + 1);
              g = sinl * en;
              SE(e, i + 1, cosl * en);
            }
          }
          SE(e, m - 1, f);
          if (Math.abs(f) <= thresh) SE(e, m - 1, 0);
        } else {
          const dm = D(d, m);
          let f = (Math.abs(dm) - shift) * ((dm >= 0 ? 1.0 : -1.0) + shift / dm);
          let g = E(e, m - 1);
          for (let i = m; i >= ll + 1; i--) {
            rotate(f, g);
            const cosr = rotC, sinr = rotS;
            if (i < m) SE(e, i, rotR);
            const di = D(d, i), ei = E(e, i - 1), dp = D(d, i - 1);
            f = cosr * di + sinr * ei;
            const e1 = cosr * ei - sinr * di;
            g = sinr * dp;
            const d1 = cosr * dp;
            rotate(f, g);
            const cosl = rotC, sinl = rotS;
            SD(d, i, rotR);
            f = cosl * e1 + sinl * d1;
            SD(d, i - 1, cosl * d1 - sinl * e1);
            SE(e, i - 1, e1);
            if (i > ll + 1) {
              const ep = E(e, i - 2);
              g = sinl * ep;
              SE(e, i - 2, cosl * ep);
            }
          }
          SE(e, ll, f);
          if (Math.abs(f) <= thresh) SE(e, ll, 0);
        }
      }
    }
  }
  sortDescending(d, n);
  return OK;
}

// 1-based accessors for the dbdsqr text above.
@inline function D(d: usize, i: i32): f64 { return load<f64>(d + (<usize>(i - 1) << 3)); }
@inline function E(e: usize, i: i32): f64 { return load<f64>(e + (<usize>(i - 1) << 3)); }
@inline function SD(d: usize, i: i32, x: f64): void { store<f64>(d + (<usize>(i - 1) << 3), x); }
@inline function SE(e: usize, i: i32, x: f64): void { store<f64>(e + (<usize>(i - 1) << 3), x); }
