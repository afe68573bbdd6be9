import t from 'tap';
import { SvdPool } from '../../src/linalg/pool.js';
import { singularValues } from '../../src/linalg/singular-values.js';
import { matrixRank } from '../../src/linalg/rank.js';
import { randn } from '../../src/linalg/random.js';

t.test('a pool of 2 workers gives the same records as inline calls', async (t) => {
  const pool = await SvdPool.create(2);
  t.equal(pool.threads, 2);
  try {
    const jobs = [[20, 35], [35, 20], [16, 16], [3, 40]] as const;
    const mats = jobs.map(([m, n], i) => randn(m * n, 40 + i));
    const running = [
      Promise.all(jobs.map(([m, n], i) => pool.singularValues(mats[i]!, m, n, { method: 'jacobi' }))),
      Promise.all(jobs.map(([m, n], i) => pool.matrixRank(mats[i]!, m, n))),
    ] as const;
    t.equal(pool.queued, 2 * jobs.length - 2, 'one job per worker at a time, the others queued');
    const [sv, rk] = await Promise.all(running);
    t.equal(pool.queued, 0);
    jobs.forEach(([m, n], i) => {
      const ref = singularValues(mats[i]!, m, n, { method: 'jacobi' });
      t.same(Array.from(sv[i]!.s), Array.from(ref.s), `${m}×${n}: identical singular values`);
      t.equal(sv[i]!.path, 'jacobi');
      t.equal(sv[i]!.sweeps, ref.sweeps);
      const rr = matrixRank(mats[i]!, m, n);
      t.same({ ...rk[i]!, s: Array.from(rk[i]!.s) }, { ...rr, s: Array.from(rr.s) }, `${m}×${n}: identical rank record`);
    });
    await t.rejects(pool.singularValues(new Float64Array(5), 2, 3), { name: 'RangeError', message: /^Expected length 6 \(m·n = 2·3\) for singularValues a but received length 5$/ });
    await t.rejects(pool.matrixRank(randn(9, 1), 3, 3, { method: 'nope' as 'gram' }), { name: 'TypeError' });
  } finally {
    await pool.close();
  }
  await t.rejects(pool.singularValues(new Float64Array(1), 1, 1), /closed/);
});

t.test('threads = 0 runs inline', async (t) => {
  const pool = await SvdPool.create(0);
  t.equal(pool.threads, 0);
  const a = randn(12, 2);
  t.same(Array.from((await pool.singularValues(a, 3, 4)).s), Array.from(singularValues(a, 3, 4).s));
  await pool.close();
});
