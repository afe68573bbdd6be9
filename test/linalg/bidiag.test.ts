import t from 'tap';
import { bidiagSingularValues, BIDIAG_QR_RATIO } from '../../src/linalg/bidiag.js';
import { svd } from '../../src/linalg/svd.js';
import { randn } from '../../src/linalg/random.js';
import { core } from '../../src/core/index.js';
import { withSingularValues, graded } from './svd-fixtures.js';
import { noNumpy, numpy } from './numpy.js';

const EPS = 2 ** -52;

/** max_i |x_i − y_i| */
function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < y.length; i++) w = Math.max(w, Math.abs(x[i]! - y[i]!));
  return w;
}

/** s descending, random in [1, 10] */
function spread(k: number, seed: number): Float64Array {
  const r = randn(k, seed);
  return Float64Array.from(r, (x) => 1 + 9 * (0.5 + 0.5 * Math.tanh(x))).sort().reverse();
}

/** The absolute bound this path promises: 10·max(m, n)·eps·σmax. */
function bound(m: number, n: number, smax: number): number {
  return 10 * Math.max(m, n) * EPS * smax;
}

t.test('bidiagSingularValues(A) reproduces prescribed σ to 10·max(m, n)·eps·σmax: square, tall 20:1, wide, QR crossover', (t) => {
  const shapes = [[40, 40], [200, 10], [10, 200], [60, 35], [35, 60], [52, 40], [40, 52]] as const;
  for (const [m, n] of shapes) {
    const k = Math.min(m, n);
    const s = spread(k, m * 7 + n);
    const r = bidiagSingularValues(withSingularValues(m, n, s, m + 3 * n), m, n);
    t.equal(r.path, 'bidiag');
    t.equal(r.s.length, k);
    for (let i = 1; i < k; i++) if (r.s[i]! > r.s[i - 1]!) t.fail(`${m}×${n}: not descending at ${i}`);
    const err = maxAbsDiff(r.s, s);
    t.ok(err <= bound(m, n, s[0]!), `${m}×${n}: max |σ − s| = ${(err / s[0]!).toExponential(2)}·σmax`);
  }
  t.ok(Math.max(60, 35) > BIDIAG_QR_RATIO * 35 && 52 < BIDIAG_QR_RATIO * 40, 'the shapes take both sides of the QR crossover');
  t.end();
});

t.test('bidiagSingularValues(A) of an exactly rank-deficient A: the zero σ come out ≤ 10·max(m, n)·eps·σmax', (t) => {
  for (const [m, n, r] of [[50, 50, 30], [80, 30, 12], [30, 80, 29], [25, 25, 1]] as const) {
    const k = Math.min(m, n);
    const s = new Float64Array(k);
    s.set(spread(r, r + m), 0);
    const got = bidiagSingularValues(withSingularValues(m, n, s, 11 * m + n), m, n).s;
    const tol = bound(m, n, s[0]!);
    let worstZero = 0;
    for (let i = r; i < k; i++) worstZero = Math.max(worstZero, got[i]!);
    t.ok(worstZero <= tol, `${m}×${n} rank ${r}: largest "zero" σ = ${(worstZero / s[0]!).toExponential(2)}·σmax`);
    t.ok(maxAbsDiff(got.subarray(0, r), s.subarray(0, r)) <= tol, `${m}×${n}: the nonzero σ`);
    // the rank at numpy's float64 rule is exact
    let rank = 0;
    for (const x of got) if (x > got[0]! * Math.max(m, n) * EPS * 100) rank++;
    t.equal(rank, r, `${m}×${n}: rank ${r} at 100·max(m, n)·eps`);
  }
  t.end();
});

t.test('bidiagSingularValues(A) with graded σ from 1 to 1e-12: absolute error ≤ 10·max(m, n)·eps·σmax', (t) => {
  for (const [m, n] of [[60, 60], [120, 40], [40, 120]] as const) {
    const s = graded(Math.min(m, n), 12);
    const got = bidiagSingularValues(withSingularValues(m, n, s, m + n), m, n).s;
    const err = maxAbsDiff(got, s);
    t.ok(err <= bound(m, n, 1), `${m}×${n}: max |σ − s| = ${err.toExponential(2)}`);
    // σ well above the error level keep their relative accuracy too
    t.ok(Math.abs(got[10]! - s[10]!) / s[10]! < 1e-10, `${m}×${n}: σ_10 = ${s[10]!.toExponential(2)} to 1e-10 relative`);
  }
  t.end();
});

t.test('bidiagSingularValues(A) of 1×n, n×1, zero and empty matrices', (t) => {
  const row = Float64Array.from([3, -4, 0, 12]);
  t.ok(Math.abs(bidiagSingularValues(row, 1, 4).s[0]! - 13) <= 4 * EPS * 13, '1×4: the 2-norm');
  t.ok(Math.abs(bidiagSingularValues(row, 4, 1).s[0]! - 13) <= 4 * EPS * 13, '4×1: the 2-norm');
  t.same(Array.from(bidiagSingularValues(new Float64Array(12), 3, 4).s), [0, 0, 0]);
  t.same(Array.from(bidiagSingularValues(new Float64Array(12), 4, 3).s), [0, 0, 0]);
  t.equal(bidiagSingularValues(new Float64Array(0), 0, 5).s.length, 0);
  t.equal(bidiagSingularValues(new Float64Array(0), 5, 0).s.length, 0);
  // one huge entry among tiny ones: the 1/max|a| scaling keeps f² + g² in range
  const a = new Float64Array(9).fill(1e-200);
  a[4] = 1e300;
  const s = bidiagSingularValues(a, 3, 3).s;
  t.ok(Math.abs(s[0]! - 1e300) <= 1e300 * 10 * EPS && s[2]! <= 1e300 * 30 * EPS, `σ = ${Array.from(s).map((x) => x.toExponential(2))}`);
  t.end();
});

t.test('bidiagSingularValues(A) on SIMD-tail sizes 1, 2, 3, 5 agrees with Jacobi within 10·max(m, n)·eps·σmax', (t) => {
  for (const k of [1, 2, 3, 5]) {
    for (const [m, n] of [[k, k], [k + 2, k], [k, k + 3], [4 * k + 1, k], [k, 20 * k]]) {
      const a = randn(m! * n!, 13 * k + m!);
      const got = bidiagSingularValues(a, m!, n!).s;
      const ref = svd(a, m!, n!, { compute: 'none' }).s;
      t.ok(maxAbsDiff(got, ref) <= bound(m!, n!, ref[0]!), `${m}×${n}`);
    }
  }
  t.end();
});

t.test('bidiagSingularValues(A) agrees with Jacobi svd(…, {compute: "none"}) on random matrices', (t) => {
  for (const [m, n] of [[64, 147], [147, 64], [100, 100], [300, 37], [37, 300]] as const) {
    const a = randn(m * n, m * 3 + n);
    const got = bidiagSingularValues(a, m, n).s;
    const ref = svd(a, m, n, { compute: 'none' }).s;
    const err = maxAbsDiff(got, ref);
    t.ok(err <= bound(m, n, ref[0]!), `${m}×${n}: ${(err / ref[0]!).toExponential(2)}·σmax`);
  }
  t.end();
});

t.test('bidiagSingularValues(A) takes Float32Array input and leaves A unchanged', (t) => {
  const a64 = randn(23 * 17, 5);
  const a32 = Float32Array.from(a64);
  const copy = a32.slice();
  const from32 = bidiagSingularValues(a32, 23, 17).s;
  const from64 = bidiagSingularValues(Float64Array.from(a32), 23, 17).s;
  t.ok(maxAbsDiff(from32, from64) === 0, 'the same values as the float64 copy');
  t.same(a32, copy);
  t.end();
});

t.test('bidiagSingularValues(A) agrees with numpy.linalg.svd', { skip: noNumpy }, (t) => {
  for (const [m, n, r] of [[64, 147, 64], [150, 40, 40], [70, 70, 50]] as const) {
    const k = Math.min(m, n);
    const s = new Float64Array(k);
    s.set(graded(r, 6), 0);
    const a = withSingularValues(m, n, s, 2 * m + n);
    const ref = numpy(`out = np.linalg.svd(arrays[0].reshape(${m}, ${n}), compute_uv=False)`, [a]);
    const err = maxAbsDiff(bidiagSingularValues(a, m, n).s, ref);
    t.ok(err <= bound(m, n, ref[0]!), `${m}×${n} rank ${r}: max |σ − σ_numpy| = ${(err / ref[0]!).toExponential(2)}·σmax`);
  }
  t.end();
});

t.test('bidiagSingularValues: bad arguments throw clear errors', (t) => {
  const a = new Float64Array(6);
  const op = 'bidiagSingularValues';
  t.throws(() => bidiagSingularValues(a, -1, 3), { name: 'RangeError', message: new RegExp(`^Expected an integer between 0 and \\d+ for ${op} m but received -1 of type number$`) });
  t.throws(() => bidiagSingularValues(a, 2, 1.5), { name: 'TypeError', message: new RegExp(`^Expected an integer between 0 and \\d+ for ${op} n but received 1.5 of type number$`) });
  t.throws(() => bidiagSingularValues([1, 2] as unknown as Float64Array, 1, 2), { name: 'TypeError', message: new RegExp(`^Expected a Float64Array or Float32Array for ${op} a but received 1,2 of type array$`) });
  t.throws(() => bidiagSingularValues(a, 2, 4), { name: 'RangeError', message: new RegExp(`^Expected length 8 \\(m·n = 2·4\\) for ${op} a but received length 6$`) });
  t.throws(() => bidiagSingularValues(new Float64Array([1, 2, NaN, 4, 5, 6]), 2, 3), { name: 'RangeError', message: new RegExp(`^${op}: a contains a non-finite value \\(NaN\\) at index 2$`) });
  t.throws(() => bidiagSingularValues(new Float32Array([1, 2, 3, 4, 5, -Infinity]), 3, 2), { name: 'RangeError', message: new RegExp(`^${op}: a contains a non-finite value \\(-Infinity\\) at index 5$`) });
  t.end();
});

t.test('bidiagSingularValues: the arena returns to its baseline, also after a throw', (t) => {
  const before = { live: core.allocations, used: core.used };
  bidiagSingularValues(randn(90 * 20, 1), 90, 20);
  bidiagSingularValues(randn(20 * 30, 2), 20, 30);
  bidiagSingularValues(new Float64Array(20), 4, 5);
  t.throws(() => bidiagSingularValues(new Float64Array([0, Infinity]), 1, 2), RangeError);
  t.equal(core.allocations, before.live);
  t.equal(core.used, before.used);
  t.end();
});

t.test('kernels: bidiagValuesF64 on hand-checked bidiagonals, bidiagonalizeF64 keeps the Frobenius norm', (t) => {
  const K = core.kernels;
  const before = core.allocations;
  core.scoped(() => {
    // [[3, 4], [0, 0]]: σ = 5, 0; [[0, 1, 0], [0, 0, 1], [0, 0, 0]] (a shift matrix): σ = 1, 1, 0
    for (const [d0, e0, want] of [[[3, 0], [4], [5, 0]], [[0, 0, 0], [1, 1], [1, 1, 0]], [[-2, 1], [0], [2, 1]]] as const) {
      const n = d0.length;
      const d = core.put(Float64Array.from(d0)), e = core.put(Float64Array.from([...e0, 0]));
      t.equal(K.bidiagValuesF64(d, e, n, core.alloc(5 * n * 8)), 0);
      t.ok(maxAbsDiff(core.f64(d, n), want) <= 4 * EPS, `d = [${d0}], e = [${e0}] → [${Array.from(core.f64(d, n))}]`);
    }
    // longer bidiagonals against Jacobi on the dense matrix: dqds (no zeros) and the QR fallback (a zero in d, in e)
    for (const [zeroD, zeroE] of [[-1, -1], [7, -1], [-1, 12]]) {
      const n = 30;
      const dv = randn(n, 40 + zeroD), ev = randn(n, 50 + zeroE);
      if (zeroD >= 0) dv[zeroD] = 0;
      if (zeroE >= 0) ev[zeroE] = 0;
      ev[n - 1] = 0;
      const dense = new Float64Array(n * n);
      for (let i = 0; i < n; i++) { dense[i * n + i] = dv[i]!; if (i + 1 < n) dense[i * n + i + 1] = ev[i]!; }
      const ref = svd(dense, n, n).s;
      const d = core.put(dv), e = core.put(ev);
      t.equal(K.bidiagValuesF64(d, e, n, core.alloc(5 * n * 8)), 0);
      const err = maxAbsDiff(core.f64(d, n), ref);
      t.ok(err <= 4 * n * EPS * ref[0]!, `30-long bidiagonal, zero d at ${zeroD}, zero e at ${zeroE}: ${(err / ref[0]!).toExponential(2)}·σmax`);
    }
    // a 5 × 3 column set (3 rows of stride 6): ‖B‖_F = ‖A‖_F, B upper bidiagonal
    const len = 5, k = 3, ld = 6;
    const x = core.alloc(k * ld * 8);
    const a = randn(k * ld, 4);
    for (let j = 0; j < k; j++) a.fill(0, j * ld + len, (j + 1) * ld);
    core.f64(x, k * ld).set(a);
    const d = core.alloc(k * 8), e = core.alloc(k * 8), w = core.alloc(K.bidiagWorkElems(k, len) * 8);
    K.bidiagonalizeF64(x, k, len, ld, d, e, w);
    let fa = 0, fb = 0;
    for (const v of a) fa += v * v;
    for (const v of core.f64(d, k)) fb += v * v;
    for (const v of core.f64(e, k)) fb += v * v;
    t.ok(Math.abs(fa - fb) <= 20 * EPS * fa, `‖A‖² = ${fa}, ‖B‖² = ${fb}`);
    t.equal(core.f64(e, k)[k - 1], 0, 'e[k − 1] = 0');
    // maxAbsF64 reports a non-finite entry as NaN/Infinity
    t.equal(K.maxAbsF64(core.put(Float64Array.from([1, -7, 2])), 3), 7);
    t.ok(Number.isNaN(K.maxAbsF64(core.put(Float64Array.from([1, NaN, 2, 3, 4])), 5)));
  });
  t.equal(core.allocations, before);
  t.end();
});
