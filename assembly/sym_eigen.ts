// The values-only SVD path: a float64 Gram matrix of the short side, Householder
// tridiagonalisation and root-free implicit QL (tqlrat) for its eigenvalues, σ = √λ. Squaring the matrix
// makes σ below ≈ √eps·σmax meaningless, which is why the wrapper only takes this path when the
// rank tolerance is far above that level.
import { dot, axpy, zero } from './vec';
import { house } from './qr';

// Columns of the operand processed per pass: a chunk of 4-row panels (k × LC doubles, 1 MiB for
// k = 512) stays in L2 while one panel's slice stays in L1.
const LC = 256;

/** f64 elements of gramF64's scratch for k rows. */
export function gramWorkElems(k: i32): i32 { return ((k + 3) >> 2) * 4 * LC; }

/**
 * G (k × k, full, row-major) = X·Xᵀ for X (k × ld f64 rows, ld even, zero padding beyond len);
 * work: gramWorkElems(k) f64 scratch.
 *
 * Each chunk of X's columns is first packed into panels of 4 rows with each column pair's 4 rows
 * adjacent (64 bytes; a chunk's panels, 1 MiB for k = 512, are reused chunk after chunk), so
 * the inner loop reads both operands through one pointer each at constant offsets: the 4×2 block
 * with rows spread over 6 pointers spent as many instructions on addresses as on arithmetic
 * (10.5 GFlop/s on a 512×4608 weight, front-end bound). Sums run in the same order as a plain
 * dot product split in two lanes, whatever the blocking.
 */
export function gramF64(x: usize, k: i32, len: i32, ld: i32, work: usize, g: usize): void {
  zero<f64>(g, k * k);
  const np = (k + 3) >> 2;
  const pb = <usize>LC << 5; // bytes per packed panel: 4 rows × LC doubles
  const rb = <usize>ld << 3;
  const gb = <usize>k << 3;
  for (let c0 = 0; c0 < len; c0 += LC) {
    const cl = min(LC, ld - c0);
    const pairs = (cl + 1) >> 1;
    for (let p = 0; p < np; p++) {
      const dst = work + <usize>p * pb;
      for (let a = 0; a < 4; a++) {
        const r = (p << 2) + a;
        const at = dst + (<usize>a << 4);
        if (r < k) {
          const src = x + <usize>r * rb + (<usize>c0 << 3);
          for (let c = 0; c < cl; c += 2) v128.store(at + (<usize>c << 5), v128.load(src + (<usize>c << 3)));
        } else {
          for (let c = 0; c < cl; c += 2) v128.store(at + (<usize>c << 5), f64x2.splat(0));
        }
      }
    }
    for (let ip = 0; ip < np; ip++) {
      const xs = work + <usize>ip * pb;
      for (let jh = ip << 1; jh < np << 1; jh++) {
        // rows 2·jh, 2·jh + 1: the upper or lower half of panel jh >> 1
        const ys = work + <usize>(jh >> 1) * pb + (<usize>(jh & 1) << 5);
        let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
        let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
        let xp = xs, yp = ys;
        const xe = xs + (<usize>pairs << 6);
        for (; xp < xe; xp += 64, yp += 64) {
          const b0 = v128.load(yp), b1 = v128.load(yp, 16);
          const v0 = v128.load(xp), v1 = v128.load(xp, 16), v2 = v128.load(xp, 32), v3 = v128.load(xp, 48);
          a00 = f64x2.add(a00, f64x2.mul(v0, b0)); a01 = f64x2.add(a01, f64x2.mul(v0, b1));
          a10 = f64x2.add(a10, f64x2.mul(v1, b0)); a11 = f64x2.add(a11, f64x2.mul(v1, b1));
          a20 = f64x2.add(a20, f64x2.mul(v2, b0)); a21 = f64x2.add(a21, f64x2.mul(v2, b1));
          a30 = f64x2.add(a30, f64x2.mul(v3, b0)); a31 = f64x2.add(a31, f64x2.mul(v3, b1));
        }
        const i = ip << 2, j = jh << 1;
        if (j >= k) continue;
        const two = j + 1 < k;
        const g0 = g + <usize>i * gb + (<usize>j << 3);
        store<f64>(g0, load<f64>(g0) + f64x2.extract_lane(a00, 0) + f64x2.extract_lane(a00, 1));
        if (two) store<f64>(g0, load<f64>(g0, 8) + f64x2.extract_lane(a01, 0) + f64x2.extract_lane(a01, 1), 8);
        if (i + 1 >= k) continue;
        const g1 = g0 + gb;
        store<f64>(g1, load<f64>(g1) + f64x2.extract_lane(a10, 0) + f64x2.extract_lane(a10, 1));
        if (two) store<f64>(g1, load<f64>(g1, 8) + f64x2.extract_lane(a11, 0) + f64x2.extract_lane(a11, 1), 8);
        if (i + 2 >= k) continue;
        const g2 = g1 + gb;
        store<f64>(g2, load<f64>(g2) + f64x2.extract_lane(a20, 0) + f64x2.extract_lane(a20, 1));
        if (two) store<f64>(g2, load<f64>(g2, 8) + f64x2.extract_lane(a21, 0) + f64x2.extract_lane(a21, 1), 8);
        if (i + 3 >= k) continue;
        const g3 = g2 + gb;
        store<f64>(g3, load<f64>(g3) + f64x2.extract_lane(a30, 0) + f64x2.extract_lane(a30, 1));
        if (two) store<f64>(g3, load<f64>(g3, 8) + f64x2.extract_lane(a31, 0) + f64x2.extract_lane(a31, 1), 8);
      }
    }
  }
  // the diagonal panels computed both triangles of their 4×4 block; the rest is upper only
  for (let i = 0; i < k; i++) {
    for (let j = (i & ~3) + 4; j < k; j++) store<f64>(g + <usize>j * gb + (<usize>i << 3), load<f64>(g + <usize>i * gb + (<usize>j << 3)));
  }
}

// The fused inner loop of the tridiagonalisation on the lower triangle: for j < cnt,
// x_j = row[j] − a·w[j] − b·v[j] is stored back (the rank-2 update of this step) and feeds the
// next step's symmetric product: the return value Σ x_j·z[j] is this row's dot product with the
// next reflector z, and q[j] += x_j·zi its transposed contribution. One pass over half the matrix
// per step is what the reduction costs in memory traffic.
@inline function updateSymv(row: usize, cnt: i32, a: f64, w: usize, b: f64, v: usize, z: usize, q: usize, zi: f64): f64 {
  const av = f64x2.splat(a), bv = f64x2.splat(b), ziv = f64x2.splat(zi);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 2 <= cnt; j += 2) {
    const o = <usize>j << 3;
    const x = f64x2.sub(f64x2.sub(v128.load(row + o), f64x2.mul(av, v128.load(w + o))), f64x2.mul(bv, v128.load(v + o)));
    v128.store(row + o, x);
    acc = f64x2.add(acc, f64x2.mul(x, v128.load(z + o)));
    v128.store(q + o, f64x2.add(v128.load(q + o), f64x2.mul(x, ziv)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < cnt; j++) {
    const o = <usize>j << 3;
    const x = load<f64>(row + o) - a * load<f64>(w + o) - b * load<f64>(v + o);
    store<f64>(row + o, x);
    s += x * load<f64>(z + o);
    store<f64>(q + o, load<f64>(q + o) + x * zi);
  }
  return s;
}

// Householder tridiagonalisation of the symmetric a (n × n, full on entry, destroyed; only the
// lower triangle is read after row 0): diagonal to d, off-diagonal to e (e[i] couples i and
// i+1). work: 4n + 9 f64. Step k reflects rows/columns k+1..n−1 with H = I − τ·v·vᵀ:
// p = τ·A22·v, w = p − (τ/2)(pᵀv)·v, A22 −= v·wᵀ + w·vᵀ. The update of step k runs fused with
// p of step k+1 (updateSymv) after the first column of the block, which step k+1's reflector
// needs, has been updated on its own.
function tridiagonalize(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  const rb = <usize>n << 3;
  const nb = (<usize>n + 2) << 3;
  // Vector buffers keep one leading slot: buffer + 8 is the reflector v (and buffer[0] = 0), so
  // that the next reflector z lines up with the block's local indices 1…len−1.
  let vBuf = work, zBuf = work + nb;
  const p = work + 2 * nb, q = work + 3 * nb;
  const t = work + 4 * nb;
  store<f64>(d, load<f64>(a));
  memory.copy(vBuf + 8, a + 8, <usize>(n - 1) << 3); // column 0 below the diagonal = row 0
  house<f64>(vBuf + 8, n - 1, t, e);
  let tau = load<f64>(t);
  // p = τ·A22·v for the first block (rows/cols 1..n−1), from the lower triangle
  zero<f64>(p, n);
  for (let i = 0; i < n - 1; i++) {
    const row = a + <usize>(i + 1) * rb + 8;
    const vi = load<f64>(vBuf + 8 + (<usize>i << 3));
    const s = updateSymv(row, i, 0, p, 0, p, vBuf + 8, p, vi) + load<f64>(row + (<usize>i << 3)) * vi;
    store<f64>(p + (<usize>i << 3), load<f64>(p + (<usize>i << 3)) + s);
  }
  for (let i = 0; i < n - 1; i++) store<f64>(p + (<usize>i << 3), tau * load<f64>(p + (<usize>i << 3)));
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1; // block rows/cols k+1..n−1, local index i ↔ row k+1+i
    const base = <usize>(k + 1) << 3;
    const v = vBuf + 8;
    if (tau != 0) axpy<f64>(v, p, len, -0.5 * tau * dot<f64>(p, v, len));
    else zero<f64>(p, len);
    const w = p;
    // local column 0 (diagonal entry and below) first: the next reflector comes from it
    const v0 = load<f64>(v), w0 = load<f64>(w);
    const a00 = a + <usize>(k + 1) * rb + base;
    store<f64>(a00, load<f64>(a00) - 2 * v0 * w0);
    store<f64>(d + (<usize>(k + 1) << 3), load<f64>(a00));
    store<f64>(zBuf, 0);
    for (let i = 1; i < len; i++) {
      const ai0 = a + <usize>(k + 1 + i) * rb + base;
      const x = load<f64>(ai0) - load<f64>(v + (<usize>i << 3)) * w0 - load<f64>(w + (<usize>i << 3)) * v0;
      store<f64>(ai0, x);
      store<f64>(zBuf + (<usize>i << 3), x);
    }
    const next = k + 1 < n - 2;
    let tn: f64 = 0;
    if (next) {
      house<f64>(zBuf + 8, len - 1, t, e + (<usize>(k + 1) << 3));
      tn = load<f64>(t);
    } else {
      zero<f64>(zBuf + 8, len - 1);
    }
    zero<f64>(q, len);
    for (let i = 1; i < len; i++) {
      const row = a + <usize>(k + 1 + i) * rb + base;
      const vi = load<f64>(v + (<usize>i << 3)), wi = load<f64>(w + (<usize>i << 3)), zi = load<f64>(zBuf + (<usize>i << 3));
      const s = updateSymv(row + 8, i - 1, vi, w + 8, wi, v + 8, zBuf + 8, q + 8, zi);
      const di = row + (<usize>i << 3);
      const x = load<f64>(di) - 2 * vi * wi;
      store<f64>(di, x);
      store<f64>(q + (<usize>i << 3), load<f64>(q + (<usize>i << 3)) + s + x * zi);
    }
    // next step: v ← z (one slot on), p ← τ'·q[1..] (w is no longer needed)
    for (let i = 1; i < len; i++) store<f64>(p + (<usize>(i - 1) << 3), tn * load<f64>(q + (<usize>i << 3)));
    const tv = vBuf; vBuf = zBuf; zBuf = tv;
    tau = tn;
    if (!next) break;
  }
  if (n >= 2) {
    store<f64>(e + (<usize>(n - 2) << 3), load<f64>(a + <usize>(n - 1) * rb + (<usize>(n - 2) << 3)));
    store<f64>(d + (<usize>(n - 2) << 3), load<f64>(a + <usize>(n - 2) * rb + (<usize>(n - 2) << 3)));
  }
  store<f64>(d + (<usize>(n - 1) << 3), load<f64>(a + <usize>(n - 1) * rb + (<usize>(n - 1) << 3)));
  store<f64>(e + (<usize>(n - 1) << 3), 0);
}

@inline function ld8(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st8(p: usize, i: i32, x: f64): void { store<f64>(p + (<usize>i << 3), x); }

// Root-free ("rational") QL on the squares of the off-diagonal (EISPACK tqlrat, the Pal–Walker–
// Kahan idea LAPACK's dsterf also uses); eigenvalues only, unsorted in d; e is squared in place.
// Implicit QL with square roots (EISPACK tql1, used before) has a root and a division on the
// inner step's dependency chain; here the chain is one division, so on the small Gram matrices
// of a weight census, where the QL is a large share of the time, the QL is ≈ twice as fast
// (64 × 64: eigenvalues 120 → 77 µs).
function tqlrat(d: usize, e: usize, n: i32): i32 {
  const EPS: f64 = 2.220446049250313e-16;
  for (let i = 0; i < n - 1; i++) st8(e, i, ld8(e, i) * ld8(e, i));
  st8(e, n - 1, 0);
  let f: f64 = 0, t: f64 = 0, b: f64 = 0, c: f64 = 0;
  for (let l = 0; l < n; l++) {
    let j = 0;
    let h = Math.abs(ld8(d, l)) + Math.sqrt(ld8(e, l));
    if (t <= h) { t = h; b = EPS * t; c = b * b; }
    while (true) {
      // a negligible squared off-diagonal entry (e[n − 1] = 0 ends the search)
      let m = l;
      while (ld8(e, m) > c) m++;
      if (m == l) break;
      if (j == 60) return -1;
      j++;
      // shift: the eigenvalue of the leading 2 × 2 block nearer d[l]
      let s = Math.sqrt(ld8(e, l));
      let g = ld8(d, l);
      let p = (ld8(d, l + 1) - g) / (2 * s);
      let r = Math.abs(p) > 1e150 ? Math.abs(p) : Math.sqrt(p * p + 1);
      st8(d, l, s / (p + (p >= 0 ? r : -r)));
      h = g - ld8(d, l);
      for (let i = l + 1; i < n; i++) st8(d, i, ld8(d, i) - h);
      f += h;
      // the rational QL sweep from m − 1 up to l
      g = ld8(d, m);
      if (g == 0) g = b;
      h = g;
      s = 0;
      for (let i = m - 1; i >= l; i--) {
        const e2 = ld8(e, i);
        p = g * h;
        r = p + e2;
        const ir = 1 / r;
        st8(e, i + 1, s * r);
        s = e2 * ir;
        st8(d, i + 1, h + s * (h + ld8(d, i)));
        g = ld8(d, i) - e2 / g;
        if (g == 0) g = b;
        h = g * p * ir;
      }
      st8(e, l, s * g);
      st8(d, l, h);
      // guard against underflow in the convergence test
      if (h == 0) break;
      if (Math.abs(ld8(e, l)) <= Math.abs(c / h)) break;
      st8(e, l, h * ld8(e, l));
      if (ld8(e, l) == 0) break;
    }
    st8(d, l, ld8(d, l) + f);
  }
  return 0;
}

/** Eigenvalues of the symmetric a (n × n f64 full, destroyed) into d (n, descending); e, work: n and 4n + 9 f64 scratch. Returns 0 or −1 (QL did not converge). */
export function symEigvalsF64(a: usize, n: i32, d: usize, e: usize, work: usize): i32 {
  if (n == 1) { st8(d, 0, load<f64>(a)); return 0; }
  tridiagonalize(a, n, d, e, work);
  const status = tqlrat(d, e, n);
  // insertion sort, descending
  for (let i = 1; i < n; i++) {
    const x = ld8(d, i);
    let j = i - 1;
    while (j >= 0 && ld8(d, j) < x) { st8(d, j + 1, ld8(d, j)); j--; }
    st8(d, j + 1, x);
  }
  return status;
}
