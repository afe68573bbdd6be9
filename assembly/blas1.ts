// Matrix–vector kernels for the Krylov solvers (src/linalg/lanczos.ts): a basis of long vectors
// kept in WASM memory is orthogonalised against with these, four basis rows per pass over the
// vector so that the long vector is streamed once per four rows instead of once per row.
// float64 and float32 from one generic body; v128 body plus scalar tail.

@inline function lanes<T>(): i32 { return 16 / sizeof<T>(); }

@inline function hsum<T>(v: v128): f64 {
  if (sizeof<T>() == 8) return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

// y[i] = alpha·⟨A[i,:], x⟩ + beta·y[i] for i < m (A m×n row-major with row stride lda)
@inline function gemvNT<T>(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  const ld = <usize>lda * es;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = aPtr + <usize>i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
    let s0 = v128.splat<T>(<T>0), s1 = s0, s2 = s0, s3 = s0;
    let j = 0;
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      const xv = v128.load(xPtr + o);
      s0 = v128.add<T>(s0, v128.mul<T>(v128.load(r0 + o), xv));
      s1 = v128.add<T>(s1, v128.mul<T>(v128.load(r1 + o), xv));
      s2 = v128.add<T>(s2, v128.mul<T>(v128.load(r2 + o), xv));
      s3 = v128.add<T>(s3, v128.mul<T>(v128.load(r3 + o), xv));
    }
    let t0 = hsum<T>(s0), t1 = hsum<T>(s1), t2 = hsum<T>(s2), t3 = hsum<T>(s3);
    for (; j < n; j++) {
      const o = <usize>j * es;
      const xv = <f64>load<T>(xPtr + o);
      t0 += <f64>load<T>(r0 + o) * xv; t1 += <f64>load<T>(r1 + o) * xv;
      t2 += <f64>load<T>(r2 + o) * xv; t3 += <f64>load<T>(r3 + o) * xv;
    }
    const y = yPtr + <usize>i * es;
    store<T>(y, <T>(alpha * t0 + (beta == 0 ? 0 : beta * <f64>load<T>(y))));
    store<T>(y + es, <T>(alpha * t1 + (beta == 0 ? 0 : beta * <f64>load<T>(y + es))));
    store<T>(y + 2 * es, <T>(alpha * t2 + (beta == 0 ? 0 : beta * <f64>load<T>(y + 2 * es))));
    store<T>(y + 3 * es, <T>(alpha * t3 + (beta == 0 ? 0 : beta * <f64>load<T>(y + 3 * es))));
  }
  for (; i < m; i++) {
    const r = aPtr + <usize>i * ld;
    let s = v128.splat<T>(<T>0);
    let j = 0;
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      s = v128.add<T>(s, v128.mul<T>(v128.load(r + o), v128.load(xPtr + o)));
    }
    let t = hsum<T>(s);
    for (; j < n; j++) t += <f64>load<T>(r + <usize>j * es) * <f64>load<T>(xPtr + <usize>j * es);
    const y = yPtr + <usize>i * es;
    store<T>(y, <T>(alpha * t + (beta == 0 ? 0 : beta * <f64>load<T>(y))));
  }
}

// y[j] = beta·y[j] + alpha·Σ_i A[i,j]·x[i] for j < n (A m×n row-major with row stride lda)
@inline function gemvTT<T>(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  const ld = <usize>lda * es;
  if (beta != 1) {
    for (let j = 0; j < n; j++) {
      const y = yPtr + <usize>j * es;
      store<T>(y, beta == 0 ? <T>0 : <T>(beta * <f64>load<T>(y)));
    }
  }
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = aPtr + <usize>i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
    const c0 = <T>(alpha * <f64>load<T>(xPtr + <usize>i * es)), c1 = <T>(alpha * <f64>load<T>(xPtr + <usize>(i + 1) * es));
    const c2 = <T>(alpha * <f64>load<T>(xPtr + <usize>(i + 2) * es)), c3 = <T>(alpha * <f64>load<T>(xPtr + <usize>(i + 3) * es));
    const v0 = v128.splat<T>(c0), v1 = v128.splat<T>(c1), v2 = v128.splat<T>(c2), v3 = v128.splat<T>(c3);
    let j = 0;
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      let acc = v128.load(yPtr + o);
      acc = v128.add<T>(acc, v128.mul<T>(v128.load(r0 + o), v0));
      acc = v128.add<T>(acc, v128.mul<T>(v128.load(r1 + o), v1));
      acc = v128.add<T>(acc, v128.mul<T>(v128.load(r2 + o), v2));
      acc = v128.add<T>(acc, v128.mul<T>(v128.load(r3 + o), v3));
      v128.store(yPtr + o, acc);
    }
    for (; j < n; j++) {
      const o = <usize>j * es;
      store<T>(yPtr + o, load<T>(yPtr + o) + load<T>(r0 + o) * c0 + load<T>(r1 + o) * c1 + load<T>(r2 + o) * c2 + load<T>(r3 + o) * c3);
    }
  }
  for (; i < m; i++) {
    const r = aPtr + <usize>i * ld;
    const c = <T>(alpha * <f64>load<T>(xPtr + <usize>i * es));
    const v = v128.splat<T>(c);
    let j = 0;
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      v128.store(yPtr + o, v128.add<T>(v128.load(yPtr + o), v128.mul<T>(v128.load(r + o), v)));
    }
    for (; j < n; j++) {
      const o = <usize>j * es;
      store<T>(yPtr + o, load<T>(yPtr + o) + load<T>(r + o) * c);
    }
  }
}

/** f64 y (m) = alpha·A·x + beta·y; A (m×n, row stride lda), x (n). y must not alias A or x. beta = 0 ignores y's contents. */
export function gemvNF64(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  gemvNT<f64>(m, n, alpha, aPtr, lda, xPtr, beta, yPtr);
}
/** f32 twin of gemvNF64 (accumulates each dot in f64 after the SIMD lanes). */
export function gemvNF32(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  gemvNT<f32>(m, n, alpha, aPtr, lda, xPtr, beta, yPtr);
}
/** f64 y (n) = alpha·Aᵀ·x + beta·y; A (m×n, row stride lda), x (m). y must not alias A or x. */
export function gemvTF64(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  gemvTT<f64>(m, n, alpha, aPtr, lda, xPtr, beta, yPtr);
}
/** f32 twin of gemvTF64. */
export function gemvTF32(m: i32, n: i32, alpha: f64, aPtr: usize, lda: i32, xPtr: usize, beta: f64, yPtr: usize): void {
  gemvTT<f32>(m, n, alpha, aPtr, lda, xPtr, beta, yPtr);
}

// Level-1 kernels for solvers whose vectors live in WASM memory (projectToNullSpace's fast path).

@inline function dotT<T>(n: i32, xPtr: usize, yPtr: usize): f64 {
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  let s0 = v128.splat<T>(<T>0), s1 = s0;
  let j = 0;
  for (; j + 2 * L <= n; j += 2 * L) {
    const o = <usize>j * es;
    s0 = v128.add<T>(s0, v128.mul<T>(v128.load(xPtr + o), v128.load(yPtr + o)));
    s1 = v128.add<T>(s1, v128.mul<T>(v128.load(xPtr + o, 16), v128.load(yPtr + o, 16)));
  }
  let t = hsum<T>(v128.add<T>(s0, s1));
  for (; j < n; j++) t += <f64>load<T>(xPtr + <usize>j * es) * <f64>load<T>(yPtr + <usize>j * es);
  return t;
}

// y = alpha·x + beta·y (beta = 1: axpy; alpha = 1: xpby)
@inline function axpbyT<T>(n: i32, alpha: f64, xPtr: usize, beta: f64, yPtr: usize): void {
  const es = <usize>sizeof<T>();
  const L = lanes<T>();
  const a = v128.splat<T>(<T>alpha), b = v128.splat<T>(<T>beta);
  let j = 0;
  if (beta == 1) {
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      v128.store(yPtr + o, v128.add<T>(v128.load(yPtr + o), v128.mul<T>(a, v128.load(xPtr + o))));
    }
  } else {
    for (; j + L <= n; j += L) {
      const o = <usize>j * es;
      v128.store(yPtr + o, v128.add<T>(v128.mul<T>(b, v128.load(yPtr + o)), v128.mul<T>(a, v128.load(xPtr + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j * es;
    store<T>(yPtr + o, <T>(alpha * <f64>load<T>(xPtr + o) + beta * <f64>load<T>(yPtr + o)));
  }
}

/** ⟨x, y⟩ of two f64 vectors of length n (two v128 accumulators, then the tail). */
export function dotF64(n: i32, xPtr: usize, yPtr: usize): f64 { return dotT<f64>(n, xPtr, yPtr); }
/** ⟨x, y⟩ of two f32 vectors, returned as f64. */
export function dotF32(n: i32, xPtr: usize, yPtr: usize): f64 { return dotT<f32>(n, xPtr, yPtr); }
/** f64 y (n) = alpha·x + beta·y in place; x may equal y. */
export function axpbyF64(n: i32, alpha: f64, xPtr: usize, beta: f64, yPtr: usize): void { axpbyT<f64>(n, alpha, xPtr, beta, yPtr); }
/** f32 y (n) = alpha·x + beta·y in place. */
export function axpbyF32(n: i32, alpha: f64, xPtr: usize, beta: f64, yPtr: usize): void { axpbyT<f32>(n, alpha, xPtr, beta, yPtr); }
