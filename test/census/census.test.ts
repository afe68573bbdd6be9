import t from 'tap';
import { census } from '../../src/census/census.js';
import { localEngine, poolEngine } from '../../src/census/rank-engine.js';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel, constantNode, type ModelSpec, type NodeSpec, type TensorSpec } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';

const engine = localEngine();

async function run(spec: ModelSpec, opts: { rtol?: number; atol?: number; size?: { h: number; w: number } } = {}) {
  return census(decodeModel(buildModel(spec), 'm.onnx'), engine, { path: 'm.onnx', sha256: '-', ...opts });
}

/** (m × r)·(r × n) with small-integer factors: rank exactly r, values exact in float16. */
function lowRank(m: number, n: number, r: number, seed: number): number[] {
  const g = rng(seed);
  const u = Array.from({ length: m * r }, () => Math.floor(g.uniform() * 5) - 2);
  const v = Array.from({ length: r * n }, () => Math.floor(g.uniform() * 5) - 2);
  // make the factors full rank for sure: put an identity in them
  for (let i = 0; i < r; i++) { u[i * r + i] = 3; v[i * n + i] = 3; }
  const a: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < r; k++) s += u[i * r + k]! * v[k * n + j]!; a.push(s); }
  return a;
}

const one = (node: NodeSpec, inits: TensorSpec[], input = [1, 3, 8, 8]): ModelSpec => ({
  inputs: [{ name: 'x', shape: input }], outputs: [{ name: node.outputs[0]! }], nodes: [node], initializers: inits,
});

t.test('census(model) reports rank, nullity and flags of a Conv weight read as [O, C·kh·kw]', async (t) => {
  const r = await run(one({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], name: 'c1' }, [{ name: 'w', dims: [4, 3, 2, 2], data: lowRank(4, 12, 2, 1) }]));
  t.match(r.weights[0], { name: 'w', op: 'Conv', node: 'c1', shape: [4, 3, 2, 2], dtype: 'float32', groups: 1, inDim: 12, outDim: 4, rank: 2, rankF64: 2, nullity: 10, wide: true, rankDeficient: true, consumers: 1 });
  t.ok(r.weights[0]!.tolerance > 0 && r.weights[0]!.sigmaMin <= r.weights[0]!.tolerance);
  t.same(r.summary, { weights: 1, rankDeficient: 1, wide: 1, rankDeficientPct: 100, widePct: 100 });
});

t.test('census(model) reads ConvTranspose W [C_in, C_out/g, k…] as in = C_in/g, out = C_out/g·∏k', async (t) => {
  const r = await run(one({ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'] }, [{ name: 'w', dims: [6, 2, 2, 2], data: lowRank(6, 8, 3, 2) }], [1, 6, 4, 4]));
  t.match(r.weights[0], { groups: 1, inDim: 6, outDim: 8, rank: 3, nullity: 3, wide: false, rankDeficient: true });
});

t.test('census(model) respects Gemm transA/transB and which operand is constant', async (t) => {
  const w57 = lowRank(5, 7, 5, 3); // [5, 7], full row rank
  const cases: [NodeSpec, number[], object][] = [
    [{ op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: 1 } }, [5, 7], { inDim: 7, outDim: 5, rank: 5, nullity: 2, wide: true, rankDeficient: false }],
    [{ op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'] }, [5, 7], { inDim: 5, outDim: 7, rank: 5, nullity: 0, wide: false, rankDeficient: false }],
    [{ op: 'Gemm', inputs: ['w', 'x'], outputs: ['y'] }, [5, 7], { inDim: 7, outDim: 5, rank: 5, nullity: 2, wide: true }],
    [{ op: 'Gemm', inputs: ['w', 'x'], outputs: ['y'], attrs: { transA: 1 } }, [5, 7], { inDim: 5, outDim: 7, nullity: 0, wide: false }],
  ];
  for (const [node, dims, want] of cases) {
    const r = await run(one(node, [{ name: 'w', dims, data: w57 }], [1, 7]));
    t.match(r.weights[0], want, JSON.stringify(node.attrs ?? {}) + node.inputs.join());
  }
});

t.test('census(model) reads MatMul B [K, N] on the right as in K → out N and A [M, K] on the left as in K → out M', async (t) => {
  const right = await run(one({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }, [{ name: 'w', dims: [6, 3], data: lowRank(6, 3, 3, 4) }], [1, 6]));
  t.match(right.weights[0], { op: 'MatMul', inDim: 6, outDim: 3, rank: 3, nullity: 3, wide: true, rankDeficient: false });
  const left = await run(one({ op: 'MatMul', inputs: ['w', 'x'], outputs: ['y'] }, [{ name: 'w', dims: [2, 4], data: lowRank(2, 4, 1, 5) }], [4, 1]));
  t.match(left.weights[0], { inDim: 4, outDim: 2, rank: 1, nullity: 3, wide: true, rankDeficient: true });
});

t.test('census(model) takes grouped and depthwise convs group by group: smallest rank, block-diagonal totals', async (t) => {
  // group 0: [2, 3] of rank 2; group 1: [2, 3] of rank 1
  const w = [...lowRank(2, 3, 2, 6), ...lowRank(2, 3, 1, 7)];
  const r = await run(one({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2 } }, [{ name: 'w', dims: [4, 3, 1, 1], data: w }], [1, 6, 4, 4]));
  t.match(r.weights[0], { groups: 2, inDim: 3, outDim: 2, rank: 1, nullity: 2, wide: true, rankDeficient: true, totals: { inDim: 6, outDim: 4, rank: 3, nullity: 3 } });
  // depthwise 3×3 with one all-zero filter
  const dw = [...lowRank(1, 9, 1, 8), ...new Array(9).fill(0), ...lowRank(1, 9, 1, 9)];
  const d = await run(one({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 3 } }, [{ name: 'w', dims: [3, 1, 3, 3], data: dw }]));
  t.match(d.weights[0], { groups: 3, inDim: 9, outDim: 1, rank: 0, nullity: 9, rankDeficient: true, sigmaMin: 0, totals: { rank: 2, nullity: 25 } });
});

t.test('census(model) decodes float16, bfloat16 and float64 storage', async (t) => {
  for (const dtype of ['float16', 'bfloat16', 'float64'] as const) {
    const r = await run(one({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }, [{ name: 'w', dims: [4, 3, 2, 2], data: lowRank(4, 12, 3, 10), dtype }]));
    t.match(r.weights[0], { dtype, rank: 3, nullity: 9, rankDeficient: true }, dtype);
  }
});

t.test('census(model) dequantizes DequantizeLinear and ConvInteger weights before taking the rank', async (t) => {
  // q − zp has two equal rows → rank 1; scale per output channel keeps it at 1
  const q = [3, 4, 5, 10, 12, 14, 4, 5, 6];
  const r = await run({
    inputs: [{ name: 'x', shape: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['w'], attrs: { axis: 0 } },
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'q', dims: [3, 3, 1, 1], data: q, dtype: 'int8' },
      { name: 's', dims: [3], data: [0.5, 2, 1] },
      { name: 'z', dims: [3], data: [0, 4, 1], dtype: 'int8' },
    ],
  });
  // rows after dequantization: [1.5 2 2.5], 2·[6 8 10], [3 4 5]: all multiples of [3 4 5]
  t.match(r.weights[0], { name: 'q', dtype: 'int8', rank: 1, nullity: 2, via: ['DequantizeLinear'] });
  const ci = await run({
    inputs: [{ name: 'x', shape: [1, 3, 4, 4], dtype: 'uint8' }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'ConvInteger', inputs: ['x', 'q', '', 'z'], outputs: ['y'] }],
    initializers: [{ name: 'q', dims: [2, 3, 1, 1], data: [5, 5, 5, 7, 9, 11], dtype: 'uint8' }, { name: 'z', dims: [], data: [5], dtype: 'uint8' }],
  });
  // q − 5 = [0 0 0; 2 4 6] → rank 1 (raw q has rank 2)
  t.match(ci.weights[0], { op: 'ConvInteger', rank: 1, nullity: 2, rankDeficient: true, via: ['ConvInteger'] });
});

t.test('census(model) finds Constant-node weights, also through Identity, and counts a shared weight once', async (t) => {
  const r = await run({
    inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'z' }],
    nodes: [
      { op: 'MatMul', inputs: ['h', 'w2'], outputs: ['z'], name: 'second' },
      { op: 'MatMul', inputs: ['x', 'wi'], outputs: ['h'], name: 'first' },
      { op: 'Identity', inputs: ['w'], outputs: ['wi'] },
      { op: 'Identity', inputs: ['w'], outputs: ['w2'] },
      constantNode({ name: 'w', dims: [4, 4], data: lowRank(4, 4, 3, 11) }),
    ],
  });
  t.equal(r.weights.length, 1);
  t.match(r.weights[0], { name: 'w', node: 'first', consumers: 2, rank: 3, via: ['Identity'] });
  t.equal(r.firstLayer?.node, 'first', 'the unsorted graph is ordered first');
});

t.test('census(model) reports rankF64 at eps(float64) beside the float32 rule, and honours rtol/atol', async (t) => {
  const w = [1, 0, 0, 0, 1, 0, 0, 0, 1e-9];
  const spec = one({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }, [{ name: 'w', dims: [3, 3], data: Float64Array.from(w) }], [1, 3]);
  const r = await run(spec);
  t.match(r.weights[0], { rank: 2, rankF64: 3, nullity: 1, rankDeficient: true });
  t.equal(r.tolerance, 'σmax·max(m,n)·eps(float32)');
  t.match((await run(spec, { rtol: 1e-12 })).weights[0], { rank: 3, tolerance: 1e-12 });
  t.match((await run(spec, { atol: 0.5 })).weights[0], { rank: 2, tolerance: 0.5 });
  t.equal((await run(spec, { atol: 2 })).weights[0]!.rank, 0);
});

t.test('census(model) refuses a model without trainable weights in one line', async (t) => {
  await t.rejects(run({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }),
    { name: 'InputError', message: /^m\.onnx: no trainable weights \(no Conv, ConvTranspose, Gemm or MatMul with a constant weight\)$/ });
  // a MatMul of two inputs has no weight either
  await t.rejects(run({ inputs: [{ name: 'x' }, { name: 'y' }], outputs: [{ name: 'z' }], nodes: [{ op: 'MatMul', inputs: ['x', 'y'], outputs: ['z'] }] }), /no trainable weights/);
});

t.test('poolEngine(2) gives the same census as localEngine()', async (t) => {
  const inits: TensorSpec[] = [
    { name: 'a', dims: [64, 80], data: lowRank(64, 80, 50, 12) },
    { name: 'b', dims: [80, 8, 1, 1], data: lowRank(80, 8, 8, 13) },
  ];
  const spec: ModelSpec = {
    inputs: [{ name: 'x', shape: [1, 64] }], outputs: [{ name: 'z' }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'a'], outputs: ['h'] }, { op: 'Reshape', inputs: ['h', 's'], outputs: ['h4'] }, { op: 'Conv', inputs: ['h4', 'b'], outputs: ['z'] }],
    initializers: [...inits, { name: 's', dims: [4], data: BigInt64Array.from([1n, 80n, 1n, 1n]) }],
  };
  const m = decodeModel(buildModel(spec), 'm.onnx');
  const pool = await poolEngine(2);
  try {
    const a = await census(m, pool, { path: 'm.onnx', sha256: '-' });
    const b = await census(m, engine, { path: 'm.onnx', sha256: '-' });
    t.same(a, b);
    t.match(a.weights[0], { rank: 50, inDim: 64, outDim: 80 });
  } finally {
    await pool.close();
  }
});

t.test('census(model) includes weights used inside subgraphs (If branches) with outer-scope constants', async (t) => {
  const branch = (name: string, w: string) => ({
    name, inputs: [], outputs: [{ name: `${name}_out` }],
    nodes: [{ op: 'MatMul', inputs: ['x', w], outputs: [`${name}_out`], name: `${name}_mm` }],
    initializers: name === 'else' ? [{ name: 'w_else', dims: [3, 2], data: lowRank(3, 2, 1, 14) }] : [],
  });
  const r = await run({
    inputs: [{ name: 'x', shape: [1, 3] }, { name: 'cond', dtype: 'bool', shape: [] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'If', inputs: ['cond'], outputs: ['y'], attrs: { then_branch: { graph: branch('then', 'w') }, else_branch: { graph: branch('else', 'w_else') } } },
      constantNode({ name: 'w', dims: [3, 2], data: lowRank(3, 2, 2, 15) }),
    ],
  });
  t.same(r.weights.map((w) => [w.name, w.node, w.rank]), [['w', 'then_mm', 2], ['w_else', 'else_mm', 1]]);
});
