import t from 'tap';
import { readFileSync } from 'node:fs';
import { svd } from '../../src/linalg/svd.js';

// Rank-3 matrices made by repeating rows: Jacobi runs out of sweeps rotating noise-level columns
// against each other. Known gap (todo): skipping those pairs (as LAPACK's gesvj does) converges, but the
// V-from-normalised-columns path then needs the noise block re-orthonormalised; not done yet.
const cases = [['rank3-repeated-rows-69x54.json', 69, 54], ['rank3-repeated-rows-71x52.json', 71, 52]] as const;

t.test('svd(A) converges on exactly rank-deficient matrices with repeated rows, and its null vectors annihilate A', { todo: 'Jacobi does not converge on these (see header)' }, (t) => {
  for (const [file, m, n] of cases) {
    const a = Float64Array.from(JSON.parse(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')) as number[]);
    t.equal(a.length, m * n);
    let r;
    try { r = svd(a, m, n, { compute: 'v' }); } catch (e) { t.fail(`${file}: ${(e as Error).message}`); continue; }
    const smax = r.s[0]!;
    t.ok(r.s[2]! > 1e-3 * smax, `${file}: three singular values of size`);
    t.ok(r.s[3]! <= 100 * Math.max(m, n) * 2.2e-16 * smax, `${file}: the rest at round-off (${r.s[3]})`);
    let worst = 0;
    for (let row = 3; row < n; row++) {
      for (let i = 0; i < m; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += a[i * n + j]! * r.vt![row * n + j]!;
        worst = Math.max(worst, Math.abs(acc));
      }
    }
    t.ok(worst <= 1e-13 * smax, `${file}: max |A v| over null vectors ${worst}`);

  }
  t.end();
});
