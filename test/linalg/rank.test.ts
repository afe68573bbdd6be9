import t from 'tap';
import { matrixRank } from '../../src/linalg/rank.js';
import { defaultTolerance, EPS32, EPS64 } from '../../src/linalg/tolerance.js';
import { randn } from '../../src/linalg/random.js';
import { withSingularValues } from './svd-fixtures.js';

t.test('rank of constructed matrices with the default float32 rule', (t) => {
  for (const [m, n, r] of [[30, 20, 7], [20, 45, 12], [25, 25, 25], [40, 1, 1], [1, 40, 0]] as const) {
    const k = Math.min(m, n);
    const s = Float64Array.from({ length: k }, (_, i) => (i < r ? 1 + i : 0)).sort().reverse();
    const a = withSingularValues(m, n, s, m + n);
    const res = matrixRank(a, m, n);
    t.equal(res.rank, r, `${m}×${n} rank ${r}`);
    t.equal(res.tol, defaultTolerance(res.sigmaMax, m, n, EPS32), 'tolerance is σmax·max(m,n)·eps32');
    t.equal(res.sigmaMax, res.s[0] ?? 0);
    t.equal(res.sigmaMin, res.s[k - 1]);
    t.equal(res.path, r === 0 ? 'gram-eig' : 'gram-eig', 'the float32 rule allows the Gram path');
  }
  t.end();
});

t.test('rtol, atol and eps overrides; the path follows the tolerance', (t) => {
  const s = Float64Array.from([1, 1e-2, 1e-5, 1e-9, 1e-13, 0]);
  const a = withSingularValues(10, 6, s, 4);
  t.equal(matrixRank(a, 10, 6, { rtol: 1e-3 }).rank, 2);
  t.equal(matrixRank(a, 10, 6, { rtol: 1e-3 }).tol, 1e-3 * matrixRank(a, 10, 6, { rtol: 1e-3 }).sigmaMax);
  const r7 = matrixRank(a, 10, 6, { rtol: 1e-7 });
  t.equal(r7.rank, 3);
  t.equal(r7.path, 'bidiag', 'rtol 1e-7 is below the Gram threshold for 10×6');
  t.equal(matrixRank(a, 10, 6, { rtol: 1e-11 }).rank, 4);
  t.equal(matrixRank(a, 10, 6, { eps: EPS64 }).rank, 5, 'float64 rule keeps 1e-13');
  t.equal(matrixRank(a, 10, 6, { eps: EPS64 }).path, 'bidiag');
  const abs = matrixRank(a, 10, 6, { atol: 1e-10 });
  t.equal(abs.rank, 4);
  t.equal(abs.tol, 1e-10);
  t.equal(abs.path, 'bidiag', 'a small atol falls back to the bidiagonal path');
  const big = matrixRank(a, 10, 6, { atol: 0.5 });
  t.equal(big.rank, 1);
  t.equal(big.path, 'gram-eig', 'a large atol keeps the Gram values');
  t.equal(matrixRank(a, 10, 6, { method: 'jacobi' }).path, 'jacobi');
  t.end();
});

t.test('zero and empty matrices have rank 0', (t) => {
  const z = matrixRank(new Float64Array(12), 3, 4);
  t.equal(z.rank, 0);
  t.equal(z.tol, 0);
  t.equal(matrixRank(new Float64Array(0), 0, 5).rank, 0);
  t.end();
});

t.test('a random Gaussian matrix has full rank; bad options throw', (t) => {
  t.equal(matrixRank(randn(12 * 30, 3), 12, 30).rank, 12);
  t.throws(() => matrixRank(new Float64Array(4), 2, 2, { atol: NaN }), { name: 'TypeError', message: /^Expected a non-negative number for matrixRank atol but received NaN of type number$/ });
  t.throws(() => matrixRank(new Float64Array(4), 2, 2, { eps: -1 }), { name: 'RangeError', message: /for matrixRank eps/ });
  t.end();
});
