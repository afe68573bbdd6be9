// nullSpaceQr (pivoted QR of Aᵀ with a rank certificate) against the SVD's nullSpace: the same
// nullity and subspace when the gap is clear, and no answer when it is not — a singular value
// near the tolerance, or Kahan's matrix, where pivoted QR does not reveal the rank.
import t from 'tap';
import { core } from '../../src/core/index.js';
import { nullSpace } from '../../src/linalg/nullspace.js';
import { nullSpaceQr } from '../../src/linalg/nullspace-qr.js';
import { defaultTolerance } from '../../src/linalg/tolerance.js';
import { withSingularValues, rowOrthogonality, applyNorm, graded } from './svd-fixtures.js';

/** ‖P₁ − P₂‖_F for the projectors onto the row spaces of b1 (k1 × n) and b2 (k2 × n), orthonormal rows. */
function projectorDistance(b1: Float64Array, k1: number, b2: Float64Array, k2: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let p = 0;
    for (let l = 0; l < k1; l++) p += b1[l * n + i]! * b1[l * n + j]!;
    for (let l = 0; l < k2; l++) p -= b2[l * n + i]! * b2[l * n + j]!;
    s += p * p;
  }
  return Math.sqrt(s);
}

t.test('rank-deficient matrices with a clear gap: the SVD\'s nullity and subspace, orthonormal, ‖A b‖ ≤ 1e-14·σmax', (t) => {
  // singular values graded 1 … 1e-3 on the rank, then exact zeros or round-off-sized ones
  for (const [m, n, r, tail] of [[30, 50, 22, 0], [50, 30, 17, 1e-17], [40, 40, 33, 3e-16], [12, 60, 12, 0]] as const) {
    const s = Float64Array.from({ length: Math.min(m, n) }, (_, i) => (i < r ? graded(r, 3)[i]! * 2 : tail));
    const a = withSingularValues(m, n, s, 11 + m);
    const q = nullSpaceQr(a, m, n);
    const ref = nullSpace(a, m, n);
    const label = `${m}×${n} rank ${r}`;
    if (!q) { t.fail(`${label}: certified`); continue; }
    t.equal(q.k, n - r, `${label}: nullity`);
    t.equal(q.k, ref.k, `${label}: the SVD rule's nullity`);
    t.ok(q.upper < ref.tol && q.lower > ref.tol, `${label}: the proof brackets the rule's tolerance (${q.upper.toExponential(1)} < ${ref.tol.toExponential(1)} < ${q.lower.toExponential(1)})`);
    t.ok(q.sigmaLo <= ref.s[0]! * (1 + 1e-14) && q.sigmaHi >= ref.s[0]! * (1 - 1e-14), `${label}: σmax bracketed`);
    t.ok(rowOrthogonality(q.basis, q.k, n) <= 1e-14, `${label}: orthonormal`);
    let worst = 0;
    for (let i = 0; i < q.k; i++) worst = Math.max(worst, applyNorm(a, m, n, q.basis, i * n));
    t.ok(worst <= 1e-14 * ref.s[0]!, `${label}: max ‖A b‖/σmax = ${(worst / ref.s[0]!).toExponential(2)}`);
    t.ok(q.residual <= 1e-14, `${label}: reported residual ${q.residual.toExponential(1)}`);
    t.ok(projectorDistance(q.basis, q.k, ref.basis, ref.k, n) <= 1e-12, `${label}: same subspace as the SVD's`);
  }
  t.equal(core.allocations, 0, 'arena released');
  t.end();
});

t.test('a singular value near the tolerance: certified only when the rank is the SVD rule\'s, and not at all within 1% of it', (t) => {
  const m = 30, n = 40, r = 20;
  const tolRel = defaultTolerance(1, m, n); // σ₁ = 1: the rule's tolerance
  for (const f of [3, 1.2, 1.01, 0.99, 0.8, 0.2]) {
    // σ_r at f·tol: in the rank for f > 1, in the null space for f < 1
    const s = Float64Array.from({ length: m }, (_, i) => (i < r - 1 ? 1 - i * 0.01 : i === r - 1 ? f * tolRel : 0));
    const a = withSingularValues(m, n, s, 5);
    const q = nullSpaceQr(a, m, n);
    const ref = nullSpace(a, m, n);
    t.equal(ref.k, f > 1 ? n - r : n - r + 1, `σ_r = ${f}·tol: the SVD's nullity`);
    if (q) t.equal(q.k, ref.k, `σ_r = ${f}·tol: certified with the SVD's nullity`);
    if (f === 1.01 || f === 0.99) t.equal(q, undefined, `σ_r = ${f}·tol: not certified`);
  }
  t.end();
});

t.test('Kahan\'s matrix (pivoted QR keeps every diagonal entry ≥ 0.02 while σ_min ≈ 1e-12): no answer, where the SVD finds nullity 1', (t) => {
  const n = 80, c = 0.3, s = Math.sqrt(1 - c * c);
  // Aᵀ = Kahan's R (columns scaled by 1 − 1e-9·j so that pivoting keeps their order): the QR is of Aᵀ
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[j * n + i] = (i === j ? s ** i : -c * s ** i) * (1 - 1e-9 * j);
  t.equal(nullSpace(a, n, n).k, 1, 'SVD: nullity 1');
  t.equal(nullSpaceQr(a, n, n), undefined, 'pivoted QR: not certified');
  t.end();
});

t.test('full row rank and zero input', (t) => {
  const a = withSingularValues(10, 25, graded(10, 2), 3);
  const q = nullSpaceQr(a, 10, 25)!;
  t.equal(q.k, 15);
  t.equal(q.lower > 0 && q.upper < 1e-13, true, 'certified');
  t.equal(nullSpaceQr(new Float64Array(12), 3, 4), undefined, 'zero: left to the SVD');
  t.end();
});
