import t, { type Test } from 'tap';
import { core, LinAlgError } from '../../src/core/index.js';
import { svd } from '../../src/linalg/svd.js';
import { randn } from '../../src/linalg/random.js';
import { withSingularValues, residual, rowOrthogonality, colOrthogonality, applyNorm, maxRel, graded, frob, orthogonal } from './svd-fixtures.js';

const BOUND = { f64: 1e-13, f32: 1e-5 } as const;

function checkFull(t: Test, a: Float64Array, m: number, n: number, s: ArrayLike<number> | null, prec: 'f64' | 'f32', label: string) {
  const k = Math.min(m, n);
  const r = svd(a, m, n, { compute: 'uv', precision: prec });
  t.equal(r.s.length, k, `${label}: k values`);
  for (let i = 1; i < k; i++) if (r.s[i]! > r.s[i - 1]!) { t.fail(`${label}: s not descending at ${i}`); break; }
  t.ok(residual(a, m, n, r.u!, r.s, r.vt!) <= BOUND[prec], `${label}: residual ${residual(a, m, n, r.u!, r.s, r.vt!).toExponential(2)}`);
  t.ok(rowOrthogonality(r.vt!, n, n) <= BOUND[prec], `${label}: V orthogonal (${rowOrthogonality(r.vt!, n, n).toExponential(2)})`);
  t.ok(colOrthogonality(r.u!, m, k) <= BOUND[prec], `${label}: U orthonormal columns (${colOrthogonality(r.u!, m, k).toExponential(2)})`);
  if (s) {
    const err = Math.max(...Array.from(s, (x, i) => Math.abs(r.s[i]! - x))) / s[0]!;
    t.ok(err <= BOUND[prec], `${label}: singular values to ${err.toExponential(2)}·σmax`);
  }
  return r;
}

t.test('constructed matrices: square, tall 20:1, wide, 1×n, n×1 (f64 and f32)', (t) => {
  const shapes: [number, number][] = [[40, 40], [200, 10], [30, 70], [1, 9], [9, 1], [64, 60], [60, 62]];
  for (const [m, n] of shapes) {
    const k = Math.min(m, n);
    const s = Float64Array.from({ length: k }, (_, i) => 10 - (9 * i) / Math.max(1, k - 1));
    const a = withSingularValues(m, n, s, m * 31 + n);
    for (const prec of ['f64', 'f32'] as const) {
      const r = checkFull(t, a, m, n, s, prec, `${m}×${n} ${prec}`);
      // well conditioned: the construction fixes every σ to ~1e-15 relative
      if (prec === 'f64') t.ok(maxRel(r.s, s) <= 1e-12, `${m}×${n}: each σ to relative ${maxRel(r.s, s).toExponential(2)}`);
    }
  }
  t.end();
});

t.test('SIMD tails: every shape with m, n in {1, 2, 3, 5}', (t) => {
  for (const m of [1, 2, 3, 5]) for (const n of [1, 2, 3, 5]) {
    const a = randn(m * n, 100 + m * 10 + n);
    for (const prec of ['f64', 'f32'] as const) checkFull(t, a, m, n, null, prec, `${m}×${n} ${prec}`);
  }
  t.end();
});

t.test('exactly rank-deficient: zero singular values, null vectors ‖Av‖ ≤ 1e-14‖A‖', (t) => {
  for (const [m, n] of [[30, 20], [20, 30], [25, 25]] as const) {
    const k = Math.min(m, n);
    const s = Float64Array.from({ length: k }, (_, i) => (i < 6 ? 6 - i : 0));
    const a = withSingularValues(m, n, s, 7 + m);
    const r = checkFull(t, a, m, n, s, 'f64', `${m}×${n} rank 6`);
    t.ok(r.s[6]! <= 1e-14 * r.s[0]!, `${m}×${n}: σ_7 = ${r.s[6]!.toExponential(2)} is at roundoff level`);
    const na = frob(a);
    let worst = 0;
    for (let i = 6; i < n; i++) worst = Math.max(worst, applyNorm(a, m, n, r.vt!, i * n));
    t.ok(worst <= 1e-14 * na, `${m}×${n}: max ‖A v‖/‖A‖ over ${n - 6} null vectors = ${(worst / na).toExponential(2)}`);
  }
  t.end();
});

t.test('graded singular values 1 … 1e-12', (t) => {
  for (const [m, n] of [[40, 40], [200, 10], [20, 50]] as const) {
    const s = graded(Math.min(m, n), 12);
    checkFull(t, withSingularValues(m, n, s, 3), m, n, s, 'f64', `${m}×${n} graded`);
  }
  t.end();
});

t.test('column-graded A = Q·diag(s): each σ to relative 1e-12 down to 1e-12 (Jacobi relative accuracy)', (t) => {
  for (const [m, n] of [[40, 40], [200, 10], [60, 24]] as const) {
    const q = orthogonal(m, 11);
    const s = graded(n, 12);
    const perm = Array.from({ length: n }, (_, j) => (j * 7) % n); // shuffled columns
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j] = q[i * m + perm[j]!]! * s[perm[j]!]!;
    const r = svd(a, m, n, { compute: 'v' });
    t.ok(maxRel(r.s, s) <= 1e-12, `${m}×${n}: max relative error ${maxRel(r.s, s).toExponential(2)} (smallest σ ${r.s[n - 1]!.toExponential(2)})`);
  }
  t.end();
});

t.test('zero matrix and empty shapes', (t) => {
  const z = svd(new Float64Array(12), 3, 4, { compute: 'uv' });
  t.same(Array.from(z.s), [0, 0, 0]);
  t.equal(rowOrthogonality(z.vt!, 4, 4), 0);
  t.equal(colOrthogonality(z.u!, 3, 3), 0);
  const e = svd(new Float64Array(0), 0, 5, { compute: 'v' });
  t.equal(e.s.length, 0);
  t.equal(rowOrthogonality(e.vt!, 5, 5), 0);
  t.equal(svd(new Float32Array(0), 4, 0).s.length, 0);
  t.end();
});

t.test('one huge entry: no overflow, relative residual holds, the rest of the spectrum survives', (t) => {
  for (const [m, n] of [[12, 7], [7, 12]] as const) {
    for (const huge of [1e8, 1e300]) {
      const a = randn(m * n, 5);
      a[3 * n + 2] = huge;
      const r = svd(a, m, n, { compute: 'uv' });
      t.ok(Math.abs(r.s[0]! / huge - 1) < 1e-12, `${m}×${n}, ${huge}: σmax ≈ huge`);
      t.ok(r.s.every(Number.isFinite), 'finite');
      t.ok(residual(a, m, n, r.u!, r.s, r.vt!) <= 1e-13, 'residual');
      t.ok(rowOrthogonality(r.vt!, n, n) <= 1e-13, 'V orthogonal');
      if (huge > 1e10) continue; // beside 1e300 the O(1) part is below underflow once scaled: not meaningful
      // The other σ are those of a with row 3 and column 2 removed, up to O(‖rest‖²/huge).
      const b = new Float64Array((m - 1) * (n - 1));
      let p = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (i !== 3 && j !== 2) b[p++] = a[i * n + j]!;
      const rb = svd(b, m - 1, n - 1);
      const k = Math.min(m, n);
      t.ok(maxRel(r.s.subarray(1, k), rb.s.subarray(0, k - 1)) <= 1e-6, `${m}×${n}: small singular values survive next to ${huge} (${maxRel(r.s.subarray(1, k), rb.s.subarray(0, k - 1)).toExponential(2)})`);
    }
  }
  t.end();
});

t.test('values-only paths agree with the full SVD on near-square shapes (one QR for values, two for V of a wide A)', (t) => {
  for (const [m, n] of [[60, 62], [62, 60], [50, 50]] as const) {
    const a = randn(m * n, m + n);
    t.ok(maxRel(svd(a, m, n).s, svd(a, m, n, { compute: 'uv' }).s) <= 1e-13, `${m}×${n}`);
  }
  t.end();
});

t.test("compute 'v' alone (Jacobi on Rᵀ for m ≥ n): orthogonal V with ‖A v_i‖ = σ_i", (t) => {
  for (const [m, n] of [[50, 50], [90, 30], [30, 30], [8, 8]] as const) {
    for (const prec of ['f64', 'f32'] as const) {
      const s = Float64Array.from({ length: n }, (_, i) => (i < n - 3 ? 2 - i / n : 0));
      const a = withSingularValues(m, n, s, 77 + m);
      const r = svd(a, m, n, { compute: 'v', precision: prec });
      t.equal(r.u, undefined);
      const bound = BOUND[prec];
      t.ok(rowOrthogonality(r.vt!, n, n) <= bound, `${m}×${n} ${prec}: V orthogonal (${rowOrthogonality(r.vt!, n, n).toExponential(2)})`);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(applyNorm(a, m, n, r.vt!, i * n) - r.s[i]!));
      t.ok(worst <= bound * r.s[0]!, `${m}×${n} ${prec}: max |‖A v_i‖ − σ_i| = ${(worst / r.s[0]!).toExponential(2)}·σmax`);
    }
  }
  t.end();
});

t.test('full: false gives the first min(m, n) rows of the full V (thin), and the thin SVD reproduces A', (t) => {
  for (const [m, n] of [[20, 75], [64, 147], [7, 300], [40, 25], [1, 9]] as const) {
    for (const prec of ['f64', 'f32'] as const) {
      const k = Math.min(m, n);
      const a = randn(m * n, m * 7 + n);
      const full = svd(a, m, n, { compute: 'uv', precision: prec });
      const thin = svd(a, m, n, { compute: 'uv', precision: prec, full: false });
      t.equal(thin.vt!.length, k * n, `${m}×${n} ${prec}: k × n`);
      let diff = 0;
      for (let i = 0; i < k * n; i++) diff = Math.max(diff, Math.abs(thin.vt![i]! - full.vt![i]!));
      t.ok(diff <= BOUND[prec], `${m}×${n} ${prec}: thin rows = full rows to ${diff.toExponential(2)}`);
      t.ok(rowOrthogonality(thin.vt!, k, n) <= BOUND[prec], `${m}×${n} ${prec}: orthonormal rows`);
      t.ok(residual(a, m, n, thin.u!, thin.s, thin.vt!) <= BOUND[prec], `${m}×${n} ${prec}: A = U·Σ·Vᵀ (thin)`);
    }
  }
  const zero = svd(new Float64Array(12), 3, 4, { compute: 'v', full: false });
  t.equal(zero.vt!.length, 12, 'zero matrix: 3 × 4 thin basis');
  t.throws(() => svd(randn(6, 1), 2, 3, { compute: 'v', full: 'no' as unknown as boolean }), { name: 'TypeError', message: /full must be a boolean/ });
  t.end();
});

t.test('input is not modified; Float32Array input; values-only agrees with full', (t) => {
  const a = randn(15 * 9, 2);
  const copy = a.slice();
  const full = svd(a, 15, 9, { compute: 'uv' });
  const vals = svd(a, 15, 9);
  t.same(a, copy);
  t.equal(vals.vt, undefined);
  t.ok(maxRel(vals.s, full.s) <= 1e-14);
  const a32 = Float32Array.from(a);
  const r32 = svd(a32, 15, 9, { compute: 'v' });
  t.ok(maxRel(r32.s, svd(Float64Array.from(a32), 15, 9).s) <= 1e-5);
  t.same(a32, Float32Array.from(copy));
  t.end();
});

t.test('arena: allocation count returns to baseline, also after a throw', (t) => {
  const before = { live: core.allocations, used: core.used };
  svd(randn(30 * 20, 1), 30, 20, { compute: 'uv' });
  svd(randn(20 * 30, 1), 20, 30, { compute: 'uv', precision: 'f32' });
  t.throws(() => svd(randn(30 * 30, 1), 30, 30, { maxSweeps: 1 }), LinAlgError);
  // a 1 × 11586 matrix asks for an 11586² float64 V: more than one 1 GiB buffer
  t.throws(() => svd(randn(11586, 1), 1, 11586, { compute: 'v' }), { name: 'RangeError', message: /exceeds the 1 GiB limit/ });
  t.equal(core.allocations, before.live);
  t.equal(core.used, before.used);
  t.end();
});

t.test('bad arguments throw clear errors', (t) => {
  const a = new Float64Array(6);
  t.throws(() => svd(a, -1, 3), { name: 'RangeError', message: /^Expected an integer between 0 and \d+ for svd m but received -1 of type number$/ });
  t.throws(() => svd(a, 2.5, 3), { name: 'TypeError', message: /^Expected an integer between 0 and \d+ for svd m but received 2.5 of type number$/ });
  t.throws(() => svd(a, 2, 4), { name: 'RangeError', message: /^Expected length 8 \(m·n = 2·4\) for svd a but received length 6$/ });
  t.throws(() => svd(new Float64Array([1, 2, NaN, 4, 5, 6]), 2, 3), { name: 'RangeError', message: /^svd: a contains a non-finite value \(NaN\) at index 2$/ });
  t.throws(() => svd(new Float64Array([1, Infinity, 0, 4, 5, 6]), 2, 3), { name: 'RangeError', message: /non-finite value \(Infinity\) at index 1/ });
  t.throws(() => svd([1, 2] as unknown as Float64Array, 1, 2), { name: 'TypeError', message: /^Expected a Float64Array or Float32Array for svd a but received 1,2 of type array$/ });
  t.throws(() => svd(a, 2, 3, { compute: 'u' as 'v' }), { name: 'TypeError', message: /^Expected one of "none", "v", "uv" for svd compute but received "u" of type string$/ });
  t.throws(() => svd(a, 2, 3, { precision: 'f16' as 'f32' }), { name: 'TypeError', message: /^Expected one of "f64", "f32" for svd precision/ });
  t.throws(() => svd(randn(40 * 40, 9), 40, 40, { maxSweeps: 2 }), { name: 'LinAlgError', message: /^SVD did not converge after 2 sweeps$/ });
  t.end();
});
