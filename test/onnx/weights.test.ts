import t from 'tap';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightOperand, weightReader, affine, type ResolvedConstant } from '../../src/onnx/weights.js';
import { buildModel, constantNode, type ModelSpec } from '../../src/onnx/writer.js';
import { onnx, type GraphProto } from '../../src/onnx/proto.js';

function setup(spec: ModelSpec) {
  const idx = indexGraph(onnx.ModelProto.decode(buildModel(spec)).graph as GraphProto);
  const reader = weightReader(idx, { where: 'm.onnx' });
  const node = (label: string) => idx.order.find((r) => r.label === label)!;
  return { idx, reader, node };
}

t.test('weightReader(idx).constant(name) sees through Identity chains and float Casts', (t) => {
  const { reader } = setup({
    inputs: [{ name: 'x' }], outputs: [{ name: 'y' }],
    nodes: [
      constantNode({ name: 'w', dims: [2], data: [1.5, -2], dtype: 'float16' }),
      { op: 'Identity', inputs: ['w'], outputs: ['w1'] },
      { op: 'Identity', inputs: ['w1'], outputs: ['w2'] },
      { op: 'Cast', inputs: ['w2'], outputs: ['w3'], attrs: { to: 1 } },
      { op: 'Cast', inputs: ['w2'], outputs: ['wi'], attrs: { to: 6 } },
      { op: 'Relu', inputs: ['x'], outputs: ['y'] },
    ],
  });
  const r = reader.constant('w3')!;
  t.same(Array.from(r.data), [1.5, -2]);
  t.equal(r.dtype, 'float16');
  t.equal(r.source, 'w');
  t.same(r.via, ['Identity', 'Identity', 'Cast']);
  t.equal(reader.constant('wi'), undefined, 'a Cast to int32 changes values: not followed');
  t.equal(reader.constant('y'), undefined, 'computed from the input');
  t.end();
});

t.test('weightReader(idx).constant(name) dequantizes DequantizeLinear per tensor and per axis', (t) => {
  const { reader } = setup({
    inputs: [{ name: 'x' }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['dq'] },
      { op: 'DequantizeLinear', inputs: ['q', 'sa', 'za'], outputs: ['dqa'], attrs: { axis: 0 } },
      { op: 'Relu', inputs: ['x'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'q', dims: [2, 3], data: [0, 1, 2, 10, 20, 30], dtype: 'int8' },
      { name: 's', dims: [], data: [0.5] },
      { name: 'z', dims: [], data: [1], dtype: 'int8' },
      { name: 'sa', dims: [2], data: [1, 0.1] },
      { name: 'za', dims: [2], data: [0, 10], dtype: 'int8' },
    ],
  });
  t.same(Array.from(reader.constant('dq')!.data), [-0.5, 0, 0.5, 4.5, 9.5, 14.5]);
  const a = reader.constant('dqa')!;
  t.same(Array.from(a.data).map((v) => Math.round(v * 1e6) / 1e6), [0, 1, 2, 0, 1, 2]);
  t.ok(a.quantized);
  t.equal(a.dtype, 'int8');
  t.end();
});

t.test('affine(x, zp, scale, axis, blockSize) dequantizes blocked scales and rejects mismatched ones', (t) => {
  const x: ResolvedConstant = { key: 'x', source: 'x', dims: [2, 4], dtype: 'int8', data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), via: [], quantized: false };
  const s: ResolvedConstant = { ...x, key: 's', dims: [2, 2], data: Float64Array.from([1, 10, 100, 1000]) };
  t.same(Array.from(affine('m', x, undefined, s, 1, 2)), [1, 2, 30, 40, 500, 600, 7000, 8000]);
  const bad: ResolvedConstant = { ...x, key: 'b', dims: [3], data: Float64Array.from([1, 2, 3]) };
  t.throws(() => affine('m.onnx:node dq', x, undefined, bad, 1), /^m\.onnx:node dq: scale of shape \[3\] does not match axis 1 of \[2,4\]$/);
  t.end();
});

t.test('weightOperand(node) finds the weight of Conv, Gemm/MatMul (either side) and the quantized ops', (t) => {
  const w4 = { dims: [2, 1, 1, 2], data: [3, 4, 5, 6] };
  const { reader, node } = setup({
    inputs: [{ name: 'x' }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'wc'], outputs: ['c'], name: 'conv' },
      { op: 'Gemm', inputs: ['wa', 'x'], outputs: ['g'], name: 'gemmLeft' },
      { op: 'MatMul', inputs: ['x', 'wb'], outputs: ['m'], name: 'mmRight' },
      { op: 'MatMul', inputs: ['x', 'x'], outputs: ['mm2'], name: 'dynamic' },
      { op: 'ConvInteger', inputs: ['x', 'qc', '', 'qcz'], outputs: ['ci'], name: 'convInt' },
      { op: 'MatMulInteger', inputs: ['x', 'qm', '', 'qmz'], outputs: ['mi'], name: 'mmInt' },
      { op: 'QLinearConv', inputs: ['x', 'xs', 'xz', 'qc', 'qs', 'qcz', 'ys', 'yz'], outputs: ['qlc'], name: 'qlconv' },
      { op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'relu' },
    ],
    initializers: [
      { name: 'wc', ...w4 }, { name: 'wa', dims: [2, 2], data: [1, 2, 3, 4] }, { name: 'wb', dims: [2, 2], data: [1, 2, 3, 4] },
      { name: 'qc', dims: [2, 1, 1, 2], data: [3, 4, 5, 6], dtype: 'uint8' }, { name: 'qcz', dims: [2], data: [3, 5], dtype: 'uint8' },
      { name: 'qm', dims: [2, 2], data: [1, 2, 3, 4], dtype: 'int8' }, { name: 'qmz', dims: [2], data: [1, 2], dtype: 'int8' },
      { name: 'qs', dims: [2], data: [2, 0.5] }, { name: 'xs', dims: [], data: [1] }, { name: 'xz', dims: [], data: [0], dtype: 'uint8' },
      { name: 'ys', dims: [], data: [1] }, { name: 'yz', dims: [], data: [0], dtype: 'uint8' },
    ],
  });
  const op = (l: string) => weightOperand(node(l), reader, 'm.onnx');
  t.match(op('conv'), { kind: 'Conv', slot: 1, side: 'right', weight: { key: 'wc' } });
  t.match(op('gemmLeft'), { kind: 'Gemm', slot: 0, side: 'left', weight: { key: 'wa' } });
  t.match(op('mmRight'), { kind: 'MatMul', slot: 1, side: 'right' });
  t.equal(op('dynamic'), undefined);
  t.equal(op('relu'), undefined);
  // per-output-channel zero points [3, 5]
  t.same(Array.from(op('convInt')!.weight.data), [0, 1, 0, 1]);
  t.match(op('convInt'), { kind: 'Conv', weight: { quantized: true, via: ['ConvInteger'] } });
  // per-column zero points [1, 2] for B [K=2, N=2]
  t.same(Array.from(op('mmInt')!.weight.data), [0, 0, 2, 2]);
  // (w − zp) × scale per output channel
  t.same(Array.from(op('qlconv')!.weight.data), [0, 2, 0, 0.5]);
  t.end();
});
