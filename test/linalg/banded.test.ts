import t from 'tap';
import { core } from '../../src/core/index.js';
import { bandCholesky, bandSolve } from '../../src/linalg/banded.js';
import { rng } from '../../src/linalg/random.js';

const EPS = 2 ** -52;

/** A random SPD band matrix (n, half-bandwidth b) as a dense array: B·Bᵀ + I with B lower band. */
function spdBand(n: number, b: number, seed: number): Float64Array {
  const g = rng(seed);
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = Math.max(0, i - b); j <= i; j++) B[i * n + j] = g.normal();
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? 1 : 0;
    for (let k = 0; k < n; k++) s += B[i * n + k]! * B[j * n + k]!;
    A[i * n + j] = s;
  }
  return A;
}

/** Lower band layout of the file header of src/linalg/banded.ts, with `fill` in the ignored slots. */
function toBand(A: Float64Array, n: number, b: number, ld: number, fill = 0): Float64Array {
  const band = new Float64Array(n * ld).fill(fill);
  for (let i = 0; i < n; i++) for (let k = Math.max(0, i - b); k <= i; k++) band[i * ld + k - i + b] = A[i * n + k]!;
  return band;
}

/** Dense Cholesky by the textbook loops (L lower, row-major). */
function naiveCholesky(A: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    L[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / L[j * n + j]!;
    }
  }
  return L;
}

/** x = A⁻¹ r by Gaussian elimination with partial pivoting (independent of Cholesky). */
function naiveSolve(A: Float64Array, n: number, r: Float64Array): Float64Array {
  const M = A.slice(), x = r.slice();
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i * n + c]!) > Math.abs(M[p * n + c]!)) p = i;
    for (let j = 0; j < n; j++) [M[c * n + j], M[p * n + j]] = [M[p * n + j]!, M[c * n + j]!];
    [x[c], x[p]] = [x[p]!, x[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = M[i * n + c]! / M[c * n + c]!;
      for (let j = c; j < n; j++) M[i * n + j] -= f * M[c * n + j]!;
      x[i] -= f * x[c]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= M[i * n + j]! * x[j]!;
    x[i] = s / M[i * n + i]!;
  }
  return x;
}

const maxAbs = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!)); return m; };

// (n, b): b = 0, b ≥ n − 1, the four-row blocks and their 1…3-row tails, odd and even run lengths
const SHAPES: [number, number][] = [[1, 0], [5, 0], [2, 1], [7, 1], [9, 2], [10, 3], [12, 4], [13, 5], [17, 6], [20, 7], [31, 8],
  [6, 5], [6, 9], [40, 13], [64, 21]];

t.test('bandCholesky(band, n, b) matches the dense Cholesky and L·Lᵀ reproduces A to a few eps', (t) => {
  for (const [n, b] of SHAPES) {
    for (const ld of [b + 1, b + 4]) {
      const A = spdBand(n, Math.min(b, n - 1), n * 100 + b);
      const band = toBand(A, n, b, ld, NaN); // ignored slots are NaN: reading one would show
      const status = bandCholesky(band, n, b, { ld });
      const L = naiveCholesky(A, n);
      let errL = 0, errA = 0, ignored = true;
      for (let i = 0; i < n; i++) {
        for (let k = Math.max(0, i - b); k <= i; k++) errL = Math.max(errL, Math.abs(band[i * ld + k - i + b]! - L[i * n + k]!));
        for (let s = 0; s < ld; s++) if ((s < b - i || s > b) && !Number.isNaN(band[i * ld + s]!)) ignored = false;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = Math.max(0, i - b); k <= j; k++) if (j - k <= b) s += band[i * ld + k - i + b]! * band[j * ld + k - j + b]!;
          errA = Math.max(errA, Math.abs(s - A[i * n + j]!));
        }
      }
      const scale = maxAbs(A);
      t.ok(status === 0 && errL <= 1e3 * EPS * maxAbs(L) && errA <= 8 * (b + 1) * EPS * scale && ignored,
        `n ${n} b ${b} ld ${ld}: status ${status}, |L − L_naive| ${errL.toExponential(2)}, |LLᵀ − A|/|A| ${(errA / scale).toExponential(2)}, ignored slots untouched ${ignored}`);
    }
  }
  t.end();
});

t.test('bandCholesky(band, n, b) reports the first non-positive pivot as k + 1', (t) => {
  // [[1, 2], [2, 1]]: pivot 1 is 1 − 4 = −3
  t.equal(bandCholesky(Float64Array.from([0, 1, 2, 1]), 2, 1), 2, 'indefinite 2×2');
  // an SPD band matrix with row 5 made dependent on row 4 (A[5,5] lowered to the exact Schur value − 1)
  const n = 12, b = 3;
  const A = spdBand(n, b, 7);
  const L = naiveCholesky(A, n);
  let schur = 0;
  for (let k = 0; k < 5; k++) schur += L[5 * n + k]! ** 2;
  A[5 * n + 5] = schur - 1;
  t.equal(bandCholesky(toBand(A, n, b, b + 1), n, b), 6, 'pivot 5 negative → status 6');
  // the same with a band wide enough for the two-row path, failing at the first and the second row of a pair
  for (const k of [6, 7]) {
    const W = spdBand(n, 9, 11 + k);
    const Lw = naiveCholesky(W, n);
    let sk = 0;
    for (let q = 0; q < k; q++) sk += Lw[k * n + q]! ** 2;
    W[k * n + k] = sk - 1e-3;
    t.equal(bandCholesky(toBand(W, n, 9, 10), n, 9), k + 1, `b 9: pivot ${k} negative → status ${k + 1}`);
  }
  t.equal(bandCholesky(toBand(spdBand(4, 1, 3), 4, 1, 2).map((v, i) => (i === 1 ? -v : v)), 4, 1), 1, 'negative A[0,0] → status 1');
  const spd = spdBand(8, 2, 9);
  t.equal(bandCholesky(toBand(spd, 8, 2, 3), 8, 2), 0, 'an SPD matrix passes');
  t.equal(bandCholesky(Float64Array.from([0, 1, 0, 0]), 2, 1), 2, 'a zero pivot fails without dropTol');
  t.end();
});

t.test('bandCholesky(band, n, b, { dropTol }) drops the pivots of dependent rows and bandSolve solves the consistent system', (t) => {
  // A = B·Bᵀ with B (n × k), k < n: rank k; rows k … n − 1 depend on the first k
  const n = 14, b = n - 1;
  for (const k of [0, 1, 5, 13]) {
    const g = rng(40 + k);
    const B = Float64Array.from({ length: n * k }, () => g.normal());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) A[i * n + j] += B[i * k + q]! * B[j * k + q]!;
    const band = toBand(A, n, b, b + 1);
    const status = bandCholesky(band, n, b, { dropTol: 16 * n * EPS });
    let dropped = 0;
    for (let i = 0; i < n; i++) if (band[i * (b + 1) + b] === 0) dropped++;
    // r = A·u is consistent; x = A⁺-like solution must satisfy A x = r
    const u = Float64Array.from({ length: n }, () => g.normal());
    const r = Float64Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < n; j++) s += A[i * n + j]! * u[j]!; return s; });
    const x = bandSolve(band, n, b, r);
    let res = 0;
    for (let i = 0; i < n; i++) { let s = -r[i]!; for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!; res = Math.max(res, Math.abs(s)); }
    const zeroOnDropped = Array.from({ length: n }, (_, i) => i).every((i) => band[i * (b + 1) + b] !== 0 || x[i] === 0);
    t.ok(status === 0 && dropped === n - k && res <= 1e-9 * Math.max(maxAbs(r), 1e-300) && zeroOnDropped,
      `rank ${k} of ${n}: status ${status}, dropped ${dropped}, |A x − r|/|r| ${(res / Math.max(maxAbs(r), 1e-300)).toExponential(2)}`);
  }
  t.equal(bandCholesky(Float64Array.from([1, 0, 2, -1]), 2, 1, { dropTol: 1e-12 }), 2, 'a clearly negative pivot still fails');
  t.end();
});

t.test('bandSolve(factor, n, b, r) solves A x = r (with and without a permutation); out may alias r', (t) => {
  for (const [n, b] of SHAPES) {
    const A = spdBand(n, Math.min(b, n - 1), 31 * n + b);
    const factor = toBand(A, n, b, b + 1);
    t.equal(bandCholesky(factor, n, b), 0);
    const g = rng(n + 1000 * b);
    const r = Float64Array.from({ length: n }, () => g.normal());
    const r0 = r.slice();
    const x = bandSolve(factor, n, b, r);
    const ref = naiveSolve(A, n, r);
    const e1 = maxAbs(x.map((v, i) => v - ref[i]!)) / maxAbs(ref);
    // permuted: the factor is of P A Pᵀ, so Pᵀ(P A Pᵀ)⁻¹P r = A⁻¹ r
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(g.uniform() * (i + 1)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
    const Ap = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ap[i * n + j] = A[perm[i]! * n + perm[j]!]!;
    const fp = toBand(Ap, n, n - 1, n); // a permutation spreads the band: store it dense
    t.equal(bandCholesky(fp, n, n - 1), 0);
    const out = r.slice();
    const xp = bandSolve(fp, n, n - 1, out, { perm, out });
    const e2 = maxAbs(xp.map((v, i) => v - ref[i]!)) / maxAbs(ref);
    t.ok(e1 <= 1e-12 && e2 <= 1e-12 && xp === out, `n ${n} b ${b}: relative error ${e1.toExponential(2)}, permuted and aliased ${e2.toExponential(2)}`);
    t.same(r, r0, 'r unchanged when it is not out');
  }
  t.end();
});

t.test('bandCholesky / bandSolve: empty input, arena left as found, bad arguments named', (t) => {
  const before = { used: core.used, allocations: core.allocations };
  t.equal(bandCholesky(new Float64Array(0), 0, 0), 0);
  t.same(bandSolve(new Float64Array(0), 0, 3, new Float64Array(0)), new Float64Array(0));
  bandSolve(Float64Array.from([4]), 1, 0, Float64Array.from([2]));
  t.same({ used: core.used, allocations: core.allocations }, before, 'nothing stays allocated');
  t.same(Array.from(bandSolve(Float64Array.from([2]), 1, 0, Float64Array.from([8]))), [2], '1×1: 8 / 2²');
  t.throws(() => bandCholesky(new Float64Array(5), 2, 1), /Expected length 4 for band but received length 5/);
  t.throws(() => bandCholesky(new Float64Array(4), 2, 1, { ld: 1 }), /Expected an integer between 2 and \d+ for ld but received 1/);
  t.throws(() => bandCholesky([1, 2] as unknown as Float64Array, 1, 1), /Expected a Float64Array for band but received 1,2 of type array/);
  t.throws(() => bandCholesky(Float64Array.from([NaN, 1, 0, NaN]), 2, 1), /Expected finite values for band but received NaN at index 3/);
  t.throws(() => bandCholesky(Float64Array.from([1]), 1, 0, { dropTol: -1 }), /Expected a number in \[0, 1\) for dropTol but received -1/);
  t.throws(() => bandSolve(Float64Array.from([1, 1]), 2, 0, new Float64Array(3)), /Expected length 2 for r but received length 3/);
  t.throws(() => bandSolve(Float64Array.from([1, 1]), 2, 0, new Float64Array(2), { out: new Float64Array(1) }), /Expected length 2 for out but received length 1/);
  t.throws(() => bandSolve(Float64Array.from([1, 1]), 2, 0, new Float64Array(2), { perm: Int32Array.from([1, 1]) }), /Expected a permutation of 0 … 1 for perm/);
  t.end();
});

t.test('bandSolveBlocksF64 / F32: each block solved where its permutation puts it, zeros elsewhere; f32 to float32 accuracy', async (t) => {
  // three dense SPD blocks of orders 5, 37, 130 over a vector of 200, rows scattered by their permutations
  const orders = [5, 37, 130]; const len = 200;
  const g = rng(3);
  const perm = Array.from({ length: len }, (_, i) => i).sort(() => g.uniform() - 0.5).slice(0, orders.reduce((a, b) => a + b));
  const r = Float64Array.from({ length: len }, () => g.normal());
  const c = core;
  const expect = new Float64Array(len);
  const out64 = new Float64Array(len); const out32 = new Float64Array(len);
  c.scoped(() => {
    const nPtr = c.put(Int32Array.from(orders)); const permPtr = c.put(Int32Array.from(perm));
    const l64: number[] = []; const l32: number[] = [];
    let off = 0;
    for (const [bi, n] of orders.entries()) {
      const A = spdBand(n, n - 1, 10 + bi);
      const band = toBand(A, n, n - 1, n);
      t.equal(bandCholesky(band, n, n - 1), 0);
      l64.push(c.put(band));
      const L32 = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) L32[i * n + k] = band[i * n + k - i + n - 1]!;
      l32.push(c.put(L32));
      // the reference: A⁻¹ r on this block's rows, by the tested single-block solve
      const rb = Float64Array.from({ length: n }, (_, i) => r[perm[off + i]!]!);
      const xb = bandSolve(band, n, n - 1, rb);
      for (let i = 0; i < n; i++) expect[perm[off + i]!] = xb[i]!;
      off += n;
    }
    const rPtr = c.put(r); const work = c.alloc(130 * 8); const o64 = c.alloc(len * 8); const o32 = c.alloc(len * 8);
    c.kernels.bandSolveBlocksF64(orders.length, nPtr, c.put(Int32Array.from(l64)), permPtr, rPtr, work, o64, len);
    c.kernels.bandSolveBlocksF32(orders.length, nPtr, c.put(Int32Array.from(l32)), permPtr, rPtr, work, o32, len);
    out64.set(c.f64(o64, len)); out32.set(c.f64(o32, len));
  });
  const norm = Math.sqrt(expect.reduce((s, v) => s + v * v, 0));
  let d64 = 0; let d32 = 0; let stray = 0;
  const used = new Set(perm);
  for (let i = 0; i < len; i++) { d64 += (out64[i]! - expect[i]!) ** 2; d32 += (out32[i]! - expect[i]!) ** 2; if (!used.has(i) && (out64[i] !== 0 || out32[i] !== 0)) stray++; }
  t.ok(Math.sqrt(d64) <= 1e-12 * norm && Math.sqrt(d32) <= 1e-4 * norm && Math.sqrt(d32) > 0 && stray === 0,
    `f64 ${(Math.sqrt(d64) / norm).toExponential(1)}, f32 ${(Math.sqrt(d32) / norm).toExponential(1)} relative; ${stray} entries off the blocks not zero`);
});

t.test('bandSolvePeriodicF64 on the first r0 + period rows equals bandSolveF64 on the band those rows repeat into, bit for bit', (t) => {
  const K = core.kernels;
  let cases = 0;
  for (const [n, b, r0, period] of [[40, 5, 10, 6], [64, 9, 0, 16], [50, 12, 20, 7], [30, 3, 27, 3], [97, 20, 33, 21]] as const) {
    const g = rng(7 * n + b);
    const ld = b + 2; // a stride beyond b + 1, as the factors in normal-factor.ts may not have
    const held = r0 + period;
    const short = new Float64Array(held * ld);
    for (let i = 0; i < held; i++) for (let s = 0; s <= b; s++) short[i * ld + s] = s === b ? 1 + g.uniform() : g.normal() / (b + 1);
    const full = new Float64Array(n * ld);
    for (let i = 0; i < n; i++) {
      const si = i < r0 ? i : r0 + ((i - r0) % period);
      full.set(short.subarray(si * ld, (si + 1) * ld), i * ld);
    }
    const perm = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
    const r = Float64Array.from({ length: n }, () => g.normal());
    const [a, c] = core.scoped(() => {
      const pf = core.put(full), ps = core.put(short), pp = core.put(perm), pr = core.put(r), pw = core.alloc(n * 8), pa = core.alloc(n * 8), pc = core.alloc(n * 8);
      K.bandSolveF64(n, b, ld, pf, pp, pr, pw, pa);
      K.bandSolvePeriodicF64(n, b, ld, ps, pp, pr, pw, pc, r0, period);
      return [core.f64(pa, n).slice(), core.f64(pc, n).slice()];
    });
    cases++;
    t.ok(a.every((v, i) => Object.is(v, c[i])) && a.some((v) => v !== 0), `n ${n} b ${b} r0 ${r0} period ${period}: identical`);
  }
  t.equal(cases, 5);
  t.end();
});
