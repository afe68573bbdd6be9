import t from 'tap';
import { randomGeometry } from './random-geometry.js';
import { core } from '../../src/core/index.js';
import { convNormalFactor, denseNormalFactor } from '../../src/linalg/normal-factor.js';
import { convOperator } from '../../src/linalg/conv.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { convPreconditioner } from '../../src/linalg/preconditioner.js';
import { projectToNullSpace } from '../../src/linalg/project.js';
import { ptrProductsOf } from '../../src/linalg/ptr-products.js';
import { restrictColumns } from '../../src/linalg/restrict-columns.js';
import { convGeometry, outputSize } from '../../src/linalg/geometry.js';
import { randn, rng } from '../../src/linalg/random.js';
import { denseOf, norm } from './naive.js';

const EPS = 2 ** -52;


t.test('convNormalFactor(w, g).solve inverts A·Aᵀ; as the PCG preconditioner it projects in ≤ 5 steps and agrees with block-Jacobi CG', (t) => {
  let fallbacks = 0, agreed = 0;
  for (let s = 0; s < 16; s++) {
    const g = randomGeometry(1000 + s);
    const w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 200 + s);
    const op = convOperator(w, g);
    const f = convNormalFactor(w, g);
    const label = `${g.c}→${g.outC}/${g.groups} ${g.h}×${g.w} k${g.kh}×${g.kw} s${g.sh},${g.sw} d${g.dh},${g.dw} (${op.rows}×${op.cols})`;
    if (f === undefined) {
      // the unpivoted factor breaks down only on a badly rank-deficient A·Aᵀ: more rows than pixels
      t.ok(op.rows > op.cols, `${label}: no factor (fallback)`);
      fallbacks++;
      continue;
    }
    t.ok(f.rows === op.rows && f.bytes >= (f.settledAt ?? f.rows) * (f.bandwidth + 1) * 8 && f.factorMs >= 0 && f.accuracy <= 1e-6, `${label}: factored, accuracy ${f.accuracy.toExponential(2)}`);
    const v = randn(op.cols, 300 + s);
    // both run to tol 1e-14 (about the rounding floor): two projections that each meet 1e-13 can
    // still differ by 1e-13·κ(A), more than 1e-12 on a nearly square A
    const fast = projectToNullSpace(op, v, { preconditioner: f.solve, tol: 1e-14 });
    const ref = projectToNullSpace(op, v, { preconditioner: convPreconditioner(w, g), tol: 1e-14 });
    if (ref.captured < 1e-6) {
      // trivial kernel (a tall injective A): both shrink to ~0, nothing to compare relatively
      t.ok(fast.captured < 1e-6, `${label}: trivial kernel, captured ${fast.captured.toExponential(2)}`);
      continue;
    }
    const diff = norm(fast.delta.map((x, i) => x - ref.delta[i]!)) / norm(ref.delta);
    // block-Jacobi can fail where the factor does not (W_g W_gᵀ singular: a 1×1 kernel with more outputs than inputs)
    t.ok(fast.residual <= 1e-13 && fast.iterations <= 5 && (ref.residual > 1e-13 || diff <= 1e-12),
      `${label}: residual ${fast.residual.toExponential(2)} in ${fast.iterations} PCG steps (block-Jacobi ${ref.iterations} to ${ref.residual.toExponential(1)}), dropped ${f.dropped}, distance ${diff.toExponential(2)}`);
    if (ref.residual <= 1e-13) agreed++;
  }
  t.ok(fallbacks <= 3 && agreed >= 10, `${fallbacks} of 16 geometries fell back, ${agreed} compared with a converged block-Jacobi CG`);
  t.end();
});

t.test('convNormalFactor: solve(A·Aᵀ·x) = x, through the Float64Array and the pointer-level products alike', (t) => {
  const g = convGeometry({ c: 3, h: 20, w: 30, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 });
  const w = randn(8 * 27, 5);
  const op = convOperator(w, g);
  const f = convNormalFactor(w, g)!;
  const x = randn(op.rows, 6);
  const r = op.apply(op.applyT(x));
  const r0 = r.slice();
  const out = new Float64Array(op.rows);
  f.solve(r, out);
  t.same(r, r0, 'r unchanged');
  const e = norm(out.map((v, i) => v - x[i]!)) / norm(x);
  const before = { used: core.used, allocations: core.allocations };
  const ptr = ptrProductsOf(f.solve)!;
  const viaPtr = core.scoped(() => {
    const rp = core.put(r);
    ptr.apply(rp, rp);
    return core.f64(rp, op.rows).slice();
  });
  t.ok(ptr.core === core && f.dropped === 0 && e <= 1e-11, `relative error ${e.toExponential(2)}`);
  t.same(viaPtr, out, 'the pointer product gives the same numbers, in place');
  t.same({ used: core.used, allocations: core.allocations }, before, 'the factor holds no memory of the process-wide core');
  f.solve(r, r);
  t.same(r, out, 'out may be r');
  t.end();
});

t.test('convNormalFactor on a singular A·Aᵀ (two equal rows of W) drops one row per position and still projects exactly', (t) => {
  const g = convGeometry({ c: 3, h: 16, w: 22, outC: 6, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(6 * 27, 8);
  w.copyWithin(4 * 27, 1 * 27, 2 * 27); // row 4 = row 1
  const op = convOperator(w, g);
  const f = convNormalFactor(w, g)!;
  const { oh, ow } = outputSize(g);
  t.equal(f.dropped, oh * ow, 'the copy of row 1 at every output position');
  const v = randn(op.cols, 9);
  const r = projectToNullSpace(op, v, { preconditioner: f.solve });
  const ref = projectToNullSpace(op, v, { preconditioner: convPreconditioner(w, g), tol: 1e-14 });
  const diff = norm(r.delta.map((x, i) => x - ref.delta[i]!)) / norm(ref.delta);
  t.ok(r.residual <= 1e-13 && r.iterations <= 5 && diff <= 1e-12 && r.captured > 0.1,
    `residual ${r.residual.toExponential(2)} in ${r.iterations} steps, distance to block-Jacobi CG ${diff.toExponential(2)}`);
  t.end();
});

t.test('denseNormalFactor(w, m, n) factors W·Wᵀ: exact projections in ≤ 5 steps, also for dependent rows', (t) => {
  for (const [m, n, dup] of [[1, 5, false], [7, 20, false], [33, 50, false], [12, 30, true], [9, 9, false]] as [number, number, boolean][]) {
    const w = randn(m * n, m + n);
    if (dup) w.copyWithin(5 * n, 2 * n, 3 * n);
    const op = denseOperator(w, m, n);
    const f = denseNormalFactor(w, m, n)!;
    const v = randn(n, 7);
    const r = projectToNullSpace(op, v, { preconditioner: f.solve });
    const a = denseOf(op);
    // reference: v − Wᵀ z for z from the normal equations by plain CG run to the floor
    const ref = projectToNullSpace(op, v, { tol: 1e-14, wasm: false });
    const diff = norm(r.delta.map((x, i) => x - ref.delta[i]!)) / Math.max(norm(ref.delta), 1e-300);
    t.ok(f.bandwidth === m - 1 && (f.dropped > 0) === dup && a.length === m * n && (m >= n ? r.captured < 1e-6 : r.residual <= 1e-13 && r.iterations <= 5 && diff <= 1e-12),
      `${m}×${n}${dup ? ' (two equal rows)' : ''}: residual ${r.residual.toExponential(2)} in ${r.iterations} steps, dropped ${f.dropped}, distance ${diff.toExponential(2)}`);
  }
  t.end();
});

t.test('convNormalFactor(w, g, { keep }) is the exact solver of the column-restricted operator (masks, pixels held at a bound)', (t) => {
  const g = convGeometry({ c: 3, h: 24, w: 40, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(8 * 27, 12);
  const op = convOperator(w, g);
  const u = rng(13);
  const random = Uint8Array.from({ length: op.cols }, () => (u.uniform() < 0.05 ? 0 : 1));
  // a held block through all channels: the rows whose windows lie inside it become zero rows
  const block = new Uint8Array(op.cols).fill(1);
  for (let c = 0; c < 3; c++) for (let y = 4; y < 14; y++) for (let x = 10; x < 24; x++) block[(c * 24 + y) * 40 + x] = 0;
  for (const [name, keep] of [['5% random pixels', random], ['a 10×14 block', block]] as [string, Uint8Array][]) {
    const f = convNormalFactor(w, g, { keep })!;
    const sub = restrictColumns(op, keep);
    const v = sub.gather(randn(op.cols, 14));
    const r = projectToNullSpace(sub.op, v, { preconditioner: f.solve, tol: 1e-14 });
    const full = projectToNullSpace(sub.op, v, { preconditioner: convNormalFactor(w, g)!.solve, tol: 1e-14 });
    const ref = projectToNullSpace(sub.op, v, { preconditioner: convPreconditioner(w, g), tol: 1e-14 });
    const diff = norm(r.delta.map((x, i) => x - ref.delta[i]!)) / norm(ref.delta);
    t.ok(r.residual <= 1e-13 && r.iterations <= 5 && ref.residual <= 1e-13 && diff <= 1e-12 && full.iterations > r.iterations,
      `${name}: ${f.dropped} zero rows dropped, residual ${r.residual.toExponential(2)} in ${r.iterations} steps (factor of the unrestricted A: ${full.iterations}, block-Jacobi ${ref.iterations}), distance ${diff.toExponential(2)}`);
  }
  const d = randn(20 * 60, 15);
  const keep = Uint8Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? 0 : 1));
  const sub = restrictColumns(denseOperator(d, 20, 60), keep);
  const r = projectToNullSpace(sub.op, sub.gather(randn(60, 16)), { preconditioner: denseNormalFactor(d, 20, 60, { keep })!.solve });
  t.ok(r.residual <= 1e-13 && r.iterations <= 2, `dense 20×60 without every 7th column: residual ${r.residual.toExponential(2)} in ${r.iterations} steps`);
  t.throws(() => convNormalFactor(w, g, { keep: new Uint8Array(5) }), /Expected length 2880 for keep but received length 5/);
  t.throws(() => convNormalFactor(w, g, { keep: [1] as unknown as Uint8Array }), /Expected a Uint8Array for keep but received 1 of type array/);
  t.end();
});

t.test('convNormalFactor / denseNormalFactor return undefined over the memory budget; bad options named', (t) => {
  const g = convGeometry({ c: 3, h: 48, w: 192, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(8 * 27, 1);
  const bytes = 18432 * 208 * 8;
  t.equal(convNormalFactor(w, g, { budget: bytes - 1 }), undefined, 'one byte short');
  t.equal(denseNormalFactor(randn(40 * 50, 2), 40, 50, { budget: 40 * 40 * 8 - 1 }), undefined);
  t.ok(denseNormalFactor(randn(40 * 50, 2), 40, 50, { budget: 40 * 40 * 8 }) !== undefined, 'fits exactly');
  const huge = convGeometry({ ...g, h: 640, w: 640 });
  t.equal(convNormalFactor(w, huge, { budget: 1e12 }), undefined, 'a 16.9 GB band is refused whatever the budget (1 GiB cap of one buffer)');
  t.throws(() => convNormalFactor(w, g, { budget: -1 }), /Expected a number of bytes ≥ 0 for budget but received -1/);
  t.throws(() => convNormalFactor(w.subarray(1), g), /Expected length 216 for weight but received length 215/);
  t.throws(() => denseNormalFactor(new Float64Array(6), 2, 4), /Expected length 8 for w but received length 6/);
  const f = denseNormalFactor(randn(6, 3), 2, 3)!;
  t.throws(() => f.solve(new Float64Array(3), new Float64Array(2)), /Expected length 2 for r but received length 3/);
  t.end();
});

t.test('a wide image: the factor settles to the rows of one column, is held as its first columns, and projects as the whole band does', (t) => {
  // the PP-OCR classifier's first layer shape (3→8, 3×3, stride 2, pad 1) on a 24×160 image: 80 output columns
  const g = convGeometry({ c: 3, h: 24, w: 160, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(8 * 27, 41);
  const op = convOperator(w, g);
  const f = convNormalFactor(w, g)!;
  const whole = convNormalFactor(w, g, { settle: false })!;
  const full = op.rows * (f.bandwidth + 1) * 8;
  t.ok(whole.settledAt === undefined && whole.bytes >= full && whole.peakBytes === whole.bytes, `settle: false holds the whole band (${whole.bytes} bytes)`);
  t.ok(f.peakBytes >= full + f.bytes, `the set-up peaks at the whole band and the kept part (${f.peakBytes} bytes)`);
  const period = 8 * 12; // output rows per output column
  t.ok(f.settledAt !== undefined && f.settledAt % period === 0 && f.settledAt < 0.75 * op.rows && f.bytes < 0.5 * full,
    `settled from row ${f.settledAt} of ${op.rows}: ${f.bytes} bytes held against ${full}`);
  // the solves agree to rounding, and each inverts A·Aᵀ
  const x = randn(op.rows, 42);
  const r = op.apply(op.applyT(x));
  const a = new Float64Array(op.rows), b = new Float64Array(op.rows);
  f.solve(r, a); whole.solve(r, b);
  const gap = norm(a.map((v, i) => v - b[i]!)) / norm(b), err = norm(a.map((v, i) => v - x[i]!)) / norm(x);
  t.ok(gap <= 1e-13 && err <= 1e-11, `settled vs whole ${gap.toExponential(2)}, solve error ${err.toExponential(2)}`);
  // and as preconditioners: exact projections in as few PCG steps, the same δ to 1e-13
  for (const seed of [43, 44, 45]) {
    const v = randn(op.cols, seed);
    const p = projectToNullSpace(op, v, { preconditioner: f.solve, tol: 1e-13 });
    const q = projectToNullSpace(op, v, { preconditioner: whole.solve, tol: 1e-13 });
    const d = norm(p.delta.map((u, i) => u - q.delta[i]!)) / norm(q.delta);
    t.ok(p.residual <= 1e-13 && p.iterations <= q.iterations && d <= 1e-13 && p.captured > 0.3,
      `seed ${seed}: residual ${p.residual.toExponential(2)} in ${p.iterations} steps (whole band ${q.iterations}), distance ${d.toExponential(2)}`);
  }
  t.end();
});
