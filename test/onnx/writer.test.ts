import t from 'tap';
import * as ort from 'onnxruntime-web';
import { buildModel, constantNode, rawBytes } from '../../src/onnx/writer.js';
import { onnx } from '../../src/onnx/proto.js';

ort.env.wasm.numThreads = 1;

t.test('buildModel(spec) writes a model that onnxruntime runs with the stored weights', async (t) => {
  const w = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => (i % 5) - 2);
  const bytes = buildModel({
    inputs: [{ name: 'x', shape: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } }],
    initializers: [{ name: 'w', dims: [2, 3, 2, 2], data: w }],
  });
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const x = Float32Array.from({ length: 48 }, (_, i) => i);
  const y = (await s.run({ x: new ort.Tensor('float32', x, [1, 3, 4, 4]) })).y!;
  t.same(y.dims, [1, 2, 2, 2]);
  // naive reference for output channel o at window (i, j)
  for (let o = 0; o < 2; o++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    let acc = 0;
    for (let c = 0; c < 3; c++) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) acc += w[((o * 3 + c) * 2 + a) * 2 + b]! * x[(c * 4 + 2 * i + a) * 4 + 2 * j + b]!;
    t.equal((y.data as Float32Array)[(o * 2 + i) * 2 + j], acc);
  }
});

t.test('constantNode(t) stores a tensor as a Constant node that decodes back to the same values', (t) => {
  const node = constantNode({ name: 'k', dims: [2, 2], data: new Float64Array([1, -2, 3.5, 1e-300]) });
  const bytes = buildModel({ inputs: [], outputs: [{ name: 'k', dtype: 'float64' }], nodes: [node] });
  const m = onnx.ModelProto.decode(bytes);
  const tensor = m.graph!.node![0]!.attribute![0]!.t!;
  t.equal(tensor.dataType, 11);
  const raw = tensor.rawData!;
  t.same(Array.from(new Float64Array(new Uint8Array(raw).buffer)), [1, -2, 3.5, 1e-300]);
  t.end();
});

t.test('rawBytes(data, "float16") rounds to nearest even and handles subnormals and overflow', (t) => {
  const u16 = (v: number) => new Uint16Array(rawBytes([v], 'float16').slice().buffer)[0];
  t.equal(u16(1), 0x3c00);
  t.equal(u16(-2), 0xc000);
  t.equal(u16(65504), 0x7bff);
  t.equal(u16(1e6), 0x7c00);
  t.equal(u16(2 ** -24), 0x0001); // smallest subnormal
  t.equal(u16(1 + 2 ** -11), 0x3c00); // tie rounds to even
  t.equal(u16(1 + 3 * 2 ** -11), 0x3c02);
  t.end();
});

t.test('buildModel(spec) rejects data whose length does not match dims', (t) => {
  t.throws(() => buildModel({ inputs: [], outputs: [], nodes: [], initializers: [{ name: 'w', dims: [2, 3], data: new Float32Array(5) }] }), /dims \[2,3\] hold 6 values but data has 5/);
  t.end();
});
