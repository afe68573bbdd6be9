// boxFit (src/collide/box-fit.ts) against an independent reference: on small dense problems the
// optimum of min ½‖δ − g‖² s.t. Aδ = 0, lo ≤ δ ≤ hi is found by enumerating active sets (every
// entry free, on lo or on hi; each candidate an equality-constrained least-squares problem solved
// through an SVD null-space basis); some entries sit exactly on a bound (room 0 on one side), which
// boxFit holds at δ = 0 (as the reference does). The
// projectors given to boxFit are exact too (dense null-space bases), so what is tested is the
// solver: in the box exactly, in ker(A) to round-off, and at the optimum up to its margin.
import t from 'tap';
import { boxFit } from '../../src/collide/box-fit.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import { nullSpace } from '../../src/linalg/nullspace.js';
import { rng } from '../../src/linalg/random.js';

function nrm(a: ArrayLike<number>): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/** Orthonormal basis (k × n, rows) of ker(A) ∩ {δ = 0 outside keep}. */
function basisOf(a: Float64Array, m: number, n: number, keep: (i: number) => boolean): { rows: Float64Array[]; } {
  const idx = Array.from({ length: n }, (_, i) => i).filter(keep);
  if (idx.length === 0) return { rows: [] };
  const sub = new Float64Array(m * idx.length);
  for (let r = 0; r < m; r++) idx.forEach((c, j) => { sub[r * idx.length + j] = a[r * n + c]!; });
  const ns = nullSpace(sub, m, idx.length);
  const rows: Float64Array[] = [];
  for (let k = 0; k < ns.k; k++) {
    const v = new Float64Array(n);
    idx.forEach((c, j) => { v[c] = ns.basis[k * idx.length + j]!; });
    rows.push(v);
  }
  return { rows };
}

function projectorOf(a: Float64Array, m: number, n: number) {
  return (keep: Uint8Array | undefined) => {
    const { rows } = basisOf(a, m, n, (i) => !keep || keep[i] === 1);
    return (v: Float64Array) => {
      const out = new Float64Array(n);
      for (const b of rows) { let s = 0; for (let i = 0; i < n; i++) s += b[i]! * v[i]!; for (let i = 0; i < n; i++) out[i]! += s * b[i]!; }
      return out;
    };
  };
}

/** The optimum by enumerating which entries sit on lo, on hi, or are free (3ⁿ candidates). */
function reference(a: Float64Array, m: number, n: number, g: Float64Array, lo: Float64Array, hi: Float64Array): Float64Array {
  let best: Float64Array | undefined; let bestF = Infinity;
  const state = new Int8Array(n); // 0 free, 1 lo, 2 hi
  const total = 3 ** n;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < n; i++) { state[i] = c % 3; c = Math.floor(c / 3); }
    // fixed part f, free part from the basis of ker(A_free): δ = f + N t, A f + A N t = 0
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) if (state[i] === 1) f[i] = lo[i]!; else if (state[i] === 2) f[i] = hi[i]!;
    const free = (i: number) => state[i] === 0;
    // particular solution: least squares over the free entries of A_free d = −A f (via normal equations on a tiny system)
    const af = new Float64Array(m);
    for (let r = 0; r < m; r++) { let s = 0; for (let i = 0; i < n; i++) s += a[r * n + i]! * f[i]!; af[r] = s; }
    const freeIdx = Array.from({ length: n }, (_, i) => i).filter(free);
    const d = leastSquares(a, m, n, freeIdx, af.map((v) => -v));
    if (!d) continue;
    const x = f.slice(); freeIdx.forEach((i, j) => { x[i] = d[j]!; });
    // residual check: A x = 0
    let res = 0; for (let r = 0; r < m; r++) { let s = 0; for (let i = 0; i < n; i++) s += a[r * n + i]! * x[i]!; res += s * s; }
    if (Math.sqrt(res) > 1e-9) continue;
    // optimise the free part within the affine set: x + N t closest to g
    const { rows } = basisOf(a, m, n, free);
    for (const b of rows) { let s = 0; for (let i = 0; i < n; i++) s += b[i]! * (g[i]! - x[i]!); for (let i = 0; i < n; i++) x[i]! += s * b[i]!; }
    if (!x.every((v, i) => v >= lo[i]! - 1e-12 && v <= hi[i]! + 1e-12)) continue;
    const F = nrm(x.map((v, i) => v - g[i]!));
    if (F < bestF) { bestF = F; best = x; }
  }
  return best!;
}

/** min ‖A_F d − b‖ over the columns F (normal equations, tiny); undefined when A_F has no columns and b ≠ 0. */
function leastSquares(a: Float64Array, m: number, n: number, cols: number[], b: Float64Array): Float64Array | undefined {
  const k = cols.length;
  if (k === 0) return nrm(b) < 1e-12 ? new Float64Array(0) : undefined;
  // minimum-norm solution through the pseudo-inverse: d = A_Fᵀ (A_F A_Fᵀ)⁺ b by Gauss–Jordan on m × m with pivot drop
  const G = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) { let v = 0; for (const c of cols) v += a[r * n + c]! * a[s * n + c]!; G[r * m + s] = v; }
  const y = Float64Array.from(b);
  const M = G.slice();
  const piv: boolean[] = [];
  for (let col = 0; col < m; col++) {
    let p = -1; let pv = 1e-10;
    for (let r = col; r < m; r++) if (Math.abs(M[r * m + col]!) > pv) { pv = Math.abs(M[r * m + col]!); p = r; }
    if (p < 0) { piv.push(false); continue; }
    piv.push(true);
    for (let s = 0; s < m; s++) { const tmp = M[col * m + s]!; M[col * m + s] = M[p * m + s]!; M[p * m + s] = tmp; }
    const ty = y[col]!; y[col] = y[p]!; y[p] = ty;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = M[r * m + col]! / M[col * m + col]!;
      if (f === 0) continue;
      for (let s = 0; s < m; s++) M[r * m + s]! -= f * M[col * m + s]!;
      y[r]! -= f * y[col]!;
    }
  }
  const z = new Float64Array(m);
  for (let r = 0; r < m; r++) z[r] = piv[r] ? y[r]! / M[r * m + r]! : 0;
  const d = new Float64Array(k);
  cols.forEach((c, j) => { let s = 0; for (let r = 0; r < m; r++) s += a[r * n + c]! * z[r]!; d[j] = s; });
  return d;
}

function problem(seed: number, m: number, n: number, onBound: number) {
  const r = rng(seed);
  const a = Float64Array.from({ length: m * n }, () => r.normal());
  // x in the unit box with some entries exactly on 0 or 1; bounds on δ are −x and 1 − x
  const x = Float64Array.from({ length: n }, (_, i) => (i < onBound ? (i % 2) : 0.05 + 0.9 * r.uniform()));
  const lo = x.map((v) => -v); const hi = x.map((v) => 1 - v);
  const g = Float64Array.from({ length: n }, () => 0.6 * r.normal());
  return { a, x, lo, hi, g };
}

t.test('boxFit: inside the box exactly, in ker(A) to round-off, at the enumerated optimum; entries exactly on a bound held', async (t) => {
  const m = 3; const n = 8;
  let checked = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const { a, lo, hi, g } = problem(seed, m, n, seed % 3);
    const op = denseOperator(a, m, n);
    const r = boxFit(op, projectorOf(a, m, n), g, lo, hi, { margin: 1e-7, maxIter: 5000, norm: nrm(a) });
    // entries exactly on a bound are held at 0, as boxFit documents: the reference holds them too
    const onBound = (i: number) => lo[i] === 0 || hi[i] === 0;
    const ref = reference(a, m, n, g, lo.map((v, i) => (onBound(i) ? 0 : v)), hi.map((v, i) => (onBound(i) ? 0 : v)));
    const inBox = r.delta.every((v, i) => v >= lo[i]! && v <= hi[i]!);
    const res = nrm(op.apply(r.delta)) / (nrm(a) * Math.max(nrm(r.delta), 1e-300));
    const dist = nrm(r.delta.map((v, i) => v - ref[i]!));
    t.ok(inBox && res <= 1e-13 && dist <= 1e-4 * Math.max(1, nrm(ref)), `seed ${seed}: in box ${inBox}, residual ${res.toExponential(2)}, ‖δ − δ*‖ ${dist.toExponential(2)} (‖δ*‖ ${nrm(ref).toFixed(3)}, frozen ${r.frozen})`);
    if (nrm(ref) > 0.1) t.ok(nrm(r.delta) > 0.09, 'moved: the solver did not fall back to δ = 0');
    checked++;
  }
  t.equal(checked, 6);
});

t.test('boxFit: no entry able to move gives δ = 0 with frozen = 1 and γ = 0; a goal inside the box and the kernel comes back as it is', async (t) => {
  const m = 3; const n = 8;
  const { a, g } = problem(9, m, n, 0);
  const op = denseOperator(a, m, n);
  const lo = new Float64Array(n); const hi = new Float64Array(n); // a mask that keeps nothing
  const r = boxFit(op, projectorOf(a, m, n), g, lo, hi);
  t.same([nrm(r.delta), r.frozen, r.gamma], [0, 1, 0]);
  // a goal already in ker(A) and well inside the box is the answer (no shrink, no move away)
  const wide = new Float64Array(n).fill(-10); const wideHi = new Float64Array(n).fill(10);
  const pg = projectorOf(a, m, n)(undefined)(g);
  const q = boxFit(op, projectorOf(a, m, n), pg, wide, wideHi);
  t.ok(nrm(q.delta.map((v, i) => v - pg[i]!)) <= 1e-12 * nrm(pg) && q.gamma === 1, `‖δ − g‖ ${nrm(q.delta.map((v, i) => v - pg[i]!))}`);
});
