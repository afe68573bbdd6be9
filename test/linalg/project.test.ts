import t from 'tap';
import { core } from '../../src/core/index.js';
import { projectToNullSpace, opNorm } from '../../src/linalg/project.js';
import { convOperator } from '../../src/linalg/conv.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { convPreconditioner } from '../../src/linalg/preconditioner.js';
import { im2col, col2im } from '../../src/linalg/im2col.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import type { LinearOperator } from '../../src/linalg/operator.js';
import { randn } from '../../src/linalg/random.js';
import { denseOf, dot, norm } from './naive.js';
import { noNumpy, numpy } from './numpy.js';

const wide = convGeometry({ c: 3, h: 12, w: 20, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });

t.test('projectToNullSpace(op, v) on a wide overlapping conv reaches ‖Aδ‖/(‖A‖‖δ‖) ≤ 1e-13 with δ = P_ker(A) v', (t) => {
  const w = randn(8 * 27, 1);
  const op = convOperator(w, wide); // 480 × 720
  const v = randn(op.cols, 2), v0 = v.slice();
  const r = projectToNullSpace(op, v);
  t.ok(r.converged, `converged after ${r.iterations} iterations, ${r.passes} passes`);
  t.ok(r.residual <= 1e-13, `residual ${r.residual}`);
  t.same(v, v0, 'v is unchanged');
  const fresh = norm(op.apply(r.delta)) / (r.norm * norm(r.delta));
  t.ok(fresh <= 1e-13, `recomputed residual ${fresh}`);
  // v − δ must lie in range(Aᵀ) = ker(A)⊥: orthogonal to the projection of another vector
  const other = projectToNullSpace(op, randn(op.cols, 3)).delta;
  const diff = v.map((x, i) => x - r.delta[i]!);
  t.ok(Math.abs(dot(diff, other)) <= 1e-12 * norm(diff) * norm(other), 'v − δ ⟂ ker(A)');
  t.ok(r.captured > 0.3 && r.captured < 1, `captured ${r.captured}`);
  t.test('and matches the dense projection v − Aᵀ(AAᵀ)⁻¹A·v from numpy (A has full row rank)', { skip: noNumpy }, (t) => {
    const a = denseOf(op);
    const ref = numpy(`A = arrays[0].reshape(${op.rows}, ${op.cols}); v = arrays[1]; out = v - A.T @ np.linalg.solve(A @ A.T, A @ v)`, [a, v]);
    const e = norm(r.delta.map((x, i) => x - ref[i]!)) / norm(ref);
    t.ok(e <= 1e-10, `relative distance to numpy's projection ${e}`);
    t.end();
  });
  t.end();
});

t.test('projectToNullSpace(op, v) on a disjoint-window conv equals the fold of per-window kernel projections', (t) => {
  // 4×4 stride 4 windows, W is 16 × 48 (nullity 32 per window); A_img is block-diagonal
  const g = convGeometry({ c: 3, h: 16, w: 24, outC: 16, kh: 4, kw: 4, sh: 4, sw: 4 });
  const w = randn(16 * 48, 4);
  const op = convOperator(w, g);
  const v = randn(op.cols, 5);
  const r = projectToNullSpace(op, v);
  t.ok(r.residual <= 1e-13, `residual ${r.residual}`);
  // reference: per window column c, c − Wᵀ (W Wᵀ)⁻¹ W c by Gaussian elimination, folded back
  const cols = im2col(v, g); // 48 × 24 windows
  const nWin = 24, K = 48, M = 16;
  const gram = new Float64Array(M * M);
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) {
    let s = 0;
    for (let p = 0; p < K; p++) s += w[i * K + p]! * w[j * K + p]!;
    gram[i * M + j] = s;
  }
  for (let q = 0; q < nWin; q++) {
    const c = Float64Array.from({ length: K }, (_, p) => cols[p * nWin + q]!);
    const rhs = Float64Array.from({ length: M }, (_, i) => { let s = 0; for (let p = 0; p < K; p++) s += w[i * K + p]! * c[p]!; return s; });
    const z = solve(gram.slice(), rhs, M);
    for (let p = 0; p < K; p++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += w[i * K + p]! * z[i]!;
      cols[p * nWin + q] = c[p]! - s;
    }
  }
  const folded = col2im(cols, g);
  const e = norm(folded.map((x, i) => x - r.delta[i]!)) / norm(folded);
  t.ok(e <= 1e-11, `relative distance to the fold ${e}`);
  t.end();
});

function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[piv * n + k]!)) piv = i;
    for (let j = 0; j < n; j++) { const tmp = a[k * n + j]!; a[k * n + j] = a[piv * n + j]!; a[piv * n + j] = tmp; }
    const tb = b[k]!; b[k] = b[piv]!; b[piv] = tb;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / a[k * n + k]!;
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j]!;
      b[i] -= f * b[k]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}

t.test('projectToNullSpace(op, v, {preconditioner: convPreconditioner}) gives the same δ in fewer iterations', (t) => {
  // output channels on scales 1 … 1e2: plain CG sees κ(AAᵀ) ≳ 1e4, block Jacobi removes the scaling
  const w = randn(8 * 27, 14);
  for (let o = 0; o < 8; o++) for (let j = 0; j < 27; j++) w[o * 27 + j] *= 10 ** (2 * o / 7);
  const op = convOperator(w, wide);
  const v = randn(op.cols, 15);
  const plain = projectToNullSpace(op, v);
  const pre = projectToNullSpace(op, v, { preconditioner: convPreconditioner(w, wide) });
  t.ok(plain.converged && pre.converged, `residuals ${plain.residual}, ${pre.residual}`);
  t.ok(pre.iterations < plain.iterations / 2, `iterations ${pre.iterations} with M vs ${plain.iterations} without`);
  const e = norm(pre.delta.map((x, i) => x - plain.delta[i]!)) / norm(plain.delta);
  t.ok(e <= 1e-9, `same projection (relative distance ${e})`);
  t.throws(() => projectToNullSpace(op, v, { preconditioner: 3 as never }), /Expected a function \(r, out\) => void for preconditioner but received 3/);
  t.end();
});

t.test('projectToNullSpace(convOperator) runs its CG in WASM memory with the same result as the Float64Array loop', (t) => {
  const base = core.allocations, used = core.used;
  const w = randn(8 * 27, 16);
  const op = convOperator(w, wide);
  const v = randn(op.cols, 17);
  for (const preconditioner of [undefined, convPreconditioner(w, wide)]) {
    const fast = projectToNullSpace(op, v, { preconditioner });
    const slow = projectToNullSpace(op, v, { preconditioner, wasm: false });
    t.ok(fast.converged && slow.converged, `residuals ${fast.residual}, ${slow.residual}`);
    t.ok(Math.abs(fast.iterations - slow.iterations) <= 2, `iterations ${fast.iterations} vs ${slow.iterations}`);
    const e = norm(fast.delta.map((x, i) => x - slow.delta[i]!)) / norm(slow.delta);
    t.ok(e <= 1e-10, `relative distance ${e}`);
  }
  t.equal(core.allocations, base, 'arena allocation count returns to baseline');
  t.equal(core.used, used);
  t.end();
});

t.test('projectToNullSpace(op, v) handles a rank-deficient operator (repeated output channels)', (t) => {
  const w0 = randn(4 * 27, 6);
  const w = new Float64Array(8 * 27);
  w.set(w0); w.set(w0, 4 * 27); // rows 4..7 repeat rows 0..3
  const op = convOperator(w, wide);
  const r = projectToNullSpace(op, randn(op.cols, 7));
  t.ok(r.converged && r.residual <= 1e-13, `residual ${r.residual} after ${r.iterations} iterations`);
  const pre = projectToNullSpace(op, randn(op.cols, 7), { preconditioner: convPreconditioner(w, wide) });
  t.ok(pre.converged && pre.residual <= 1e-13, `with the (clamped) block-Jacobi preconditioner: residual ${pre.residual}`);
  t.end();
});

t.test('projectToNullSpace(denseOperator(W), v) projects onto ker(W) of a Linear layer', (t) => {
  const m = 7, n = 19;
  const w = randn(m * n, 8);
  const op = denseOperator(w, m, n);
  const v = randn(n, 9);
  const r = projectToNullSpace(op, v);
  t.ok(r.residual <= 1e-13, `residual ${r.residual}`);
  const wd = new Float64Array(m);
  for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < n; j++) s += w[i * n + j]! * r.delta[j]!; wd[i] = s; }
  t.ok(norm(wd) <= 1e-13 * norm(r.delta) * r.norm, 'W δ ≈ 0 by an independent product');
  const slow = projectToNullSpace(op, v, { wasm: false });
  t.ok(norm(slow.delta.map((x, i) => x - r.delta[i]!)) <= 1e-10 * norm(r.delta), 'the WASM-memory CG and the Float64Array CG agree');
  t.end();
});

t.test('projectToNullSpace reports honestly: maxIter exhausted → converged false; trivial kernel → δ ≈ 0', (t) => {
  const op = convOperator(randn(8 * 27, 10), wide);
  const r = projectToNullSpace(op, randn(op.cols, 11), { maxIter: 3 });
  t.equal(r.iterations, 3);
  t.notOk(r.converged);
  t.ok(r.residual > 1e-13);
  // tall, injective: 8 ← 1 channel, 3×3 stride 1 with padding 1 on 6×6 (288 × 36)
  const tall = convOperator(randn(8 * 9, 12), convGeometry({ c: 1, h: 6, w: 6, outC: 8, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }));
  const q = projectToNullSpace(tall, randn(36, 13));
  t.ok(q.captured <= 1e-6, `captured ${q.captured}: ker(A) is trivial`);
  t.notOk(q.converged, 'a vanishing δ is not reported as a converged collision');
  t.ok(q.iterations < 200, `stops at the rounding floor (${q.iterations} iterations), not at maxIter`);
  const z = projectToNullSpace(op, new Float64Array(op.cols));
  t.same([z.residual, z.captured, z.converged], [0, 0, true], 'v = 0 projects to 0');
  t.end();
});

t.test('opNorm(op) estimates ‖A‖₂ of a dense operator with known singular values', (t) => {
  // A = diag(s) padded: singular values known exactly
  const s = [3, 2.5, 1, 0.5];
  const a = new Float64Array(4 * 6);
  s.forEach((x, i) => { a[i * 6 + i] = x; });
  const est = opNorm(denseOperator(a, 4, 6), { iters: 200 });
  t.ok(Math.abs(est - 3) <= 1e-8, `estimate ${est}`);
  t.equal(opNorm(denseOperator(new Float64Array(6), 2, 3)), 0);
  t.throws(() => opNorm(denseOperator(a, 4, 6), { iters: 0 }), /Expected a positive integer for iters but received 0/);
  t.end();
});

t.test('projectToNullSpace rejects bad arguments with clear messages', (t) => {
  const op = convOperator(randn(8 * 27, 1), wide);
  t.throws(() => projectToNullSpace(op, new Float64Array(3)), /Expected length 720 for v but received length 3/);
  t.throws(() => projectToNullSpace(op, new Float64Array(720).fill(NaN)), /Expected finite values for v but received NaN/);
  t.throws(() => projectToNullSpace(op, new Float64Array(720), { tol: 0 }), /Expected a number in \(0, 1\) for tol but received 0/);
  t.throws(() => projectToNullSpace(op, new Float64Array(720), { maxIter: -1 }), /Expected a non-negative integer for maxIter/);
  t.throws(() => projectToNullSpace({} as LinearOperator, new Float64Array(1)), /Expected a LinearOperator .* for op/);
  t.throws(() => denseOperator(new Float64Array(5), 2, 3), /Expected length 6 for w/);
  t.throws(() => denseOperator(new Float64Array(6), -2, -3), /for m but received -2/);
  t.end();
});
