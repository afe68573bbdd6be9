// The values-only SVD path: a float64 Gram matrix of the short side, Householder
// tridiagonalisation and implicit QL (tql1) for its eigenvalues, σ = √λ. Squaring the matrix
// makes σ below ≈ √eps·σmax meaningless, which is why the wrapper only takes this path when the
// rank tolerance is far above that level.
import { dot, axpy, zero } from './vec';
import { house } from './qr';

// Columns of the operand processed per pass: 4 rows × 256 doubles stay in L1 while the other
// rows of the chunk (k × 2 KiB) stay in L2.
const LC = 256;

/** G (k × k, full, row-major) = X·Xᵀ for X (k × ld f64 rows, ld even, zero padding beyond len). */
export function gramF64(x: usize, k: i32, len: i32, ld: i32, g: usize): void {
  zero<f64>(g, k * k);
  const rb = <usize>ld << 3;
  const gb = <usize>k << 3;
  for (let c0 = 0; c0 < len; c0 += LC) {
    const cl = min(LC, ld - c0);
    const off = <usize>c0 << 3;
    let i = 0;
    for (; i + 4 <= k; i += 4) {
      const x0 = x + <usize>i * rb + off, x1 = x0 + rb, x2 = x1 + rb, x3 = x2 + rb;
      let j = i;
      for (; j + 2 <= k; j += 2) {
        const y0 = x + <usize>j * rb + off, y1 = y0 + rb;
        let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
        let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
        for (let l = 0; l < cl; l += 2) {
          const o = <usize>l << 3;
          const b0 = v128.load(y0 + o), b1 = v128.load(y1 + o);
          const v0 = v128.load(x0 + o), v1 = v128.load(x1 + o), v2 = v128.load(x2 + o), v3 = v128.load(x3 + o);
          a00 = f64x2.add(a00, f64x2.mul(v0, b0)); a01 = f64x2.add(a01, f64x2.mul(v0, b1));
          a10 = f64x2.add(a10, f64x2.mul(v1, b0)); a11 = f64x2.add(a11, f64x2.mul(v1, b1));
          a20 = f64x2.add(a20, f64x2.mul(v2, b0)); a21 = f64x2.add(a21, f64x2.mul(v2, b1));
          a30 = f64x2.add(a30, f64x2.mul(v3, b0)); a31 = f64x2.add(a31, f64x2.mul(v3, b1));
        }
        const g0 = g + <usize>i * gb + (<usize>j << 3), g1 = g0 + gb, g2 = g1 + gb, g3 = g2 + gb;
        store<f64>(g0, load<f64>(g0) + f64x2.extract_lane(a00, 0) + f64x2.extract_lane(a00, 1));
        store<f64>(g0, load<f64>(g0, 8) + f64x2.extract_lane(a01, 0) + f64x2.extract_lane(a01, 1), 8);
        store<f64>(g1, load<f64>(g1) + f64x2.extract_lane(a10, 0) + f64x2.extract_lane(a10, 1));
        store<f64>(g1, load<f64>(g1, 8) + f64x2.extract_lane(a11, 0) + f64x2.extract_lane(a11, 1), 8);
        store<f64>(g2, load<f64>(g2) + f64x2.extract_lane(a20, 0) + f64x2.extract_lane(a20, 1));
        store<f64>(g2, load<f64>(g2, 8) + f64x2.extract_lane(a21, 0) + f64x2.extract_lane(a21, 1), 8);
        store<f64>(g3, load<f64>(g3) + f64x2.extract_lane(a30, 0) + f64x2.extract_lane(a30, 1));
        store<f64>(g3, load<f64>(g3, 8) + f64x2.extract_lane(a31, 0) + f64x2.extract_lane(a31, 1), 8);
      }
      for (; j < k; j++) {
        const y = x + <usize>j * rb + off;
        for (let a = 0; a < 4; a++) {
          const ga = g + <usize>(i + a) * gb + (<usize>j << 3);
          store<f64>(ga, load<f64>(ga) + dot<f64>(x + <usize>(i + a) * rb + off, y, cl));
        }
      }
    }
    for (; i < k; i++) {
      for (let j = i; j < k; j++) {
        const ga = g + <usize>i * gb + (<usize>j << 3);
        store<f64>(ga, load<f64>(ga) + dot<f64>(x + <usize>i * rb + off, x + <usize>j * rb + off, cl));
      }
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) store<f64>(g + <usize>j * gb + (<usize>i << 3), load<f64>(g + <usize>i * gb + (<usize>j << 3)));
  }
}

// row[0..n) −= a·w + b·v, returning Σ row_new[j]·z[j] (z = the next reflector, shifted so that
// its indices match): the rank-2 update of one step and the matrix–vector product of the next
// in a single pass over the row, which is what makes the reduction memory-bound only once.
@inline function updateDot(row: usize, n: i32, a: f64, w: usize, b: f64, v: usize, z: usize): f64 {
  const av = f64x2.splat(a), bv = f64x2.splat(b);
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    const x0 = f64x2.sub(f64x2.sub(v128.load(row + o), f64x2.mul(av, v128.load(w + o))), f64x2.mul(bv, v128.load(v + o)));
    const x1 = f64x2.sub(f64x2.sub(v128.load(row + o, 16), f64x2.mul(av, v128.load(w + o, 16))), f64x2.mul(bv, v128.load(v + o, 16)));
    v128.store(row + o, x0);
    v128.store(row + o, x1, 16);
    acc0 = f64x2.add(acc0, f64x2.mul(x0, v128.load(z + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(x1, v128.load(z + o, 16)));
  }
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const x = load<f64>(row + o) - a * load<f64>(w + o) - b * load<f64>(v + o);
    store<f64>(row + o, x);
    s += x * load<f64>(z + o);
  }
  return s;
}

// Householder tridiagonalisation of the full symmetric a (n × n, destroyed): diagonal to d,
// off-diagonal to e (e[i] couples i and i+1). work: 4n + 9 f64. Step k reflects rows/columns
// k+1..n−1 with H = I − τ·v·vᵀ: p = τ·A22·v, w = p − (τ/2)(pᵀv)·v, A22 −= v·wᵀ + w·vᵀ; the
// update of step k is fused with p of step k+1 (updateDot).
function tridiagonalize(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  const rb = <usize>n << 3;
  const nb = (<usize>n + 2) << 3;
  // Vector buffers keep one leading zero slot: buffer + 8 is the reflector v, and the buffer
  // itself is z = [0, v], aligned with the row segment one column to the left.
  let vBuf = work, zBuf = work + nb, p = work + 2 * nb, q = work + 3 * nb;
  const t = work + 4 * nb;
  store<f64>(vBuf, 0);
  store<f64>(d, load<f64>(a));
  memory.copy(vBuf + 8, a + 8, <usize>(n - 1) << 3);
  house<f64>(vBuf + 8, n - 1, t, e);
  let tau = load<f64>(t);
  for (let r = 0; r < n - 1; r++) {
    store<f64>(p + (<usize>r << 3), tau * dot<f64>(a + <usize>(r + 1) * rb + 8, vBuf + 8, n - 1));
  }
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1; // size of the trailing block, rows/cols k+1..n−1
    const base = <usize>(k + 1) << 3;
    const v = vBuf + 8;
    // w (in p) = p − (τ/2)(pᵀv)·v; zero when τ = 0 (H = I)
    if (tau != 0) axpy<f64>(v, p, len, -0.5 * tau * dot<f64>(p, v, len));
    else zero<f64>(p, len);
    // row k+1 first: the next reflector is built from it
    const r0 = a + <usize>(k + 1) * rb + base;
    axpy<f64>(p, r0, len, -load<f64>(v));
    axpy<f64>(v, r0, len, -load<f64>(p));
    store<f64>(d + (<usize>(k + 1) << 3), load<f64>(r0));
    const next = k + 1 < n - 2;
    let tn: f64 = 0;
    store<f64>(zBuf, 0);
    if (next) {
      memory.copy(zBuf + 8, r0 + 8, <usize>(len - 1) << 3);
      house<f64>(zBuf + 8, len - 1, t, e + (<usize>(k + 1) << 3));
      tn = load<f64>(t);
    } else {
      zero<f64>(zBuf + 8, len - 1);
    }
    for (let i = 1; i < len; i++) {
      const row = a + <usize>(k + 1 + i) * rb + base;
      const s = updateDot(row, len, load<f64>(v + (<usize>i << 3)), p, load<f64>(p + (<usize>i << 3)), v, zBuf);
      store<f64>(q + (<usize>(i - 1) << 3), tn * s);
    }
    const tv = vBuf; vBuf = zBuf; zBuf = tv;
    const tp = p; p = q; q = tp;
    tau = tn;
    if (!next) break;
  }
  if (n >= 2) {
    store<f64>(e + (<usize>(n - 2) << 3), load<f64>(a + <usize>(n - 2) * rb + (<usize>(n - 1) << 3)));
    store<f64>(d + (<usize>(n - 2) << 3), load<f64>(a + <usize>(n - 2) * rb + (<usize>(n - 2) << 3)));
  }
  store<f64>(d + (<usize>(n - 1) << 3), load<f64>(a + <usize>(n - 1) * rb + (<usize>(n - 1) << 3)));
  store<f64>(e + (<usize>(n - 1) << 3), 0);
}

@inline function ld8(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st8(p: usize, i: i32, x: f64): void { store<f64>(p + (<usize>i << 3), x); }

// Implicit QL with Wilkinson-type shifts on the tridiagonal (d, e); eigenvalues only (EISPACK tql1).
function tql1(d: usize, e: usize, n: i32): i32 {
  const EPS: f64 = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    while (true) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(ld8(d, m)) + Math.abs(ld8(d, m + 1));
        if (Math.abs(ld8(e, m)) <= EPS * dd) break;
      }
      if (m == l) break;
      if (++iter > 60) return -1;
      let g = (ld8(d, l + 1) - ld8(d, l)) / (2 * ld8(e, l));
      let r = Math.hypot(g, 1);
      g = ld8(d, m) - ld8(d, l) + ld8(e, l) / (g + (g >= 0 ? r : -r));
      let s: f64 = 1, c: f64 = 1, p: f64 = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * ld8(e, i);
        const b = c * ld8(e, i);
        r = Math.hypot(f, g);
        st8(e, i + 1, r);
        if (r == 0) {
          st8(d, i + 1, ld8(d, i + 1) - p);
          st8(e, m, 0);
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = ld8(d, i + 1) - p;
        r = (ld8(d, i) - g) * s + 2 * c * b;
        p = s * r;
        st8(d, i + 1, g + p);
        g = c * r - b;
      }
      if (deflated) continue;
      st8(d, l, ld8(d, l) - p);
      st8(e, l, g);
      st8(e, m, 0);
    }
  }
  return 0;
}

/** Eigenvalues of the symmetric a (n × n f64 full, destroyed) into d (n, descending); e, work: n and 4n + 9 f64 scratch. Returns 0 or −1 (QL did not converge). */
export function symEigvalsF64(a: usize, n: i32, d: usize, e: usize, work: usize): i32 {
  if (n == 1) { st8(d, 0, load<f64>(a)); return 0; }
  tridiagonalize(a, n, d, e, work);
  const status = tql1(d, e, n);
  // insertion sort, descending
  for (let i = 1; i < n; i++) {
    const x = ld8(d, i);
    let j = i - 1;
    while (j >= 0 && ld8(d, j) < x) { st8(d, j + 1, ld8(d, j)); j--; }
    st8(d, j + 1, x);
  }
  return status;
}
