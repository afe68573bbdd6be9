import t from 'tap';
import { core } from '../../src/core/index.js';
import { axpy, dot, gemv, nrm2, scal } from '../../src/linalg/blas1.js';
import { randn } from '../../src/linalg/random.js';
import { naiveGemm } from './naive.js';

t.test('dot/nrm2/axpy/scal agree with plain sums and do not overflow', (t) => {
  for (const n of [0, 1, 2, 3, 5, 17]) {
    const x = randn(n, n), y = randn(n, n + 1);
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * y[i]!;
    t.ok(Math.abs(dot(x, y) - s) <= 1e-14 * (1 + Math.abs(s)), `dot n=${n}`);
    t.ok(Math.abs(nrm2(x) - Math.sqrt(dot(x, x))) <= 1e-14 * (1 + nrm2(x)), `nrm2 n=${n}`);
    const z = y.slice();
    t.equal(axpy(2, x, z), z);
    t.ok(z.every((v, i) => Math.abs(v - (y[i]! + 2 * x[i]!)) <= 1e-15 * (1 + Math.abs(v))), `axpy n=${n}`);
    t.same(Array.from(scal(0.5, x.slice())), Array.from(x, (v) => v * 0.5));
  }
  t.ok(Math.abs(nrm2(new Float64Array([3e200, 4e200])) / 5e200 - 1) <= 4e-16, 'no overflow');
  t.ok(Math.abs(nrm2(new Float64Array([3e-200, 4e-200])) / 5e-200 - 1) <= 4e-16, 'no underflow');
  t.throws(() => dot(new Float64Array(2), new Float64Array(3)), /Expected length 2 for y but received length 3/);
  t.end();
});

t.test('gemv(a, x, m, n) matches the triple loop for both orientations, dtypes and tail sizes', (t) => {
  const base = core.allocations;
  let worst64 = 0, worst32 = 0;
  for (const m of [1, 2, 3, 5, 9]) for (const n of [1, 2, 3, 5, 11]) for (const trans of [false, true]) {
    const a = randn(m * n, m * 31 + n), x = randn(trans ? m : n, 7), y0 = randn(trans ? n : m, 8);
    // y = 1.5·op(A)·x − 0.5·y0 as a GEMM with one column
    const ref = naiveGemm(a, x, trans ? n : m, 1, trans ? m : n, trans, false, 1.5, -0.5, y0);
    const got = gemv(a, x, m, n, { trans, alpha: 1.5, beta: -0.5, y: y0.slice() });
    got.forEach((v, i) => { worst64 = Math.max(worst64, Math.abs(v - ref[i]!) / (1 + Math.abs(ref[i]!))); });
    const g32 = gemv(Float32Array.from(a), Float32Array.from(x), m, n, { trans, alpha: 1.5, beta: -0.5, y: Float32Array.from(y0) });
    g32.forEach((v, i) => { worst32 = Math.max(worst32, Math.abs(v - ref[i]!) / (1 + Math.abs(ref[i]!))); });
  }
  t.ok(worst64 <= 1e-14, `float64 worst ${worst64}`);
  t.ok(worst32 <= 1e-5, `float32 worst ${worst32}`);
  t.equal(core.allocations, base);
  t.end();
});

t.test('gemv(a, x, m, n, {y}) writes a separate output, may alias x, and leaves inputs unchanged', (t) => {
  const a = randn(9, 1), x = randn(3, 2), a0 = a.slice(), x0 = x.slice();
  const ref = gemv(a, x, 3, 3);
  t.same(a, a0); t.same(x, x0);
  const alias = x.slice();
  gemv(a, alias, 3, 3, { y: alias });
  t.same(alias, ref, 'y aliasing x');
  t.end();
});

t.test('gemv rejects bad arguments with clear messages', (t) => {
  const a = new Float64Array(6);
  t.throws(() => gemv(a, new Float64Array(2), 2, 3), /Expected length 3 for x but received length 2/);
  t.throws(() => gemv(a, new Float64Array(3), 2, 3, { beta: 1 }), /Expected an initial y when beta ≠ 0 for y/);
  t.throws(() => gemv(a, new Float64Array([1, NaN, 0]), 2, 3), /Expected finite values for x but received NaN at index 1/);
  t.throws(() => gemv(a, new Float64Array(3), -1, 3), /for m but received -1/);
  t.end();
});

t.test('dotF64/axpbyF64 kernels (and f32 twins) handle SIMD tails 1, 2, 3, 5 and beyond', (t) => {
  const base = core.allocations;
  core.scoped(() => {
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const x = randn(n, n), y = randn(n, 50 + n);
      for (const f64 of [true, false]) {
        const put = (a: Float64Array) => core.put(f64 ? a : Float32Array.from(a));
        const xp = put(x), yp = put(y);
        const k = core.kernels;
        const d = f64 ? k.dotF64(n, xp, yp) : k.dotF32(n, xp, yp);
        let ref = 0;
        for (let i = 0; i < n; i++) ref += x[i]! * y[i]!;
        t.ok(Math.abs(d - ref) <= (f64 ? 1e-14 : 1e-5) * (1 + Math.abs(ref)), `dot n=${n} ${f64 ? 'f64' : 'f32'}`);
        (f64 ? k.axpbyF64 : k.axpbyF32)(n, 2, xp, -0.5, yp);
        const got = f64 ? core.f64(yp, n) : core.f32(yp, n);
        t.ok(Array.from(got).every((g, i) => Math.abs(g - (2 * x[i]! - 0.5 * y[i]!)) <= (f64 ? 1e-15 : 1e-6) * 4), `axpby n=${n}`);
        (f64 ? k.axpbyF64 : k.axpbyF32)(n, 1, xp, 1, xp); // y may equal x: x ← 2x
        const twice = f64 ? core.f64(xp, n) : core.f32(xp, n);
        t.ok(Array.from(twice).every((g, i) => Math.abs(g - 2 * x[i]!) <= (f64 ? 1e-15 : 1e-6) * 4), `axpby in place n=${n}`);
      }
    }
  });
  t.equal(core.allocations, base);
  t.end();
});
