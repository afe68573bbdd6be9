// convStructure / convReads (src/linalg/conv-structure.ts, conv-reads.ts) against independent
// references: the dense A_img built column by column from the naive-loop convolution of naive.ts
// (its rank by Jacobi SVD), and Lanczos on the conv operator.
import t from 'tap';
import { convStructure } from '../../src/linalg/conv-structure.js';
import { axisTaps, convReads, newTaps, tapPatterns } from '../../src/linalg/conv-reads.js';
import { convOperator } from '../../src/linalg/conv.js';
import { convGeometry, outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { smallestSingularTriplets } from '../../src/linalg/lanczos.js';
import { matrixRank } from '../../src/linalg/rank.js';
import { randn, rng } from '../../src/linalg/random.js';
import { EPS64 } from '../../src/linalg/tolerance.js';
import { denseOf, naiveConv, randomGeometry } from './naive.js';

/** A_img (outC·oh·ow × c·h·w) by naive loops, and its rank on the given columns (all when omitted). */
function denseRank(w: Float64Array, g: ConvGeometry, keep?: Uint8Array): number {
  const { oh, ow } = outputSize(g);
  const rows = g.outC * oh * ow, cols = g.c * g.h * g.w;
  const a = denseOf({ rows, cols, apply: (x) => naiveConv(x, w, g) });
  const idx = Array.from({ length: cols }, (_, j) => j).filter((j) => !keep || keep[j]);
  const sub = new Float64Array(rows * idx.length);
  for (let i = 0; i < rows; i++) for (let k = 0; k < idx.length; k++) sub[i * idx.length + k] = a[i * cols + idx[k]!]!;
  return matrixRank(sub, rows, idx.length, { rtol: 1e-10, method: 'jacobi' }).rank;
}

/** Columns of the naive dense A_img that are not all zero. */
function readColumns(w: Float64Array, g: ConvGeometry): Uint8Array {
  const { oh, ow } = outputSize(g);
  const a = denseOf({ rows: g.outC * oh * ow, cols: g.c * g.h * g.w, apply: (x) => naiveConv(x, w, g) });
  const cols = g.c * g.h * g.w;
  return Uint8Array.from({ length: cols }, (_, j) => {
    for (let i = 0; i < a.length / cols; i++) if (a[i * cols + j] !== 0) return 1;
    return 0;
  });
}

const geo = (c: number, h: number, w: number, outC: number, k: number, s: number, p: number, d = 1, groups = 1): ConvGeometry =>
  convGeometry({ c, h, w, outC, kh: k, kw: k, sh: s, sw: s, dh: d, dw: d, padTop: p, padLeft: p, padBottom: p, padRight: p, groups });

const cases: [string, ConvGeometry, 'row' | 'column', RegExp][] = [
  ['overlapping wide 3×3/2 pad 1', geo(3, 8, 8, 2, 3, 2, 1), 'row', /^A_img is block-triangular .* full row rank, so A_img is of full row rank$/],
  ['overlapping tall 7×7/2 pad 3 (ResNet stem)', geo(3, 12, 10, 64, 7, 2, 3), 'column', /^A_img is block-triangular .* full column rank, so A_img is injective on the read pixels$/],
  ['overlapping tall 3×3/1 pad 1, 16←1', geo(1, 6, 5, 16, 3, 1, 1), 'column', /injective on the read pixels/],
  ['overlapping tall 3×3/2 pad 1', geo(1, 6, 6, 6, 3, 2, 1), 'column', /injective/],
  ['overlapping grouped 3×3/2 pad 1', geo(2, 6, 6, 8, 3, 2, 1, 1, 2), 'row', /^A_img is block-triangular/],
  ['disjoint 2×2/2 (every read pixel is new)', geo(2, 6, 6, 9, 2, 2, 0), 'column', /its diagonal block \(9×8 per group\) has full column rank/],
  ['disjoint with unread pixels 2×2/3, wide', geo(2, 7, 8, 3, 2, 3, 0), 'row', /full row rank/],
];

t.test('convStructure(w, g) proves facts the dense A_img built by naive loops confirms', (t) => {
  for (const [what, g, rank, method] of cases) {
    const w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, what.length);
    const s = convStructure(w, g);
    const { oh, ow } = outputSize(g);
    t.equal(s.inDim, g.c * g.h * g.w, `${what}: inDim`);
    t.equal(s.outDim, g.outC * oh * ow, `${what}: outDim`);
    t.same(Array.from(s.read), Array.from(readColumns(w, g)), `${what}: read pixels are the non-zero columns`);
    t.equal(s.proof?.rank, rank, `${what}: proof`);
    t.match(s.method, method, `${what}: method`);
    const r = denseRank(w, g, s.read);
    if (s.outDim === s.readPixels) t.equal(s.injectiveOnRead, true, `${what}: square, so injective too`);
    if (rank === 'row') {
      t.equal(s.fullRowRank, true);
      t.equal(r, s.outDim, `${what}: dense rank = rows`);
    } else {
      t.equal(s.injectiveOnRead, true);
      t.equal(r, s.readPixels, `${what}: dense rank on the read pixels = their number`);
    }
    t.equal(s.inDim - denseRank(w, g), s.countBound, `${what}: nullity = countBound`);
    t.ok(s.blockConditions.length >= s.proof!.blocks * g.groups && s.blockConditions.every((c) => c > 0 && c <= 1), `${what}: block conditions ${s.blockConditions.length}`);
  }
  t.end();
});

t.test('convStructure(w, g) of a square operator proves both facts; counting rules out the impossible one', (t) => {
  // 1←1, 2×2/1 with top/left padding 1: each output reads one new pixel, A_img is lower-triangular
  const g = convGeometry({ c: 1, h: 5, w: 4, outC: 1, kh: 2, kw: 2, padTop: 1, padLeft: 1 });
  const w = Float64Array.from([0.3, -0.2, 0.5, 1.5]);
  const s = convStructure(w, g);
  t.same([s.outDim, s.readPixels, s.fullRowRank, s.injectiveOnRead], [20, 20, true, true]);
  t.equal(denseRank(w, g), 20);
  t.same(s.blockConditions, [1], 'one 1×1 block');
  const wide = convStructure(randn(2 * 27, 1), geo(3, 10, 10, 2, 3, 2, 1));
  t.equal(wide.injectiveOnRead, false, '50 outputs cannot pin 300 pixels');
  const tall = convStructure(randn(16 * 27, 2), geo(3, 10, 10, 16, 3, 2, 1));
  t.equal(tall.fullRowRank, false, '400 outputs, 300 pixels');
  t.end();
});

t.test('convStructure(w, g) declines when no output order gives full-rank blocks, and the facts stay undecided', (t) => {
  // two equal 3×3 filters on one channel, stride 1: A_img (32 × 36) has rank 16, so nullity 20 > 36 − 32
  const f = randn(9, 3);
  const eq = Float64Array.from([...f, ...f]);
  const g = geo(1, 6, 6, 2, 3, 1, 0);
  const s = convStructure(eq, g);
  t.equal(36 - denseRank(eq, g), 20);
  t.equal(s.fullRowRank, undefined);
  t.equal(s.proof, undefined);
  t.same(s.blockConditions, []);
  t.match(s.method, /^not block-triangular with full-row-rank diagonal blocks/);
  t.equal(s.countBound, 4, 'the counting bound is only a lower bound here');
  // 2←1 3×3/1 pad 1: tall and injective (Lanczos and the dense rank agree), but every output order
  // has a corner output with 4 new pixels and 2 rows: the argument does not apply
  const g2 = geo(1, 5, 5, 2, 3, 1, 1);
  const w2 = randn(18, 4);
  const s2 = convStructure(w2, g2);
  t.equal(s2.injectiveOnRead, undefined);
  t.match(s2.method, /full-column-rank/);
  t.equal(denseRank(w2, g2), 25);
  t.ok(smallestSingularTriplets(convOperator(w2, g2), 1, { maxIter: 2000, tol: 1e-12 }).values[0]! > 1e-3);
  t.end();
});

t.test('convStructure(w, g, { eps: EPS64 }) proves what Lanczos sees (PP-OCR detector stem shape, 16←3 3×3/2 pad 1)', (t) => {
  const g = convGeometry({ c: 3, h: 10, w: 10, outC: 16, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w = randn(16 * 27, 5);
  const s = convStructure(w, g, { eps: EPS64 });
  t.equal(s.injectiveOnRead, true, s.method);
  t.equal(s.unreadPixels, 0);
  t.same(s.proof, { order: 'top-down/left-right', rank: 'column', blocks: 1, rows: 16, cols: 12 });
  t.equal(s.blockConditions.length, 1);
  const lz = smallestSingularTriplets(convOperator(w, g), 1, { maxIter: 2000, tol: 1e-12 });
  t.ok(lz.values[0]! > 1e-3, `σ_min ${lz.values[0]} > 0`);
  // 3×3/1 with padding 1 (the raster blocks of the old stride-block certificate do not tile): the
  // general argument still proves it, and Lanczos agrees
  const g1 = convGeometry({ c: 3, h: 8, w: 8, outC: 16, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const w1 = randn(16 * 27, 6);
  t.equal(convStructure(w1, g1, { eps: EPS64 }).injectiveOnRead, true);
  t.ok(smallestSingularTriplets(convOperator(w1, g1), 1, { maxIter: 2000, tol: 1e-12 }).values[0]! > 1e-3);
  // at 9×9 the last output row/column reads two pixels; make the first-read block rank-deficient
  // (tap (2,2) = tap (1,1) in every filter): top-down/left-right fails, another order proves it
  const g9 = { ...g, h: 9, w: 9 };
  const w3 = w.slice();
  for (let o = 0; o < 16; o++) for (let c = 0; c < 3; c++) w3[(o * 3 + c) * 9 + 8] = w3[(o * 3 + c) * 9 + 4]!;
  const s3 = convStructure(w3, g9, { eps: EPS64 });
  t.equal(s3.injectiveOnRead, true, s3.method);
  t.not(s3.proof!.order, 'top-down/left-right');
  t.equal(denseRank(w3, g9), 243, 'the dense A_img is injective too');
  t.end();
});

t.test('convStructure validates its arguments', (t) => {
  const g = geo(1, 4, 4, 2, 3, 1, 0);
  t.throws(() => convStructure(new Float64Array(17), g), /Expected length 18 for weight but received length 17/);
  t.throws(() => convStructure(new Float64Array(18), { ...g, groups: 3 }), /Expected a divisor of c = 1 for geometry.groups/);
  t.end();
});

/**
 * Rank modulo the prime P of an integer matrix (m, n) row-major, by Gaussian elimination; every
 * product stays below 2^52, so the arithmetic is exact. rank mod P ≤ rank over ℚ, so a full rank
 * mod P proves full rank over ℚ.
 */
const P = 67_108_859;
function rankModP(a: Float64Array, m: number, n: number): number {
  const r = Array.from(a, (v) => ((v % P) + P) % P);
  const inv = (x: number): number => { let y = 1, b = x, e = P - 2; while (e > 0) { if (e & 1) y = (y * b) % P; b = (b * b) % P; e = Math.floor(e / 2); } return y; };
  let rank = 0;
  for (let c = 0; c < n && rank < m; c++) {
    let piv = -1;
    for (let i = rank; i < m; i++) if (r[i * n + c] !== 0) { piv = i; break; }
    if (piv < 0) continue;
    for (let j = 0; j < n; j++) { const tmp = r[piv * n + j]!; r[piv * n + j] = r[rank * n + j]!; r[rank * n + j] = tmp; }
    const f = inv(r[rank * n + c]!);
    for (let i = rank + 1; i < m; i++) {
      const k = (r[i * n + c]! * f) % P;
      if (k) for (let j = c; j < n; j++) r[i * n + j] = (r[i * n + j]! - ((k * r[rank * n + j]!) % P) + P) % P;
    }
    rank++;
  }
  return rank;
}

t.test('convStructure(w, g) on random geometries with integer weights: every proven fact holds exactly (rank mod a prime)', (t) => {
  // Exact arithmetic, because the argument is about exact rank: with real weights a chain of
  // off-diagonal blocks can push σ_min(A_img) down to rounding level while A_img stays injective
  // (seen with Gaussian weights on 3←3, kernel 2×3 dilated 2×3 over 11×2 pixels: one 3×3 diagonal block
  // of condition 2e-3, yet σ_min/σ_max(A_img) ≈ 3e-14: the substitution amplifies through 5 steps).
  const u = rng(11);
  let proven = 0, tried = 0;
  while (tried < 40) {
    const g = randomGeometry(() => u.uniform());
    const { oh, ow } = outputSize(g);
    const rows = g.outC * oh * ow, cols = g.c * g.h * g.w;
    if (rows * cols > 60_000) continue;
    tried++;
    const w = Float64Array.from({ length: g.outC * (g.c / g.groups) * g.kh * g.kw }, () => Math.floor(u.uniform() * 9) - 4);
    const s = convStructure(w, g);
    const label = JSON.stringify(g);
    t.same(Array.from(s.read), Array.from(readColumns(Float64Array.from(w, (v) => v || 1), g)), `${label}: read pixels`);
    const a = denseOf({ rows, cols, apply: (x) => naiveConv(x, w, g) });
    const idx = Array.from({ length: cols }, (_, j) => j).filter((j) => s.read[j]);
    const sub = new Float64Array(rows * idx.length);
    for (let i = 0; i < rows; i++) for (let k = 0; k < idx.length; k++) sub[i * idx.length + k] = a[i * cols + idx[k]!]!;
    const r = rankModP(sub, rows, idx.length);
    t.ok(r <= Math.min(rows, s.readPixels), `${label}: rank ≤ min(outDim, read pixels)`);
    if (s.fullRowRank) t.equal(r, rows, `${label}: full row rank`);
    if (s.injectiveOnRead) t.equal(r, s.readPixels, `${label}: injective on read`);
    if (s.fullRowRank === false) t.ok(rows > s.readPixels);
    if (s.injectiveOnRead === false) t.ok(s.readPixels > rows);
    if (s.proof) proven++;
  }
  t.ok(proven >= 10, `${proven} of ${tried} proven`);
  t.equal(rankModP(Float64Array.from([2, 4, 1, 2]), 2, 2), 1, 'rankModP sees a singular 2×2');
  t.equal(rankModP(Float64Array.from([2, 4, 1, 3]), 2, 2), 2);
  t.end();
});

t.test('newTaps(...) gives each output the taps that land on pixels it reads first (or last)', (t) => {
  // 3×3/2 pad 1 on 6: output 0 reads −1,0,1 → new 0,1 (taps 1,2); output 1 reads 1,2,3 → new 2,3; output 2 → 4,5
  t.same(newTaps(6, 1, 3, 2, 1, 3, 'first'), [[1, 2], [1, 2], [1, 2]]);
  // read backwards: output 2 reads 3,4,5 first (taps 0,1,2), output 1 reads 1,2 (taps 0,1), output 0 reads 0 (tap 1)
  t.same(newTaps(6, 1, 3, 2, 1, 3, 'last'), [[1], [0, 1], [0, 1, 2]]);
  // ResNet's 7×7/2 pad 3: output 0 reads 0..3 first (taps 3..6), the rest two new pixels (taps 5, 6), the last none
  const r = newTaps(224, 3, 7, 2, 1, 112, 'first');
  t.same(tapPatterns(r), [{ taps: [3, 4, 5, 6], count: 1 }, { taps: [5, 6], count: 110 }, { taps: [], count: 1 }]);
  // stride 3 > kernel 2: pixel 2 of every 3 is never read
  t.same(newTaps(7, 0, 2, 3, 1, 2, 'first'), [[0, 1], [0, 1]]);
  t.end();
});

t.test('axisTaps / convReads count reads per row and column, unread pixels and the counting bound', (t) => {
  // 2 taps every 3 pixels on 7: outputs read 0,1 and 3,4; 2, 5, 6 unread
  const a = axisTaps(7, 0, 2, 3, 1, 2);
  t.same(a.taps, [[0, 1], [0, 1]]);
  t.same(Array.from(a.reads), [1, 1, 0, 1, 1, 0, 0]);
  const r = convReads(convGeometry({ c: 2, h: 7, w: 8, outC: 3, kh: 2, kw: 2, sh: 3, sw: 3 }));
  t.same([r.oh, r.ow, r.overlapping, r.readPixels, r.unreadPixels], [2, 3, false, 2 * 4 * 6, 112 - 48]);
  t.equal(r.countBound, 112 - Math.min(18, 48));
  t.equal(convReads(geo(1, 6, 6, 1, 3, 2, 1)).overlapping, true);
  // a 3×3/2 window overlaps in general, but on a 1×1 image with padding 1 only one output reads it
  t.equal(convReads(geo(1, 1, 1, 1, 3, 2, 1)).overlapping, false);
  t.end();
});
