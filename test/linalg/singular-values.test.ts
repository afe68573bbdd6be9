import t from 'tap';
import { singularValues } from '../../src/linalg/singular-values.js';
import { svd } from '../../src/linalg/svd.js';
import { gramMinRtol } from '../../src/linalg/tolerance.js';
import { randn } from '../../src/linalg/random.js';
import { withSingularValues, maxRel } from './svd-fixtures.js';
import { noNumpy, numpy } from './numpy.js';

t.test('the Gram path agrees with Jacobi where it is valid (σ ≥ 1e-3·σmax)', (t) => {
  for (const [m, n] of [[40, 90], [90, 40], [33, 33], [1, 7], [7, 1], [2, 3], [5, 2]] as const) {
    const k = Math.min(m, n);
    const s = Float64Array.from({ length: k }, (_, i) => 10 ** (-3 * i / Math.max(1, k - 1)));
    const a = withSingularValues(m, n, s, 17 + m);
    const g = singularValues(a, m, n, { method: 'gram' });
    const j = singularValues(a, m, n, { method: 'jacobi' });
    t.equal(g.path, 'gram-eig');
    t.equal(j.path, 'jacobi');
    t.ok(j.sweeps! >= 1);
    t.ok(maxRel(j.s, s) <= 1e-12, `${m}×${n}: Jacobi to ${maxRel(j.s, s).toExponential(2)}`);
    // Gram error ≈ c·eps·σmax²/σ: 1e-9 relative at σ = 1e-3 σmax leaves a wide margin
    t.ok(maxRel(g.s, j.s) <= 1e-9, `${m}×${n}: Gram vs Jacobi ${maxRel(g.s, j.s).toExponential(2)}`);
  }
  t.end();
});

t.test('the Gram path on hard spectra: repeated, clustered, zero, rank-deficient and 300 values (rational QL)', (t) => {
  const cases: [string, number, number, (i: number, k: number) => number][] = [
    ['all equal', 40, 70, () => 1],
    ['two clusters', 64, 147, (i) => (i < 32 ? 1 + 1e-9 * i : 0.5 - 1e-9 * i)],
    ['half zero', 50, 80, (i, k) => (i < k / 2 ? 1 / (1 + i) : 0)],
    ['one nonzero', 30, 45, (i) => (i === 0 ? 3 : 0)],
    ['300 values, graded to 1e-3', 300, 420, (i, k) => 10 ** (-3 * i / (k - 1))],
    ['alternating pairs', 60, 60, (i) => (i % 2 ? 0.25 : 0.75)],
  ];
  for (const [label, m, n, f] of cases) {
    const k = Math.min(m, n);
    const s = Float64Array.from({ length: k }, (_, i) => f(i, k)).sort().reverse();
    const a = withSingularValues(m, n, s, m + n);
    const g = singularValues(a, m, n, { method: 'gram' });
    t.equal(g.path, 'gram-eig');
    // absolute error ≈ √(k·eps)·σmax at worst for a zero σ (√ of an eigenvalue error of eps·σmax²)
    let worst = 0;
    for (let i = 0; i < k; i++) worst = Math.max(worst, Math.abs(g.s[i]! - s[i]!));
    t.ok(worst <= 1e-7 * s[0]!, `${label}: max |σ − σ_true| = ${(worst / s[0]!).toExponential(2)}·σmax`);
    for (let i = 1; i < k; i++) if (g.s[i]! > g.s[i - 1]!) { t.fail(`${label}: not descending at ${i}`); break; }
  }
  t.end();
});

t.test('the Gram path loses the small singular values that Jacobi keeps', (t) => {
  const s = Float64Array.from({ length: 20 }, (_, i) => 10 ** (-i * 0.7)); // down to 1e-13.3
  const a = withSingularValues(30, 20, s, 3);
  const g = singularValues(a, 30, 20, { method: 'gram' });
  const j = singularValues(a, 30, 20, { method: 'jacobi' });
  t.ok(Math.abs(j.s[12]! - s[12]!) / s[12]! < 1e-2, 'Jacobi keeps σ ≈ 4e-9');
  t.ok(Math.abs(g.s[15]! - s[15]!) / s[15]! > 0.1, 'the Gram path cannot resolve σ ≈ 3e-11');
  t.end();
});

t.test("'auto' picks the Gram path only when rtol allows", (t) => {
  const a = randn(30 * 50, 1);
  t.equal(singularValues(a, 30, 50).path, 'bidiag', 'no rtol: bidiagonal path');
  t.equal(singularValues(a, 30, 50, { rtol: 1e-3 }).path, 'gram-eig');
  t.equal(singularValues(a, 30, 50, { rtol: 1e-9 }).path, 'bidiag');
  const lim = gramMinRtol(30, 50);
  t.ok(lim > 20 * Math.sqrt(2 ** -52) && lim < 1e-5, `threshold ${lim.toExponential(2)}`);
  t.equal(singularValues(a, 30, 50, { rtol: lim }).path, 'gram-eig');
  t.equal(singularValues(a, 30, 50, { rtol: lim * 0.99 }).path, 'bidiag');
  t.equal(singularValues(a, 30, 50, { method: 'jacobi', rtol: 1e-2 }).path, 'jacobi');
  t.equal(singularValues(a, 30, 50, { method: 'gram', rtol: 1e-12 }).path, 'gram-eig');
  t.end();
});

t.test('f32 Jacobi values to 1e-5 of f64; zero and empty matrices on both paths', (t) => {
  const a = randn(25 * 18, 8);
  t.ok(maxRel(singularValues(a, 25, 18, { precision: 'f32' }).s, singularValues(a, 25, 18).s) <= 1e-5);
  for (const method of ['gram', 'jacobi'] as const) {
    t.same(Array.from(singularValues(new Float64Array(6), 2, 3, { method }).s), [0, 0]);
    t.equal(singularValues(new Float64Array(0), 0, 3, { method }).s.length, 0);
  }
  t.end();
});

t.test('bad options', (t) => {
  const a = new Float64Array(4);
  t.throws(() => singularValues(a, 2, 2, { method: 'qr' as 'gram' }), { name: 'TypeError', message: /^Expected one of "auto", "jacobi", "gram", "bidiag" for singularValues method but received "qr" of type string$/ });
  t.throws(() => singularValues(a, 2, 2, { rtol: -1 }), { name: 'RangeError', message: /for singularValues rtol but received -1/ });
  t.throws(() => singularValues(new Float64Array([1, NaN, 0, 0]), 2, 2, { method: 'gram' }), { name: 'RangeError', message: /non-finite value \(NaN\) at index 1/ });
  t.end();
});

t.test('agrees with numpy.linalg.svd', { skip: noNumpy }, (t) => {
  for (const [m, n] of [[64, 147], [50, 20]] as const) {
    const a = randn(m * n, 21);
    const ref = numpy(`out = np.linalg.svd(arrays[0].reshape(${m}, ${n}), compute_uv=False)`, [a]);
    const ours = svd(a, m, n).s;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ours[i]! - ref[i]!));
    t.ok(err <= 1e-13 * ref[0]!, `${m}×${n}: max |σ − σ_numpy| = ${(err / ref[0]!).toExponential(2)}·σmax`);
  }
  t.end();
});
