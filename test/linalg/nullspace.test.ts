import t, { type Test } from 'tap';
import { core } from '../../src/core/index.js';
import { nullSpace } from '../../src/linalg/nullspace.js';
import { randn } from '../../src/linalg/random.js';
import { withSingularValues, rowOrthogonality, applyNorm, frob } from './svd-fixtures.js';

function checkBasis(t: Test, a: Float64Array, m: number, n: number, k: number, bound: number, label: string) {
  const r = nullSpace(a, m, n);
  t.equal(r.k, k, `${label}: nullity ${k}`);
  t.equal(r.rank, n - k);
  t.equal(r.basis.length, k * n);
  if (k > 0) t.ok(rowOrthogonality(r.basis, k, n) <= 1e-13, `${label}: orthonormal rows`);
  const na = frob(a) || 1;
  let worst = 0;
  for (let i = 0; i < k; i++) worst = Math.max(worst, applyNorm(a, m, n, r.basis, i * n));
  t.ok(worst <= bound * na, `${label}: max ‖A v‖/‖A‖ = ${(worst / na).toExponential(2)}`);
  return r;
}

t.test('wide conv-window-like matrices: nullity = n − m, ‖A v‖ ≤ 1e-14‖A‖', (t) => {
  for (const [m, n] of [[8, 27], [16, 27], [3, 75], [1, 5]] as const) checkBasis(t, randn(m * n, m * n), m, n, n - m, 1e-14, `${m}×${n}`);
  t.end();
});

t.test('rank-deficient tall and square matrices', (t) => {
  for (const [m, n, r] of [[40, 12, 9], [15, 15, 4]] as const) {
    const s = Float64Array.from({ length: Math.min(m, n) }, (_, i) => (i < r ? 3 - i * 0.1 : 0));
    checkBasis(t, withSingularValues(m, n, s, 5), m, n, n - r, 1e-14, `${m}×${n} rank ${r}`);
  }
  t.end();
});

t.test('zero matrix: the whole space; full-rank square: empty basis', (t) => {
  const z = checkBasis(t, new Float64Array(12), 3, 4, 4, 0, 'zero 3×4');
  t.equal(z.tol, 0);
  checkBasis(t, randn(36, 2), 6, 6, 0, 0, 'random 6×6');
  t.end();
});

t.test('f32 precision: null vectors to float32 accuracy; arena is released', (t) => {
  const live = core.allocations;
  const a = randn(10 * 30, 6);
  const r = nullSpace(a, 10, 30, { precision: 'f32' });
  t.equal(r.k, 20);
  t.ok(rowOrthogonality(r.basis, 20, 30) <= 1e-5);
  let worst = 0;
  for (let i = 0; i < 20; i++) worst = Math.max(worst, applyNorm(a, 10, 30, r.basis, i * 30));
  t.ok(worst <= 1e-5 * frob(a));
  t.equal(core.allocations, live);
  t.end();
});

t.test('tolerance options move vectors into the basis', (t) => {
  const s = Float64Array.from([1, 1e-4, 1e-8]);
  const a = withSingularValues(5, 3, s, 9);
  t.equal(nullSpace(a, 5, 3).k, 1, 'default float32 rule (tol ≈ 6e-7) drops 1e-8');
  t.equal(nullSpace(a, 5, 3, { rtol: 1e-9 }).k, 0);
  t.equal(nullSpace(a, 5, 3, { atol: 1e-3 }).k, 2);
  t.throws(() => nullSpace(a, 5, 3, { rtol: -2 }), { name: 'RangeError', message: /for nullSpace rtol but received -2/ });
  t.throws(() => nullSpace(a, 3, 3), { name: 'RangeError', message: /^Expected length 9 \(m·n = 3·3\) for nullSpace a but received length 15$/ });
  t.end();
});
