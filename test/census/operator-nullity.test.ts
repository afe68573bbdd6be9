import t from 'tap';
import { census } from '../../src/census/census.js';
import { localEngine } from '../../src/census/rank-engine.js';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel, type AttrValue } from '../../src/onnx/writer.js';
import { matrixRank } from '../../src/linalg/rank.js';
import { randn } from '../../src/linalg/random.js';

const engine = localEngine();

interface Geo { c: number; h: number; w: number; o: number; k: number; s: number; p: number; d?: number; g?: number }

/** A_img by naive loops: rows (o, i, j), columns (c, y, x); ONNX Conv semantics. */
function denseConv(wt: Float64Array, q: Geo): { a: Float64Array; rows: number; cols: number } {
  const d = q.d ?? 1, groups = q.g ?? 1;
  const cg = q.c / groups, og = q.o / groups;
  const out = (n: number) => Math.floor((n + 2 * q.p - d * (q.k - 1) - 1) / q.s) + 1;
  const oh = out(q.h), ow = out(q.w);
  const rows = q.o * oh * ow, cols = q.c * q.h * q.w;
  const a = new Float64Array(rows * cols);
  for (let o = 0; o < q.o; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const r = (o * oh + i) * ow + j;
    const gi = Math.floor(o / og);
    for (let cc = 0; cc < cg; cc++) for (let u = 0; u < q.k; u++) for (let v = 0; v < q.k; v++) {
      const y = i * q.s - q.p + u * d, x = j * q.s - q.p + v * d;
      if (y < 0 || y >= q.h || x < 0 || x >= q.w) continue;
      a[r * cols + ((gi * cg + cc) * q.h + y) * q.w + x] += wt[((o * cg + cc) * q.k + u) * q.k + v]!;
    }
  }
  return { a, rows, cols };
}

async function firstLayerOf(q: Geo, wt: Float64Array) {
  const attrs: Record<string, AttrValue> = { strides: [q.s, q.s], pads: [q.p, q.p, q.p, q.p], dilations: [q.d ?? 1, q.d ?? 1], group: q.g ?? 1 };
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, q.c, q.h, q.w] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs }],
    initializers: [{ name: 'w', dims: [q.o, q.c / (q.g ?? 1), q.k, q.k], data: wt }],
  });
  return (await census(decodeModel(bytes, 'm.onnx'), engine, { path: 'm.onnx', sha256: '-' })).firstLayer!;
}

function denseNullity(q: Geo, wt: Float64Array): number {
  const { a, rows, cols } = denseConv(wt, q);
  return cols - matrixRank(a, rows, cols, { rtol: 1e-10, method: 'jacobi' }).rank;
}

const cases: [string, Geo, RegExp][] = [
  ['disjoint 2×2/2', { c: 2, h: 6, w: 6, o: 3, k: 2, s: 2, p: 0 }, /^analytic: disjoint windows/],
  ['disjoint with unread pixels 2×2/3', { c: 2, h: 7, w: 8, o: 3, k: 2, s: 3, p: 0 }, /unread pixels/],
  ['disjoint with border patterns 2×2/2 pad 1', { c: 2, h: 5, w: 5, o: 3, k: 2, s: 2, p: 1 }, /border patterns/],
  ['disjoint dilated 2×2/4 dilation 2', { c: 1, h: 8, w: 8, o: 2, k: 2, s: 4, p: 0, d: 2 }, /^analytic: disjoint windows/],
  ['overlapping wide 3×3/2 pad 1', { c: 3, h: 8, w: 8, o: 2, k: 3, s: 2, p: 1 }, /^analytic: A_img is block-triangular .* full row rank/],
  ['overlapping tall 7×7/2 pad 3 (ResNet stem)', { c: 3, h: 12, w: 10, o: 64, k: 7, s: 2, p: 3 }, /^analytic: A_img is block-triangular .* injective/],
  ['overlapping tall 3×3/1 pad 1, 16←1', { c: 1, h: 6, w: 5, o: 16, k: 3, s: 1, p: 1 }, /^analytic: A_img is block-triangular .* injective/],
  ['overlapping tall 3×3/2 pad 1', { c: 1, h: 6, w: 6, o: 6, k: 3, s: 2, p: 1 }, /^analytic: A_img is block-triangular .* injective/],
  ['overlapping grouped 3×3/2 pad 1', { c: 2, h: 6, w: 6, o: 8, k: 3, s: 2, p: 1, g: 2 }, /^analytic: A_img is block-triangular/],
  ['overlapping tall 3×3/1 pad 1 (Lanczos)', { c: 1, h: 5, w: 5, o: 2, k: 3, s: 1, p: 1 }, /^lanczos estimate: A_img is injective/],
];

t.test('census(model).firstLayer.operator gives the nullity of the dense A_img built by naive loops', async (t) => {
  for (const [what, q, method] of cases) {
    const wt = randn(q.o * (q.c / (q.g ?? 1)) * q.k * q.k, what.length);
    const fl = await firstLayerOf(q, wt);
    const op = fl.operator!;
    t.equal(op.nullity, denseNullity(q, wt), `${what}: nullity`);
    t.ok(op.nullityIsExact, `${what}: exact`);
    t.match(op.method, method, `${what}: method`);
    t.equal(op.inDim, q.c * q.h * q.w);
    t.equal(op.overlapping, !what.startsWith('disjoint'));
  }
});

t.test('census(model).firstLayer.operator labels a lower bound when A_img is rank-deficient with overlap', async (t) => {
  // two equal 3×3 filters on one channel, stride 1: A_img (32 × 36) has rank 16, so nullity 20 > 36 − 32
  const f = randn(9, 3);
  const wt = Float64Array.from([...f, ...f]);
  const q = { c: 1, h: 6, w: 6, o: 2, k: 3, s: 1, p: 0 };
  const op = (await firstLayerOf(q, wt)).operator!;
  t.equal(denseNullity(q, wt), 20);
  t.equal(op.nullityIsExact, false);
  t.equal(op.nullity, 4);
  t.match(op.method, /^lower bound by counting dimensions and unread pixels: lanczos could not establish that A_img is full row rank/);
});

t.test('census(model).firstLayer.operator of Gemm/MatMul layers is T copies of W', async (t) => {
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, 4, 6] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [6, 3], data: [1, 2, 0, 2, 4, 0, 0, 0, 1, 1, 2, 1, 0, 0, 0, 3, 6, 0] }],
  });
  const r = await census(decodeModel(bytes, 'm.onnx'), engine, { path: 'm.onnx', sha256: '-' });
  // W (as [in 6, out 3]) has rank 2 → window nullity 4; 4 tokens → 16
  t.equal(r.firstLayer!.windowNullity, 4);
  t.match(r.firstLayer!.operator, { inDim: 24, outDim: 12, nullity: 16, nullityIsExact: true, overlapping: false });
});
