// expose.ts: intermediate outputs appear with the right shapes at both precisions, in graph
// order even when the stored node order is not topological.
import t from 'tap';
import { onnx } from '../../src/onnx/proto.js';
import { buildModel, constantNode } from '../../src/onnx/writer.js';
import { defaultExposed, exposeOutputs, firstTrainableNode } from '../../src/runtime/expose.js';
import { createSession } from '../../src/runtime/session.js';
import { conv2dRef, relMax, values } from './reference.js';

const w1 = values(4 * 3 * 9, 1), w2 = values(2 * 4, 2), wg = values(2 * 3, 3);
// stored out of order on purpose: the Gemm first, the first conv last
const model = buildModel({
  inputs: [{ name: 'x', shape: [1, 3, 6, 6] }],
  outputs: [{ name: 'logits' }],
  nodes: [
    constantNode({ name: 'wg', dims: [2, 3], data: Float32Array.from(wg) }),
    { op: 'Gemm', inputs: ['flat', 'wg'], outputs: ['logits'], attrs: { transB: 0 } },
    { op: 'Flatten', inputs: ['pooled3'], outputs: ['flat'] },
    { op: 'Slice', inputs: ['pooled', 'st', 'en', 'ax'], outputs: ['pooled3'] },
    constantNode({ name: 'st', dims: [1], data: BigInt64Array.from([0n]), dtype: 'int64' }),
    constantNode({ name: 'en', dims: [1], data: BigInt64Array.from([2n]), dtype: 'int64' }),
    constantNode({ name: 'ax', dims: [1], data: BigInt64Array.from([1n]), dtype: 'int64' }),
    { op: 'GlobalAveragePool', inputs: ['c2'], outputs: ['pooled'] },
    { op: 'Conv', inputs: ['r1', 'w2'], outputs: ['c2'], attrs: { kernel_shape: [1, 1] } },
    constantNode({ name: 'w2', dims: [2, 4, 1, 1], data: Float32Array.from(w2) }),
    { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
    { op: 'Conv', name: 'first', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] } },
    constantNode({ name: 'w1', dims: [4, 3, 3, 3], data: Float32Array.from(w1) }),
  ],
  opset: 13,
});

t.test('defaultExposed(model) lists the first trainable layer and every Conv/Gemm output in graph order', (t) => {
  const m = onnx.ModelProto.decode(model);
  t.equal(firstTrainableNode(m)?.name, 'first');
  t.same(defaultExposed(m), ['c1', 'c2', 'logits']);
  t.end();
});

t.test('exposeOutputs(model, names) adds graph outputs in graph order and rejects unknown names together', (t) => {
  const m = onnx.ModelProto.decode(model);
  const { model: e, exposed } = exposeOutputs(m, ['pooled', 'c1', 'r1']);
  t.same(exposed, ['c1', 'r1', 'pooled']);
  t.same((e.graph!.output ?? []).map((o) => o.name), ['logits', 'c1', 'r1', 'pooled']);
  t.same((m.graph!.output ?? []).map((o) => o.name), ['logits'], 'the input model is not modified');
  t.throws(() => exposeOutputs(m, ['c1', 'nope', 'x'], 'toy.onnx'), { name: 'InputError', message: /^toy\.onnx: cannot expose "nope", "x": no node produces them$/ });
  t.end();
});

t.test('createSession({ expose }) returns exposed tensors with correct shapes at f32 and f64', async (t) => {
  const x = values(3 * 36, 4);
  const c1 = conv2dRef({ x, n: 1, c: 3, h: 6, w: 6, wt: Float64Array.from(Float32Array.from(w1)), o: 4, kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1] });
  for (const precision of ['f32', 'f64'] as const) {
    const s = await createSession(model, { precision, expose: true });
    t.same(s.exposed, ['c1', 'c2', 'logits']);
    t.same(s.outputNames, ['logits', 'c1', 'c2']);
    const r = await s.run({ x: { data: x, dims: [1, 3, 6, 6] } });
    t.same(r.c1!.dims, [1, 4, 3, 3], `${precision}: c1 dims`);
    t.same(r.c2!.dims, [1, 2, 3, 3], `${precision}: c2 dims`);
    t.same(r.logits!.dims, [1, 3], `${precision}: logits dims`);
    t.equal(r.c1!.type, precision === 'f64' ? 'float64' : 'float32');
    t.ok(relMax(r.c1!.data as Float64Array, c1.data) <= (precision === 'f64' ? 1e-12 : 1e-5), `${precision}: first-layer output matches a naive conv`);
    await s.release();
  }
  const named = await createSession(model, { precision: 'f64', expose: ['r1'] });
  t.same(named.outputNames, ['logits', 'r1']);
  t.same((await named.run({ x: { data: x, dims: [1, 3, 6, 6] } })).r1!.dims, [1, 4, 3, 3]);
  await named.release();
});
