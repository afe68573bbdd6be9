// SIMD building blocks for the SVD, QR and eigenvalue kernels: an f64x2 / f32x4 body plus a
// scalar tail. Generic over T (f64 | f32); the sizeof<T>() branch is resolved at compile time,
// so each instantiation is a straight-line loop. Pointers are byte offsets, n counts elements.

/** Results of rotNorm: squared norms of the two rotated vectors (a second return value). */
export let rotA: f64 = 0;
export let rotB: f64 = 0;

/** x·y over n elements (accumulated in the working precision, returned as f64). */
@inline export function dot<T>(x: usize, y: usize, n: i32): f64 {
  let i = 0;
  let s: f64 = 0;
  // Four independent accumulators hide the add latency (one chain would cap the loop at one add per 4 cycles).
  if (sizeof<T>() == 8) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 3;
      a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
    }
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      a0 = f64x2.add(a0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    }
    a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    for (; i < n; i++) s += load<f64>(x + (<usize>i << 3)) * load<f64>(y + (<usize>i << 3));
  } else {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x + o, 32), v128.load(y + o, 32)));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x + o, 48), v128.load(y + o, 48)));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    }
    a0 = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    let t: f32 = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3);
    for (; i < n; i++) t += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
    s = <f64>t;
  }
  return s;
}

/** y += alpha·x over n elements. */
@inline export function axpy<T>(x: usize, y: usize, n: i32, alpha: f64): void {
  let i = 0;
  if (sizeof<T>() == 8) {
    const a = f64x2.splat(alpha);
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(a, v128.load(x + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 3;
      store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
    }
  } else {
    const af = <f32>alpha;
    const a = f32x4.splat(af);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, load<f32>(y + o) + af * load<f32>(x + o));
    }
  }
}

/** Plane rotation x' = c·x − s·y, y' = s·x + c·y over n elements. */
@inline export function rot<T>(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  let i = 0;
  if (sizeof<T>() == 8) {
    const cv = f64x2.splat(c), sv = f64x2.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xw = v128.load(x + o, 16), yw = v128.load(y + o, 16);
      v128.store(x + o, f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv)));
      v128.store(y + o, f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv)));
      v128.store(x + o, f64x2.sub(f64x2.mul(cv, xw), f64x2.mul(sv, yw)), 16);
      v128.store(y + o, f64x2.add(f64x2.mul(sv, xw), f64x2.mul(cv, yw)), 16);
    }
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      v128.store(x + o, f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv)));
      v128.store(y + o, f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 3;
      const xs = load<f64>(x + o), ys = load<f64>(y + o);
      store<f64>(x + o, c * xs - s * ys);
      store<f64>(y + o, s * xs + c * ys);
    }
  } else {
    const cf = <f32>c, sf = <f32>s;
    const cv = f32x4.splat(cf), sv = f32x4.splat(sf);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xw = v128.load(x + o, 16), yw = v128.load(y + o, 16);
      v128.store(x + o, f32x4.sub(f32x4.mul(cv, xv), f32x4.mul(sv, yv)));
      v128.store(y + o, f32x4.add(f32x4.mul(sv, xv), f32x4.mul(cv, yv)));
      v128.store(x + o, f32x4.sub(f32x4.mul(cv, xw), f32x4.mul(sv, yw)), 16);
      v128.store(y + o, f32x4.add(f32x4.mul(sv, xw), f32x4.mul(cv, yw)), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      v128.store(x + o, f32x4.sub(f32x4.mul(cv, xv), f32x4.mul(sv, yv)));
      v128.store(y + o, f32x4.add(f32x4.mul(sv, xv), f32x4.mul(cv, yv)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xs = load<f32>(x + o), ys = load<f32>(y + o);
      store<f32>(x + o, cf * xs - sf * ys);
      store<f32>(y + o, sf * xs + cf * ys);
    }
  }
}

/**
 * rot() that also returns the squared norms of the rotated vectors in rotA / rotB, computed from
 * the stored values in the same pass (no extra memory traffic, no norm-update cancellation).
 */
@inline export function rotNorm<T>(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  let i = 0;
  let na: f64 = 0, nb: f64 = 0;
  if (sizeof<T>() == 8) {
    const cv = f64x2.splat(c), sv = f64x2.splat(s);
    let ax = f64x2.splat(0), ay = f64x2.splat(0), bx = f64x2.splat(0), by = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 3;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xw = v128.load(x + o, 16), yw = v128.load(y + o, 16);
      const xn = f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv));
      const yn = f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv));
      const xm = f64x2.sub(f64x2.mul(cv, xw), f64x2.mul(sv, yw));
      const ym = f64x2.add(f64x2.mul(sv, xw), f64x2.mul(cv, yw));
      v128.store(x + o, xn);
      v128.store(y + o, yn);
      v128.store(x + o, xm, 16);
      v128.store(y + o, ym, 16);
      ax = f64x2.add(ax, f64x2.mul(xn, xn));
      ay = f64x2.add(ay, f64x2.mul(yn, yn));
      bx = f64x2.add(bx, f64x2.mul(xm, xm));
      by = f64x2.add(by, f64x2.mul(ym, ym));
    }
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xn = f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv));
      const yn = f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv));
      v128.store(x + o, xn);
      v128.store(y + o, yn);
      ax = f64x2.add(ax, f64x2.mul(xn, xn));
      ay = f64x2.add(ay, f64x2.mul(yn, yn));
    }
    ax = f64x2.add(ax, bx);
    ay = f64x2.add(ay, by);
    na = f64x2.extract_lane(ax, 0) + f64x2.extract_lane(ax, 1);
    nb = f64x2.extract_lane(ay, 0) + f64x2.extract_lane(ay, 1);
    for (; i < n; i++) {
      const o = <usize>i << 3;
      const xs = load<f64>(x + o), ys = load<f64>(y + o);
      const xn = c * xs - s * ys, yn = s * xs + c * ys;
      store<f64>(x + o, xn);
      store<f64>(y + o, yn);
      na += xn * xn;
      nb += yn * yn;
    }
  } else {
    const cf = <f32>c, sf = <f32>s;
    const cv = f32x4.splat(cf), sv = f32x4.splat(sf);
    let ax = f32x4.splat(0), ay = f32x4.splat(0), bx = f32x4.splat(0), by = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xw = v128.load(x + o, 16), yw = v128.load(y + o, 16);
      const xn = f32x4.sub(f32x4.mul(cv, xv), f32x4.mul(sv, yv));
      const yn = f32x4.add(f32x4.mul(sv, xv), f32x4.mul(cv, yv));
      const xm = f32x4.sub(f32x4.mul(cv, xw), f32x4.mul(sv, yw));
      const ym = f32x4.add(f32x4.mul(sv, xw), f32x4.mul(cv, yw));
      v128.store(x + o, xn);
      v128.store(y + o, yn);
      v128.store(x + o, xm, 16);
      v128.store(y + o, ym, 16);
      ax = f32x4.add(ax, f32x4.mul(xn, xn));
      ay = f32x4.add(ay, f32x4.mul(yn, yn));
      bx = f32x4.add(bx, f32x4.mul(xm, xm));
      by = f32x4.add(by, f32x4.mul(ym, ym));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o), yv = v128.load(y + o);
      const xn = f32x4.sub(f32x4.mul(cv, xv), f32x4.mul(sv, yv));
      const yn = f32x4.add(f32x4.mul(sv, xv), f32x4.mul(cv, yv));
      v128.store(x + o, xn);
      v128.store(y + o, yn);
      ax = f32x4.add(ax, f32x4.mul(xn, xn));
      ay = f32x4.add(ay, f32x4.mul(yn, yn));
    }
    ax = f32x4.add(ax, bx);
    ay = f32x4.add(ay, by);
    let ta: f32 = f32x4.extract_lane(ax, 0) + f32x4.extract_lane(ax, 1) + f32x4.extract_lane(ax, 2) + f32x4.extract_lane(ax, 3);
    let tb: f32 = f32x4.extract_lane(ay, 0) + f32x4.extract_lane(ay, 1) + f32x4.extract_lane(ay, 2) + f32x4.extract_lane(ay, 3);
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const xs = load<f32>(x + o), ys = load<f32>(y + o);
      const xn = cf * xs - sf * ys, yn = sf * xs + cf * ys;
      store<f32>(x + o, xn);
      store<f32>(y + o, yn);
      ta += xn * xn;
      tb += yn * yn;
    }
    na = <f64>ta;
    nb = <f64>tb;
  }
  rotA = na;
  rotB = nb;
}

/** x ← alpha·x over n elements. */
@inline export function scal<T>(x: usize, n: i32, alpha: f64): void {
  const es = <usize>sizeof<T>();
  for (let i = 0; i < n; i++) {
    const p = x + <usize>i * es;
    store<T>(p, <T>(<f64>load<T>(p) * alpha));
  }
}

/** Swaps n elements of x and y. */
@inline export function swap<T>(x: usize, y: usize, n: i32): void {
  const bytes = <usize>n * sizeof<T>();
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const t = v128.load(x + o);
    v128.store(x + o, v128.load(y + o));
    v128.store(y + o, t);
  }
  for (; o < bytes; o += sizeof<T>()) {
    const t = load<T>(x + o);
    store<T>(x + o, load<T>(y + o));
    store<T>(y + o, t);
  }
}

/** Sets n elements of x to zero. */
@inline export function zero<T>(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n * sizeof<T>());
}
