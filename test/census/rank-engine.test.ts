import t, { type Test as Tap } from 'tap';
import { lazyPoolEngine, localEngine, poolEngine, POOL_WORTH, type GroupRank, type RankEngine } from '../../src/census/rank-engine.js';
import { matrixRank } from '../../src/linalg/rank.js';
import { randn } from '../../src/linalg/random.js';

/** groups × (m × n) blocks, Gaussian; block `zero` all zeros. */
function blocks(groups: number, m: number, n: number, seed: number, zero = -1): Float64Array {
  const a = randn(groups * m * n, seed);
  if (zero >= 0) a.fill(0, zero * m * n, (zero + 1) * m * n);
  return a;
}

/** rankGroups against rank, group by group, on the same engine. */
async function sameAsRank(t: Tap, e: RankEngine, data: Float64Array, groups: number, m: number, n: number): Promise<GroupRank[]> {
  const got = await e.rankGroups(data, groups, m, n, {});
  const one = await Promise.all(Array.from({ length: groups }, (_, g) => e.rank({ a: data.slice(g * m * n, (g + 1) * m * n), m, n }, {})));
  t.same(got, one, `${groups} × ${m}×${n}`);
  return got;
}

const engines: [string, () => Promise<RankEngine>][] = [
  ['localEngine()', async () => localEngine()],
  ['poolEngine(2)', () => poolEngine(2)],
  ['lazyPoolEngine(2, { minParallelWork: 0 })', async () => lazyPoolEngine(2, { minParallelWork: 0 })],
];
for (const [name, make] of engines) {
  t.test(`${name}.rankGroups gives rank's records group by group`, async (t) => {
    const e = await make();
    try {
      // depthwise filters (1 × 25, one of them zero) are settled by their norm, in one loop
      const dw = await sameAsRank(t, e, blocks(40, 1, 25, 1, 7), 40, 1, 25);
      t.equal(dw[0]!.path, 'norm');
      t.match(dw[7], { rank: 0, rankF64: 0, sigmaMax: 0, sigmaMin: 0 });
      t.ok(dw.every((r, g) => g === 7 || (r.rank === 1 && Math.abs(r.sigmaMax - Math.hypot(...blocks(40, 1, 25, 1).subarray(g * 25, g * 25 + 25))) < 1e-12 * r.sigmaMax)));
      await sameAsRank(t, e, blocks(6, 25, 1, 2), 6, 25, 1);
      // grouped blocks with two or more singular values take matrixRank
      const grouped = await sameAsRank(t, e, blocks(5, 6, 4, 3, 2), 5, 6, 4);
      const ref = matrixRank(blocks(5, 6, 4, 3).subarray(24, 48), 6, 4);
      t.equal(grouped[1]!.sigmaMax, ref.sigmaMax);
      t.equal(grouped[2]!.rank, 0);
      // empty blocks
      t.same(await e.rankGroups(new Float64Array(0), 3, 0, 4, {}), Array(3).fill({ rank: 0, rankF64: 0, tol: 0, sigmaMax: 0, sigmaMin: 0, path: 'empty' }));
      // a non-finite filter: the census's one-line error, as from rank
      const bad = blocks(4, 1, 9, 4);
      bad[2 * 9 + 3] = NaN;
      await t.rejects(e.rankGroups(bad, 4, 1, 9, {}), { name: 'RangeError', message: 'matrixRank: the 1×9 matrix contains a non-finite value' });
    } finally {
      await e.close();
    }
  });
}

t.test('lazyPoolEngine(2) runs in this thread until a batch of big matrices is worth the workers, with the same records', async (t) => {
  // 200 × 400: svdCost 1.6e7, above the in-thread SMALL bound, far below POOL_WORTH
  const [a, b, c] = [1, 2, 3].map((seed) => ({ a: randn(200 * 400, seed), m: 200, n: 400 }));
  const ref = localEngine();
  const want = [await ref.rank(a!, {}), await ref.rank(b!, {}), await ref.rank(c!, {})];
  t.ok(2 * 200 * 400 * 200 < POOL_WORTH, 'two such matrices are not worth the workers by default');

  const lazy = lazyPoolEngine(2);
  try {
    t.same(await lazy.rank(a!, {}), want[0], 'a lone big matrix');
    t.same(await Promise.all([lazy.rank(a!, {}), lazy.rank(b!, {})]), want.slice(0, 2), 'two at once, below POOL_WORTH');
    t.equal(lazy.threads, 0, 'no worker started');
  } finally {
    await lazy.close();
  }

  const eager = lazyPoolEngine(2, { minParallelWork: 1e7 });
  try {
    t.same(await eager.rank(a!, {}), want[0], 'one job: no parallel work');
    t.same(await eager.rank(b!, {}), want[1], 'one more, in another turn');
    t.equal(eager.threads, 0, 'jobs handed in one by one start no worker');
    // two at once: total − max(largest, total/2) = 1.6e7 > 1e7
    t.same(await Promise.all([eager.rank(a!, {}), eager.rank(b!, {})]), want.slice(0, 2), 'two at once');
    t.equal(eager.threads, 2, 'the batch started the workers');
    t.same(await eager.rank(c!, {}), want[2], 'later jobs go to the pool');
    t.same(await eager.rankGroups(Float64Array.from([...a!.a, ...c!.a]), 2, 200, 400, {}), [want[0], want[2]], 'rankGroups on the pool');
  } finally {
    await eager.close();
  }
});
