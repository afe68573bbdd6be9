// Float64 lowering, one op at a time: each lowered op in a one-node model, run by createSession at
// f64, against a naive float64 loop (≤ 1e-12) and against onnxruntime's own float32 kernel (which
// checks our reading of the ONNX semantics independently); plus the unsupported-op message.
import t from 'tap';
import { buildModel, constantNode, type ModelSpec, type NodeSpec } from '../../src/onnx/writer.js';
import { createSession, type Output } from '../../src/runtime/session.js';
import { avgPoolRef, conv2dRef, convTranspose2dRef, relMax, values, type Conv2d } from './reference.js';

interface Run { f64: Output; f32: Output }

/** Runs a one-output model at both precisions. */
async function both(spec: ModelSpec, feeds: Record<string, { data: Float64Array; dims: number[] }>): Promise<Run> {
  const bytes = buildModel(spec);
  const s64 = await createSession(bytes, { precision: 'f64' });
  const s32 = await createSession(bytes, { precision: 'f32' });
  const out = spec.outputs[0]!.name;
  const f64 = (await s64.run(feeds))[out]!;
  const f32 = (await s32.run(feeds))[out]!;
  await s64.release();
  await s32.release();
  return { f64, f32 };
}

function unary(op: string, dims: number[], attrs: NodeSpec['attrs'] = {}, opset = 11, extra: NodeSpec[] = [], extraInputs: string[] = []): ModelSpec {
  return {
    opset,
    inputs: [{ name: 'x', shape: dims }],
    outputs: [{ name: 'y' }],
    nodes: [...extra, { op, inputs: ['x', ...extraInputs], outputs: ['y'], attrs }],
  };
}

interface ConvCase extends Omit<Conv2d, 'x' | 'wt' | 'bias'> { name: string; bias?: boolean; autoPad?: string; oneD?: boolean; asInitializer?: boolean }

const convCases: ConvCase[] = [
  { name: '3×3 stride 1 pad 1 with bias', n: 1, c: 3, h: 6, w: 7, o: 4, kh: 3, kw: 3, pads: [1, 1, 1, 1], bias: true },
  { name: 'grouped (2 groups) 3×3 stride 2', n: 1, c: 4, h: 7, w: 6, o: 6, kh: 3, kw: 3, g: 2, sh: 2, sw: 2, pads: [1, 1, 1, 1] },
  { name: 'depthwise 3×3 with bias', n: 1, c: 3, h: 5, w: 6, o: 3, kh: 3, kw: 3, g: 3, pads: [1, 1, 1, 1], bias: true },
  { name: 'depthwise 5×5 stride 2', n: 1, c: 4, h: 9, w: 8, o: 4, kh: 5, kw: 5, g: 4, sh: 2, sw: 2, pads: [2, 2, 2, 2], asInitializer: true },
  { name: 'channel multiplier (c 2 → o 4, 2 groups)', n: 1, c: 2, h: 5, w: 5, o: 4, kh: 3, kw: 3, g: 2, pads: [1, 1, 1, 1] },
  { name: 'dilated 3×3 (dilation 2)', n: 1, c: 2, h: 8, w: 9, o: 3, kh: 3, kw: 3, dh: 2, dw: 2, pads: [2, 2, 2, 2], bias: true },
  { name: 'asymmetric pads (0, 1, 2, 1)', n: 1, c: 2, h: 6, w: 5, o: 2, kh: 3, kw: 3, pads: [0, 1, 2, 1] },
  { name: 'stride > kernel (2×2, stride 3)', n: 1, c: 3, h: 8, w: 8, o: 5, kh: 2, kw: 2, sh: 3, sw: 3 },
  { name: 'pointwise 1×1 in 2 groups', n: 2, c: 4, h: 3, w: 5, o: 6, kh: 1, kw: 1, g: 2, bias: true },
  { name: 'pointwise 1×1 stride 2', n: 1, c: 3, h: 5, w: 5, o: 2, kh: 1, kw: 1, sh: 2, sw: 2 },
  { name: 'auto_pad SAME_UPPER 4×4 stride 2', n: 1, c: 2, h: 7, w: 7, o: 3, kh: 4, kw: 4, sh: 2, sw: 2, pads: [1, 1, 2, 2], autoPad: 'SAME_UPPER' },
  { name: 'auto_pad SAME_LOWER 4×4 stride 2', n: 1, c: 2, h: 7, w: 7, o: 3, kh: 4, kw: 4, sh: 2, sw: 2, pads: [2, 2, 1, 1], autoPad: 'SAME_LOWER' },
  { name: '1×3 kernel, stride (2, 1), pads (0, 1)', n: 1, c: 3, h: 6, w: 8, o: 4, kh: 1, kw: 3, sh: 2, sw: 1, pads: [0, 1, 0, 1], bias: true },
  { name: '1-D conv, kernel 3, stride 2, pad 1', n: 1, c: 2, h: 1, w: 9, o: 3, kh: 1, kw: 3, sw: 2, pads: [0, 1, 0, 1], oneD: true },
];

t.test('createSession(f64) lowers Conv to Gather + MatMul and matches a naive float64 loop to 1e-12', async (t) => {
  for (const [k, cs] of convCases.entries()) {
    const g = cs.g ?? 1;
    const x = values(cs.n * cs.c * cs.h * cs.w, 10 + k);
    const wt = values(cs.o * (cs.c / g) * cs.kh * cs.kw, 100 + k);
    const bias = cs.bias ? values(cs.o, 200 + k) : undefined;
    const ref = conv2dRef({ ...cs, x, wt, bias });
    const [pt, pl, pb, pr] = cs.pads ?? [0, 0, 0, 0];
    const attrs: NodeSpec['attrs'] = cs.oneD
      ? { kernel_shape: [cs.kw], strides: [cs.sw ?? 1], pads: [pl, pr], group: g }
      : { kernel_shape: [cs.kh, cs.kw], strides: [cs.sh ?? 1, cs.sw ?? 1], dilations: [cs.dh ?? 1, cs.dw ?? 1], group: g, ...(cs.autoPad ? { auto_pad: cs.autoPad } : { pads: [pt, pl, pb, pr] }) };
    const wDims = cs.oneD ? [cs.o, cs.c / g, cs.kw] : [cs.o, cs.c / g, cs.kh, cs.kw];
    const xDims = cs.oneD ? [cs.n, cs.c, cs.w] : [cs.n, cs.c, cs.h, cs.w];
    const weights = [{ name: 'w', dims: wDims, data: Float32Array.from(wt) }, ...(bias ? [{ name: 'b', dims: [cs.o], data: Float32Array.from(bias) }] : [])];
    // the weights are stored in float32 (as in real models); the reference uses those exact values
    const wt32 = Float64Array.from(Float32Array.from(wt));
    const b32 = bias ? Float64Array.from(Float32Array.from(bias)) : undefined;
    const exact = conv2dRef({ ...cs, x, wt: wt32, bias: b32 });
    const spec: ModelSpec = {
      inputs: [{ name: 'x', shape: xDims }],
      outputs: [{ name: 'y' }],
      initializers: cs.asInitializer ? weights : [],
      nodes: [...(cs.asInitializer ? [] : weights.map(constantNode)), { op: 'Conv', inputs: ['x', 'w', ...(bias ? ['b'] : [])], outputs: ['y'], attrs }],
    };
    const r = await both(spec, { x: { data: x, dims: xDims } });
    const refDims = cs.oneD ? [ref.dims[0]!, ref.dims[1]!, ref.dims[3]!] : ref.dims;
    t.same(r.f64.dims, refDims, `${cs.name}: dims`);
    t.equal(r.f64.type, 'float64');
    t.ok(relMax(r.f64.data as Float64Array, exact.data) <= 1e-12, `${cs.name}: f64 vs naive loop ${relMax(r.f64.data as Float64Array, exact.data).toExponential(1)}`);
    t.ok(relMax(r.f32.data as Float32Array, exact.data) <= 1e-5, `${cs.name}: onnxruntime f32 agrees with the naive loop`);
  }
});

t.test('createSession(f64) lowers a Conv whose weights are computed in the graph (im2col Gather path)', async (t) => {
  for (const [name, g, o] of [['dense', 1, 4], ['depthwise', 3, 3]] as const) {
    const c = 3, h = 6, w = 5;
    const x = values(c * h * w, 950 + g);
    const wt = Float64Array.from(Float32Array.from(values(o * (c / g) * 9, 960 + g)));
    const ref = conv2dRef({ x, n: 1, c, h, w, wt: wt.map((v) => 2 * v), o, kh: 3, kw: 3, g, sh: 2, sw: 1, pads: [1, 1, 1, 1] });
    const spec: ModelSpec = {
      inputs: [{ name: 'x', shape: [1, c, h, w] }],
      outputs: [{ name: 'y' }],
      nodes: [
        constantNode({ name: 'w0', dims: [o, c / g, 3, 3], data: Float32Array.from(wt) }),
        constantNode({ name: 'two', dims: [], data: new Float32Array([2]) }),
        { op: 'Mul', inputs: ['w0', 'two'], outputs: ['w'] },
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], group: g, strides: [2, 1], pads: [1, 1, 1, 1] } },
      ],
    };
    const r = await both(spec, { x: { data: x, dims: [1, c, h, w] } });
    t.same(r.f64.dims, ref.dims, `${name}: dims`);
    t.ok(relMax(r.f64.data as Float64Array, ref.data) <= 1e-12, `${name}: f64 vs naive loop`);
  }
});

t.test('createSession(f64) lowers ConvTranspose and matches a naive scatter loop to 1e-12', async (t) => {
  const cases: (Omit<Conv2d, 'x' | 'wt' | 'bias'> & { name: string; outPad?: [number, number]; bias?: boolean })[] = [
    { name: '2×2 stride 2 (PP-OCR detector head)', n: 1, c: 3, h: 4, w: 5, o: 2, kh: 2, kw: 2, sh: 2, sw: 2, bias: true },
    { name: '3×3 stride 2 pads 1 output_padding 1', n: 1, c: 2, h: 4, w: 3, o: 3, kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], outPad: [1, 1] },
    { name: 'grouped (2 groups), dilation 2, asymmetric pads', n: 2, c: 4, h: 3, w: 4, o: 6, kh: 3, kw: 2, g: 2, dh: 2, dw: 1, pads: [1, 0, 0, 1], bias: true },
    // the cases above take the columns-first (col2im) path; few in-channels and many out-channels at stride 1 take the direct gather
    { name: 'direct gather: 1 → 8 channels, 3×3 stride 1 pads 1', n: 1, c: 1, h: 4, w: 4, o: 8, kh: 3, kw: 3, pads: [1, 1, 1, 1], bias: true },
    { name: 'adjoint of a strided stem: 16 → 3 channels, 7×7 stride 2 pads 3 output_padding 1', n: 1, c: 16, h: 5, w: 6, o: 3, kh: 7, kw: 7, sh: 2, sw: 2, pads: [3, 3, 3, 3], outPad: [1, 1] },
    { name: '1×1 stride 1 (col2im is the identity)', n: 2, c: 5, h: 3, w: 3, o: 2, kh: 1, kw: 1, bias: true },
  ];
  for (const [k, cs] of cases.entries()) {
    const g = cs.g ?? 1;
    const x = values(cs.n * cs.c * cs.h * cs.w, 300 + k);
    const wt = Float64Array.from(Float32Array.from(values(cs.c * (cs.o / g) * cs.kh * cs.kw, 400 + k)));
    const bias = cs.bias ? Float64Array.from(Float32Array.from(values(cs.o, 500 + k))) : undefined;
    const ref = convTranspose2dRef({ ...cs, x, wt, bias });
    const [pt, pl, pb, pr] = cs.pads ?? [0, 0, 0, 0];
    const spec: ModelSpec = {
      inputs: [{ name: 'x', shape: [cs.n, cs.c, cs.h, cs.w] }],
      outputs: [{ name: 'y' }],
      nodes: [
        constantNode({ name: 'w', dims: [cs.c, cs.o / g, cs.kh, cs.kw], data: Float32Array.from(wt) }),
        ...(bias ? [constantNode({ name: 'b', dims: [cs.o], data: Float32Array.from(bias) })] : []),
        { op: 'ConvTranspose', inputs: ['x', 'w', ...(bias ? ['b'] : [])], outputs: ['y'], attrs: { kernel_shape: [cs.kh, cs.kw], strides: [cs.sh ?? 1, cs.sw ?? 1], dilations: [cs.dh ?? 1, cs.dw ?? 1], group: g, pads: [pt, pl, pb, pr], ...(cs.outPad ? { output_padding: cs.outPad } : {}) } },
      ],
    };
    const r = await both(spec, { x: { data: x, dims: [cs.n, cs.c, cs.h, cs.w] } });
    t.same(r.f64.dims, ref.dims, `${cs.name}: dims`);
    t.ok(relMax(r.f64.data as Float64Array, ref.data) <= 1e-12, `${cs.name}: f64 vs naive loop`);
    t.ok(relMax(r.f32.data as Float32Array, ref.data) <= 1e-5, `${cs.name}: onnxruntime f32 agrees with the naive loop`);
  }
});

t.test('createSession(f64) lowers AveragePool and GlobalAveragePool and matches naive loops to 1e-12', async (t) => {
  const dims = [1, 3, 7, 8];
  const x = values(3 * 7 * 8, 600);
  const cases: { name: string; k: [number, number]; s: [number, number]; pads: [number, number, number, number]; inc: boolean; ceil?: boolean }[] = [
    { name: '3×2 stride 3×2, no pads (PP-OCR recogniser)', k: [3, 2], s: [3, 2], pads: [0, 0, 0, 0], inc: false },
    { name: '3×3 stride 2 pads 1, count_include_pad 0', k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], inc: false },
    { name: '3×3 stride 2 pads (1, 0, 0, 2), count_include_pad 1', k: [3, 3], s: [2, 2], pads: [1, 0, 0, 2], inc: true },
    { name: '2×2 stride 2 ceil_mode', k: [2, 2], s: [2, 2], pads: [0, 0, 0, 0], inc: false, ceil: true },
  ];
  for (const c of cases) {
    const ref = avgPoolRef(x, dims, c.k, c.s, c.pads, c.inc, c.ceil);
    const r = await both(unary('AveragePool', dims, { kernel_shape: c.k, strides: c.s, pads: c.pads, count_include_pad: c.inc ? 1 : 0, ...(c.ceil ? { ceil_mode: 1 } : {}) }), { x: { data: x, dims } });
    t.same(r.f64.dims, ref.dims, `${c.name}: dims`);
    t.ok(relMax(r.f64.data as Float64Array, ref.data) <= 1e-12, `${c.name}: f64 vs naive loop`);
    t.ok(relMax(r.f32.data as Float32Array, ref.data) <= 1e-6, `${c.name}: onnxruntime f32 agrees`);
  }
  const g = await both(unary('GlobalAveragePool', dims), { x: { data: x, dims } });
  const mean = Float64Array.from({ length: 3 }, (_, c) => x.slice(c * 56, (c + 1) * 56).reduce((a, b) => a + b, 0) / 56);
  t.same(g.f64.dims, [1, 3, 1, 1]);
  t.ok(relMax(g.f64.data as Float64Array, mean) <= 1e-12, 'GlobalAveragePool: f64 vs mean');
  const m = await both(unary('GlobalMaxPool', dims), { x: { data: x, dims } });
  const max = Float64Array.from({ length: 3 }, (_, c) => Math.max(...x.slice(c * 56, (c + 1) * 56)));
  t.same(Array.from(m.f64.data as Float64Array), Array.from(max), 'GlobalMaxPool: exact maxima');
});

t.test('createSession(f64) lowers HardSigmoid, HardSwish, LeakyRelu, PRelu, Clip and Mean to elementwise ops', async (t) => {
  const dims = [2, 3, 4];
  const x = values(24, 700).map((v) => 6 * v);
  const feeds = { x: { data: x, dims } };
  const check = async (name: string, spec: ModelSpec, f: (v: number) => number) => {
    const r = await both(spec, feeds);
    const ref = x.map(f);
    t.ok(relMax(r.f64.data as Float64Array, ref) <= 1e-15, `${name}: f64 vs formula`);
    t.ok(relMax(r.f32.data as Float32Array, ref) <= 1e-6, `${name}: onnxruntime f32 agrees`);
  };
  const a = Math.fround(0.1666667), b = 0.5;
  await check('HardSigmoid', unary('HardSigmoid', dims, { alpha: { float: 0.1666667 }, beta: { float: 0.5 } }), (v) => Math.max(0, Math.min(1, a * v + b)));
  await check('HardSwish (opset 14)', unary('HardSwish', dims, {}, 14), (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
  await check('LeakyRelu', unary('LeakyRelu', dims, { alpha: { float: 0.25 } }), (v) => (v > 0 ? v : 0.25 * v));
  const slope = [0.25, -0.5, 2, 0];
  const pr = await both(unary('PRelu', dims, {}, 11, [constantNode({ name: 'sl', dims: [4], data: Float32Array.from(slope) })], ['sl']), feeds);
  const prRef = x.map((v, i) => (v < 0 ? slope[i % 4]! * v : v));
  t.ok(relMax(pr.f64.data as Float64Array, prRef) <= 1e-15 && relMax(pr.f32.data as Float32Array, prRef) <= 1e-6, 'PRelu: f64 vs formula, onnxruntime f32 agrees');
  await check('Clip opset 9 (attributes)', unary('Clip', dims, { min: { float: 0 }, max: { float: 6 } }, 9), (v) => Math.min(6, Math.max(0, v)));
  await check('Clip opset 11 (max input only)', unary('Clip', dims, {}, 11, [constantNode({ name: 'hi', dims: [], data: new Float32Array([2.5]) })], ['', 'hi']), (v) => Math.min(2.5, v));
  const r = await both(unary('Mean', dims, {}, 11, [constantNode({ name: 'k', dims: [4], data: new Float32Array([1, 2, 3, 4]) })], ['k']), feeds);
  t.ok(relMax(r.f64.data as Float64Array, x.map((v, i) => (v + (i % 4) + 1) / 2)) <= 1e-15, 'Mean: (x + k) / 2');
});

t.test('createSession(f64) lowers nearest and linear Resize/Upsample and matches onnxruntime f32', async (t) => {
  const dims = [1, 2, 3, 5];
  const x = values(30, 800);
  const cases: { name: string; spec: ModelSpec; dims: number[] }[] = [
    { name: 'Resize ×2 asymmetric floor (PP-OCR detector)', dims: [1, 2, 6, 10], spec: unary('Resize', dims, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, 11, [constantNode({ name: 'roi', dims: [0], data: new Float32Array(0) }), constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 2, 2]) })], ['roi', 'sc']) },
    { name: 'Resize to sizes 5×3, half_pixel round_prefer_floor', dims: [1, 2, 5, 3], spec: unary('Resize', dims, { mode: 'nearest' }, 13, [constantNode({ name: 'sz', dims: [4], data: BigInt64Array.from([1n, 2n, 5n, 3n]), dtype: 'int64' })], ['', '', 'sz']) },
    { name: 'Resize ×3 align_corners round_prefer_ceil', dims: [1, 2, 9, 15], spec: unary('Resize', dims, { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }, 11, [constantNode({ name: 'roi', dims: [0], data: new Float32Array(0) }), constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 3, 3]) })], ['roi', 'sc']) },
    { name: 'Resize linear ×2 half_pixel', dims: [1, 2, 6, 10], spec: unary('Resize', dims, { mode: 'linear' }, 11, [constantNode({ name: 'roi', dims: [0], data: new Float32Array(0) }), constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 2, 2]) })], ['roi', 'sc']) },
    { name: 'Resize linear to sizes 7×4, align_corners', dims: [1, 2, 7, 4], spec: unary('Resize', dims, { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, 13, [constantNode({ name: 'sz', dims: [4], data: BigInt64Array.from([1n, 2n, 7n, 4n]), dtype: 'int64' })], ['', '', 'sz']) },
    { name: 'Resize linear ×1.5 pytorch_half_pixel', dims: [1, 2, 4, 7], spec: unary('Resize', dims, { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, 11, [constantNode({ name: 'roi', dims: [0], data: new Float32Array(0) }), constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 1.5, 1.5]) })], ['roi', 'sc']) },
    { name: 'Resize-10 nearest ×2 (scales input 1)', dims: [1, 2, 6, 10], spec: unary('Resize', dims, { mode: 'nearest' }, 10, [constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 2, 2]) })], ['sc']) },
    { name: 'Upsample linear ×2 (opset 9)', dims: [1, 2, 6, 10], spec: unary('Upsample', dims, { mode: 'linear' }, 9, [constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 2, 2]) })], ['sc']) },
    { name: 'Upsample ×2 (opset 9)', dims: [1, 2, 6, 10], spec: unary('Upsample', dims, { mode: 'nearest' }, 9, [constantNode({ name: 'sc', dims: [4], data: new Float32Array([1, 1, 2, 2]) })], ['sc']) },
  ];
  for (const c of cases) {
    const r = await both(c.spec, { x: { data: x, dims } });
    t.same(r.f64.dims, c.dims, `${c.name}: dims`);
    // nearest copies values, linear mixes two per axis: f64 equals f32 up to float32 rounding
    t.ok(relMax(r.f64.data as Float64Array, r.f32.data as Float32Array) <= 1e-6, `${c.name}: agrees with onnxruntime f32 ${relMax(r.f64.data as Float64Array, r.f32.data as Float32Array).toExponential(1)}`);
  }
});

t.test('createSession(f64) names every unsupported op in one InputError', async (t) => {
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: [{ name: 'y' }],
    opsets: { 'com.microsoft': 1 },
    nodes: [
      { op: 'Selu', inputs: ['x'], outputs: ['a'], name: 'selu_1' },
      { op: 'Elu', inputs: ['a'], outputs: ['b'], name: 'elu_1' },
      { op: 'Elu', inputs: ['b'], outputs: ['c'], name: 'elu_2' },
      { op: 'FastGelu', domain: 'com.microsoft', inputs: ['c'], outputs: ['d'], name: 'gelu_1' },
      { op: 'Relu', inputs: ['d'], outputs: ['y'] },
    ],
  });
  await t.rejects(createSession(bytes, { precision: 'f64', source: 'toy.onnx' }), { name: 'InputError', message: /^toy\.onnx: float64 execution does not support these ops: Selu \(1×, e\.g\. selu_1\), Elu \(2×, e\.g\. elu_1\), com\.microsoft\.FastGelu \(1×, e\.g\. gelu_1\)$/ });
  await t.rejects(createSession(bytes, { precision: 'f16' as never }), { name: 'TypeError', message: /^Expected one of f32, f64, float32, float64 for precision but received "f16" of type string$/ });
});

t.test('createSession(f64) refuses a ConvTranspose with output_shape, naming the node', async (t) => {
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
    outputs: [{ name: 'y' }],
    nodes: [constantNode({ name: 'w', dims: [1, 1, 2, 2], data: new Float32Array(4) }), { op: 'ConvTranspose', name: 'up', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2], output_shape: [4, 4] } }],
  });
  const s = await createSession(bytes, { precision: 'f64' });
  await t.rejects(s.run({ x: { data: new Float64Array(4), dims: [1, 1, 2, 2] } }), { name: 'InputError', message: /^node up: ConvTranspose with output_shape is not supported in float64/ });
  await s.release();
});
