import t from 'tap';
import { smallestSingularTriplets, sigmaMinEstimate } from '../../src/linalg/lanczos.js';
import { symmetricEigen } from '../../src/linalg/ritz.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { convOperator } from '../../src/linalg/conv.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { randn } from '../../src/linalg/random.js';
import { core } from '../../src/core/index.js';
import { denseOf, dot, norm } from './naive.js';
import { noNumpy, numpy } from './numpy.js';

// (I − 2uuᵀ/uᵀu) applied to the rows (left) or columns (right) of a row-major (r × c) matrix
function reflectRows(a: Float64Array, r: number, c: number, u: Float64Array): void {
  const uu = dot(u, u);
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += u[i]! * a[i * c + j]!;
    for (let i = 0; i < r; i++) a[i * c + j] -= (2 * s / uu) * u[i]!;
  }
}
function reflectCols(a: Float64Array, r: number, c: number, u: Float64Array): void {
  const uu = dot(u, u);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += a[i * c + j]! * u[j]!;
    for (let j = 0; j < c; j++) a[i * c + j] -= (2 * s / uu) * u[j]!;
  }
}

t.test('smallestSingularTriplets(op, k) recovers prescribed singular values and vectors of U·diag(s)·Vᵀ', (t) => {
  const base = core.allocations;
  const m = 70, n = 50;
  const s = Float64Array.from({ length: n }, (_, i) => 1 + i * 0.2);
  s[7] = 0.01; s[20] = 0.05; s[33] = 0.3;
  const a = new Float64Array(m * n);
  for (let i = 0; i < n; i++) a[i * n + i] = s[i]!;
  const u1 = randn(m, 1), v1 = randn(n, 2);
  reflectRows(a, m, n, u1); // U = H(u1)
  reflectCols(a, m, n, v1); // Vᵀ = H(v1), so right singular vector i is row i of H(v1)
  const r = smallestSingularTriplets(denseOperator(a, m, n), 3, { seed: 3 });
  t.ok(r.converged, `converged in ${r.iterations} products`);
  const want = [0.01, 0.05, 0.3];
  want.forEach((x, i) => t.ok(Math.abs(r.values[i]! - x) <= 1e-9 * x, `σ${i} = ${r.values[i]} vs ${x}`));
  [7, 20, 33].forEach((col, i) => {
    const e = new Float64Array(n); e[col] = 1;
    reflectCols(e, 1, n, v1); // row `col` of H(v1)
    const v = r.vectors.subarray(i * n, (i + 1) * n);
    t.ok(Math.abs(Math.abs(dot(v, e)) - 1) <= 1e-8, `vector ${i} is ± the right singular vector`);
    t.ok(r.residuals[i]! <= 1e-9 * r.sigmaMax ** 2, `residual ${r.residuals[i]}`);
  });
  t.ok(Math.abs(r.sigmaMax - s[n - 1]!) <= 1e-8 * s[n - 1]!, `sigmaMax ${r.sigmaMax}`);
  t.equal(core.allocations, base);
  t.end();
});

t.test('smallestSingularTriplets on a tall injective conv matches numpy’s dense SVD', { skip: noNumpy }, (t) => {
  // 16 ← 3, 3×3 stride 2, padding 1 on 12×12: A_img is 576 × 432
  const g = convGeometry({ c: 3, h: 12, w: 12, outC: 16, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const op = convOperator(randn(16 * 27, 4), g);
  const r = smallestSingularTriplets(op, 2);
  const ref = numpy(`A = arrays[0].reshape(${op.rows}, ${op.cols}); out = np.linalg.svd(A, compute_uv=False)[::-1][:2]`, [denseOf(op)]);
  t.ok(r.values[0]! > 0.05, `σmin ${r.values[0]} > 0: injective`);
  for (let i = 0; i < 2; i++) t.ok(Math.abs(r.values[i]! - ref[i]!) <= 1e-8 * ref[i]!, `σ${i} ${r.values[i]} vs numpy ${ref[i]}`);
  const v0 = r.vectors.subarray(0, op.cols), v1 = r.vectors.subarray(op.cols);
  t.ok(Math.abs(norm(v0) - 1) <= 1e-12 && Math.abs(dot(v0, v1)) <= 1e-8, 'unit, orthogonal vectors');
  t.ok(Math.abs(norm(op.apply(v0)) - r.values[0]!) <= 1e-8, '‖A v‖ = σmin');
  t.end();
});

t.test('sigmaMinEstimate(op, side) separates full row rank from rank deficiency on wide convs', (t) => {
  const g = convGeometry({ c: 3, h: 12, w: 20, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(8 * 27, 5);
  const full = sigmaMinEstimate(convOperator(w, g), 'rows');
  t.ok(full.converged && full.sigmaMin > 1e-3 * full.sigmaMax, `full row rank: σmin ${full.sigmaMin}, σmax ${full.sigmaMax}`);
  const dup = w.slice(); dup.set(w.subarray(0, 4 * 27), 4 * 27);
  const def = sigmaMinEstimate(convOperator(dup, g), 'rows');
  t.ok(def.sigmaMin <= 1e-6 * def.sigmaMax, `repeated channels: σmin ${def.sigmaMin}`);
  const cols = sigmaMinEstimate(convOperator(w, g), 'cols');
  t.ok(cols.sigmaMin <= 1e-6 * cols.sigmaMax, `wide A has a kernel: σmin(cols) ${cols.sigmaMin}`);
  t.test('and the full-rank σmin agrees with numpy', { skip: noNumpy }, (t) => {
    const op = convOperator(w, g);
    const ref = numpy(`A = arrays[0].reshape(${op.rows}, ${op.cols}); out = np.linalg.svd(A, compute_uv=False)[-1:]`, [denseOf(op)]);
    t.ok(Math.abs(full.sigmaMin - ref[0]!) <= 1e-7 * ref[0]!, `${full.sigmaMin} vs ${ref[0]}`);
    t.end();
  });
  t.end();
});

t.test('smallestSingularTriplets reports converged = false when maxIter runs out', (t) => {
  const g = convGeometry({ c: 3, h: 16, w: 16, outC: 16, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const r = smallestSingularTriplets(convOperator(randn(16 * 27, 4), g), 1, { maxIter: 40 });
  t.notOk(r.converged);
  t.equal(r.iterations, 40);
  t.ok(r.residuals[0]! > 0);
  t.end();
});

t.test('symmetricEigen(a, n) returns ascending eigenvalues and orthonormal eigenvectors', (t) => {
  // [[2, 1, 0], [1, 2, 0], [0, 0, -1]] has eigenvalues −1, 1, 3
  const e = symmetricEigen(new Float64Array([2, 1, 0, 1, 2, 0, 0, 0, -1]), 3);
  t.ok(Math.abs(e.values[0]! + 1) < 1e-15 && Math.abs(e.values[1]! - 1) < 1e-15 && Math.abs(e.values[2]! - 3) < 1e-15);
  t.ok(Math.abs(Math.abs(e.vectors[2 * 3]!) - Math.SQRT1_2) < 1e-15, 'eigenvector of 3 is (1, 1, 0)/√2');
  t.throws(() => symmetricEigen(new Float64Array(3), 2), /Expected length 4 for a/);
  t.end();
});

t.test('smallestSingularTriplets/sigmaMinEstimate reject bad arguments with clear messages', (t) => {
  const op = denseOperator(randn(12, 6), 3, 4);
  t.throws(() => smallestSingularTriplets(op, 0), /Expected an integer between 1 and 4 for k but received 0/);
  t.throws(() => smallestSingularTriplets(op, 5), /for k but received 5/);
  t.throws(() => smallestSingularTriplets(op, 1, { tol: NaN }), /Expected a number in \(0, 1\) for tol but received NaN/);
  t.throws(() => smallestSingularTriplets(op, 1, { maxIter: 0 }), /for maxIter but received 0/);
  t.throws(() => sigmaMinEstimate(op, 'both' as 'rows'), /Expected one of "rows", "cols" for side but received "both"/);
  t.throws(() => smallestSingularTriplets(null as never, 1), /Expected a LinearOperator .* for op but received null/);
  t.end();
});
