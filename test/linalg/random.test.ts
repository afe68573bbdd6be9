import t from 'tap';
import { rng, randn } from '../../src/linalg/random.js';

t.test('rng(seed) is reproducible and differs between seeds', (t) => {
  t.same(Array.from(randn(5, 7)), Array.from(randn(5, 7)));
  t.not(randn(1, 7)[0], randn(1, 8)[0]);
  t.end();
});

t.test('rng(seed).uniform() lies in [0, 1) with mean 1/2; normal() has mean 0 and variance 1', (t) => {
  const g = rng(42);
  const n = 200000;
  let su = 0, sn = 0, sn2 = 0, lo = 1, hi = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    lo = Math.min(lo, u); hi = Math.max(hi, u); su += u;
    const z = g.normal();
    sn += z; sn2 += z * z;
  }
  t.ok(lo >= 0 && hi < 1);
  // 5-sigma bounds for the sample mean and variance
  t.ok(Math.abs(su / n - 0.5) < 5 * Math.sqrt(1 / 12 / n), `uniform mean ${su / n}`);
  t.ok(Math.abs(sn / n) < 5 / Math.sqrt(n), `normal mean ${sn / n}`);
  t.ok(Math.abs(sn2 / n - 1) < 5 * Math.sqrt(2 / n), `normal variance ${sn2 / n}`);
  t.end();
});
