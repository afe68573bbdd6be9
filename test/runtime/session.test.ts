// session.ts: the factory's wrapper (names, metadata, validation, serialised runs, one compiled
// float64 graph per input size) and float32-vs-float64 agreement on small conv nets that mix the
// lowered ops the way MobileNet-style models do.
import t from 'tap';
import { buildModel, constantNode, type NodeSpec } from '../../src/onnx/writer.js';
import { createSession, type Output } from '../../src/runtime/session.js';
import { relL2, values } from './reference.js';

/** A small MobileNet-like net: stem conv (asymmetric pads), BN, HardSwish, dilated depthwise, grouped SAME_UPPER conv, SE block, pools, head. */
function smallNet(seed: number, opset: number): Uint8Array {
  const w = (name: string, dims: number[], k: number, scale = 0.5) => constantNode({ name, dims, data: Float32Array.from(values(dims.reduce((a, b) => a * b, 1), seed * 100 + k), (v) => v * scale) });
  const nodes: NodeSpec[] = [
    w('w0', [8, 3, 3, 3], 0), w('b0', [8], 1),
    { op: 'Conv', inputs: ['x', 'w0', 'b0'], outputs: ['c0'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 2] } },
    w('s', [8], 2), w('bb', [8], 3), w('m', [8], 4, 0.1), constantNode({ name: 'v', dims: [8], data: new Float32Array(8).fill(0.8) }),
    { op: 'BatchNormalization', inputs: ['c0', 's', 'bb', 'm', 'v'], outputs: ['n0'], attrs: { epsilon: { float: 1e-5 } } },
    { op: 'HardSigmoid', inputs: ['n0'], outputs: ['h0'], attrs: { alpha: { float: 0.1666667 }, beta: { float: 0.5 } } },
    { op: 'Mul', inputs: ['n0', 'h0'], outputs: ['a0'] },
    w('wd', [8, 1, 3, 3], 5),
    { op: 'Conv', inputs: ['a0', 'wd'], outputs: ['d0'], attrs: { kernel_shape: [3, 3], dilations: [2, 2], group: 8, pads: [2, 2, 2, 2] } },
    { op: 'Relu', inputs: ['d0'], outputs: ['r0'] },
    w('wg', [12, 4, 3, 3], 6),
    { op: 'Conv', inputs: ['r0', 'wg'], outputs: ['g0'], attrs: { kernel_shape: [3, 3], group: 2, strides: [2, 1], auto_pad: 'SAME_UPPER' } },
    { op: 'GlobalAveragePool', inputs: ['g0'], outputs: ['se0'] },
    w('wse', [12, 12, 1, 1], 7),
    { op: 'Conv', inputs: ['se0', 'wse'], outputs: ['se1'], attrs: { kernel_shape: [1, 1] } },
    { op: 'Sigmoid', inputs: ['se1'], outputs: ['se2'] },
    { op: 'Mul', inputs: ['g0', 'se2'], outputs: ['g1'] },
    ...(opset < 11
      ? [{ op: 'Clip', inputs: ['g1'], outputs: ['k0'], attrs: { min: { float: 0 }, max: { float: 6 } } }]
      : [constantNode({ name: 'lo', dims: [], data: new Float32Array([0]) }), constantNode({ name: 'hi', dims: [], data: new Float32Array([6]) }), { op: 'Clip', inputs: ['g1', 'lo', 'hi'], outputs: ['k0'] }]),
    { op: 'AveragePool', inputs: ['k0'], outputs: ['p0'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'GlobalAveragePool', inputs: ['p0'], outputs: ['p1'] },
    { op: 'Flatten', inputs: ['p1'], outputs: ['f0'] },
    w('wh', [12, 5], 8),
    { op: 'MatMul', inputs: ['f0', 'wh'], outputs: ['logits'] },
    { op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: 1 } },
  ];
  return buildModel({ opset, inputs: [{ name: 'x', shape: ['n', 3, 'h', 'w'] }], outputs: [{ name: 'prob' }, { name: 'g0' }], nodes });
}

t.test('createSession(model) reports input and output names and the declared input dims', async (t) => {
  const s = await createSession(smallNet(1, 11));
  t.equal(s.precision, 'f32');
  t.same(s.inputNames, ['x']);
  t.same(s.outputNames, ['prob', 'g0']);
  t.same(s.inputMeta, [{ name: 'x', dims: ['n', 3, 'h', 'w'], type: 'float32' }]);
  t.same(s.exposed, []);
  await s.release();
});

t.test('createSession(f32 and f64) agree on small random conv nets to float32 accuracy', async (t) => {
  for (const [seed, opset, dims] of [[1, 9, [1, 3, 16, 20]], [2, 11, [2, 3, 12, 12]], [3, 13, [1, 3, 9, 17]]] as const) {
    const bytes = smallNet(seed, opset);
    const x = values(dims.reduce((a: number, b: number) => a * b, 1), seed + 50);
    const r32 = await (await createSession(bytes, { precision: 'f32' })).run({ x: { data: Float32Array.from(x), dims } });
    const r64 = await (await createSession(bytes, { precision: 'f64' })).run({ x: { data: x, dims } });
    for (const name of ['prob', 'g0']) {
      t.same(r64[name]!.dims, r32[name]!.dims, `opset ${opset} ${name}: dims`);
      const d = relL2(r32[name]!.data as Float32Array, r64[name]!.data as Float64Array);
      t.ok(d < 1e-5 && d > 0, `opset ${opset} ${name}: relative L2 ${d.toExponential(1)}`);
    }
  }
});

t.test('createSession(f64).run compiles one graph per input size and keeps serving earlier sizes', async (t) => {
  const bytes = smallNet(4, 11);
  const s64 = await createSession(bytes, { precision: 'f64', maxSizes: 2 });
  const s32 = await createSession(bytes, { precision: 'f32' });
  for (const dims of [[1, 3, 16, 16], [1, 3, 20, 12], [1, 3, 16, 16], [1, 3, 8, 24], [1, 3, 20, 12]]) {
    const x = values(dims.reduce((a, b) => a * b, 1), dims[2]! * dims[3]!);
    const [a, b] = [await s64.run({ x: { data: x, dims } }), await s32.run({ x: { data: x, dims } })];
    t.same(a.g0!.dims, b.g0!.dims, `${dims.join('×')}: dims follow the input`);
    t.ok(relL2(b.g0!.data as Float32Array, a.g0!.data as Float64Array) < 1e-5, `${dims.join('×')}: values agree`);
  }
  await s64.release();
  await s32.release();
});

t.test('Session.run serialises concurrent calls and converts feeds to the session precision', async (t) => {
  const bytes = smallNet(5, 11);
  const dims = [1, 3, 12, 12];
  const xs = [0, 1, 2, 3].map((k) => values(432, 900 + k));
  const s = await createSession(bytes, { precision: 'f64' });
  const seq: Record<string, Output>[] = [];
  for (const x of xs) seq.push(await s.run({ x: { data: x, dims } }));
  const par = await Promise.all(xs.map((x) => s.run({ x: { data: x, dims } })));
  par.forEach((r, k) => t.same(Array.from(r.prob!.data as Float64Array), Array.from(seq[k]!.prob!.data as Float64Array), `run ${k}: same result concurrently`));
  // float32 data is widened exactly: same result as the widened Float64Array
  const r = await s.run({ x: { data: Float32Array.from(xs[0]!), dims } });
  const w = await s.run({ x: { data: Float64Array.from(Float32Array.from(xs[0]!)), dims } });
  t.same(Array.from(r.prob!.data as Float64Array), Array.from(w.prob!.data as Float64Array));
  await s.release();
});

t.test('Session.run lists every feed problem in one InputError', async (t) => {
  const bytes = buildModel({
    inputs: [{ name: 'a', shape: [1, 4] }, { name: 'b', shape: [2, 'n'] }, { name: 'c', shape: [4] }],
    outputs: [{ name: 'y' }],
    nodes: [{ op: 'Sum', inputs: ['a', 'b', 'c'], outputs: ['y'] }],
  });
  const s = await createSession(bytes, { source: 'sum.onnx' });
  await t.rejects(s.run({ a: { data: new Float32Array(3), dims: [1, 3] }, b: { data: new Float32Array(5), dims: [2, 3] } }), {
    name: 'InputError',
    message: /^sum\.onnx: input a: expected dims \[1×4\] but received \[1×3\]; input b: dims \[2×3\] need 6 values but data has 5; missing input c \(float32\[4\]\)$/,
  });
  await t.rejects(createSession(bytes, { expose: 'all' as never }), { name: 'TypeError', message: /^Expected an array of tensor names or a boolean for expose but received "all" of type string$/ });
  await s.release();
});

t.test('Session.run logs a compact summary and rethrows when onnxruntime fails', async (t) => {
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: ['n', 4] }],
    outputs: [{ name: 'y' }],
    nodes: [constantNode({ name: 's', dims: [2], data: BigInt64Array.from([3n, 3n]), dtype: 'int64' }), { op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }],
  });
  const s = await createSession(bytes, { source: 'reshape.onnx' });
  const logged: string[] = [];
  const err = console.error;
  console.error = (m: string) => { logged.push(m); };
  try {
    await t.rejects(s.run({ x: { data: new Float32Array(8), dims: [2, 4] } }), /Reshape|reshape|shape/);
  } finally {
    console.error = err;
  }
  t.match(logged.join('\n'), /onnxruntime run failed for reshape\.onnx with inputs x: float32\[2×4\]/);
  await s.release();
});
