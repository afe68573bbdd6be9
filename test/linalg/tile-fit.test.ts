// The tile fit's WASM kernels (assembly/tile.ts) called directly on tiny inputs checked against plain
// loops, with SIMD-tail lengths and odd row counts; and tileFitter's argument checks and its release
// of the WASM memory it holds (the arena returns to its baseline after dispose()).
import t from 'tap';
import { core } from '../../src/core/index.js';
import { tileFitter } from '../../src/linalg/tile-fit.js';
import { randn } from '../../src/linalg/random.js';
import { relErr } from './naive.js';

t.test('rowsCombineF64(len, a, A, ld, h, λ, v0, v) = v0 − Σ λ_r A[h_r, :] (tails 1, 2, 3, 5; a odd and even; v aliasing v0)', (t) => {
  const base = core.allocations;
  for (const len of [1, 2, 3, 5, 8]) for (const a of [0, 1, 2, 3]) for (const alias of [false, true]) {
    const rows = 6; const ld = len + 3;
    const A = randn(rows * ld, len + 10 * a); const v0 = randn(len, 3); const lam = randn(Math.max(a, 1), 4);
    const h = Int32Array.from([4, 0, 5].slice(0, a));
    const ref = Float64Array.from(v0);
    for (let r = 0; r < a; r++) for (let j = 0; j < len; j++) ref[j]! -= lam[r]! * A[h[r]! * ld + j]!;
    const out = core.scoped(() => {
      const pA = core.put(A); const pH = core.put(h.length ? h : new Int32Array(1)); const pL = core.put(lam); const pV0 = core.put(v0);
      const pV = alias ? pV0 : core.alloc(len * 8);
      core.kernels.rowsCombineF64(len, a, pA, ld, pH, pL, pV0, pV);
      return Float64Array.from(core.f64(pV, len));
    });
    t.ok(relErr(out, ref) <= 1e-15, `len ${len}, a ${a}${alias ? ', aliased' : ''}`);
  }
  t.equal(core.allocations, base, 'arena allocation count returns to baseline');
  t.end();
});

t.test('trsvLowerF64 and trsvLowerTF64 solve L x = b and Lᵀ x = b in place (row stride > a)', (t) => {
  for (const a of [1, 2, 3, 5, 9]) {
    const ld = a + 2;
    const L = new Float64Array(a * ld); const r = randn(a * ld, a);
    for (let i = 0; i < a; i++) { for (let j = 0; j < i; j++) L[i * ld + j] = r[i * ld + j]!; L[i * ld + i] = 2 + Math.abs(r[i * ld + i]!); }
    const x = randn(a, 7);
    const b = new Float64Array(a); const bt = new Float64Array(a);
    for (let i = 0; i < a; i++) for (let j = 0; j <= i; j++) { b[i]! += L[i * ld + j]! * x[j]!; bt[j]! += L[i * ld + j]! * x[i]!; }
    const [xl, xt] = core.scoped(() => {
      const pL = core.put(L); const pb = core.put(b); const pbt = core.put(bt);
      core.kernels.trsvLowerF64(a, pL, ld, pb); core.kernels.trsvLowerTF64(a, pL, ld, pbt);
      return [Float64Array.from(core.f64(pb, a)), Float64Array.from(core.f64(pbt, a))];
    });
    t.ok(relErr(xl, x) <= 1e-13 && relErr(xt, x) <= 1e-13, `a ${a}: ${relErr(xl, x).toExponential(1)}, ${relErr(xt, x).toExponential(1)}`);
  }
  t.end();
});

t.test('tileFitter checks its arguments and releases its WASM memory on dispose()', (t) => {
  // a 1-channel 2×2 "tile" space with k = 1: e = (1, −1, 1, −1)/2
  const n = 4; const k = 1;
  const e = Float64Array.from([0.5, -0.5, 0.5, -0.5]);
  const proj = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) proj[i * n + j] = e[i]! * e[j]!;
  const tb = { ph: 2, pw: 2, sh: 1, sw: 1, n, k, bt: e, basis: e, proj };
  const shape = { c: 1, h: 4, w: 4 };
  t.throws(() => tileFitter(tb, shape, new Float64Array(15), new Float64Array(16)), /expected bounds of length 16 but received 15 and 16/);
  t.throws(() => tileFitter({ ...tb, n: 8 }, shape, new Float64Array(16), new Float64Array(16)), /does not match 1×2×2 tiles/);
  const base = core.allocations; const used = core.used;
  const lo = new Float64Array(16).fill(-1); const hi = new Float64Array(16).fill(1);
  const f = tileFitter(tb, shape, lo, hi);
  t.throws(() => f.run(new Float64Array(3)), /expected a goal of length 16 but received 3/);
  const g = randn(16, 5);
  f.run(g, 1); f.runExact(g, 1);
  const d = Float64Array.from(f.delta);
  f.dispose();
  t.equal(core.allocations, base, 'allocation count back at baseline');
  t.equal(core.used, used, 'arena back at baseline');
  t.throws(() => f.run(g), /run after dispose/);
  // δ lies in the span of e placed at every tile origin of both tilings ((0|2, 0|2) and (1, 1)): the
  // least-squares fit by those five vectors (normal equations, Gaussian elimination) leaves no residual
  const origins = [[0, 0], [0, 2], [2, 0], [2, 2], [1, 1]];
  const vecs = origins.map(([y0, x0]) => { const v = new Float64Array(16); [[0, 0], [0, 1], [1, 0], [1, 1]].forEach(([dy, dx], i) => { v[(y0! + dy!) * 4 + x0! + dx!] = e[i]!; }); return v; });
  const m = vecs.length;
  const G = vecs.map((u) => vecs.map((w) => u.reduce((acc, ui, i) => acc + ui * w[i]!, 0)));
  const rhs = vecs.map((u) => u.reduce((acc, ui, i) => acc + ui * d[i]!, 0));
  for (let c = 0; c < m; c++) for (let r = c + 1; r < m; r++) { const f2 = G[r]![c]! / G[c]![c]!; for (let q = c; q < m; q++) G[r]![q]! -= f2 * G[c]![q]!; rhs[r]! -= f2 * rhs[c]!; }
  const coef = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) { let sum = rhs[r]!; for (let q = r + 1; q < m; q++) sum -= G[r]![q]! * coef[q]!; coef[r] = sum / G[r]![r]!; }
  const fit = new Float64Array(16); vecs.forEach((v, q) => v.forEach((vi, i) => { fit[i]! += coef[q]! * vi; }));
  const worst = relErr(fit, d);
  t.ok(d.some((v) => v !== 0) && d.every((v) => v >= -1 && v <= 1), 'moved, inside the box');
  t.ok(worst <= 1e-14, `δ lies in the span of the tile vectors (${worst.toExponential(1)})`);
  t.end();
});
