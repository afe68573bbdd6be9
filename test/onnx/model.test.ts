import t from 'tap';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel } from '../../src/onnx/writer.js';
import { InputError } from '../../src/core/errors.js';

const model = buildModel({
  inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y' }],
  nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
  initializers: [{ name: 'w', dims: [4, 3], data: new Float32Array(12).fill(1) }],
});

t.test('decodeModel(bytes) decodes a model built by the writer', (t) => {
  const m = decodeModel(model, 'm.onnx');
  t.equal(m.graph?.node?.[0]?.opType, 'MatMul');
  t.end();
});

t.test('decodeModel(bytes) names a file that is not ONNX in one line', (t) => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  t.throws(() => decodeModel(png, 'cat.png'), { name: 'InputError', message: /^cat\.png: not an ONNX file/ });
  t.throws(() => decodeModel(new TextEncoder().encode('{"hello": "world"}\n'), 'x.json'), /^x\.json: not an ONNX file/);
  t.throws(() => decodeModel(new Uint8Array(0), 'empty.onnx'), /^empty\.onnx: empty file, not an ONNX model$/);
  // a valid protobuf that is not a ModelProto (a bare TensorProto: field 1 is dims, packed/LEN)
  t.throws(() => decodeModel(new Uint8Array([0x0a, 0x02, 0x02, 0x03]), 't.pb'), /not an ONNX file/);
  // a ModelProto with no graph
  t.throws(() => decodeModel(new Uint8Array([0x08, 0x08]), 'nograph.onnx'), /^nograph\.onnx: not an ONNX file \(no graph\)$/);
  t.end();
});

t.test('decodeModel(bytes) names a truncated file at every cut point', (t) => {
  let truncated = 0;
  for (let cut = 1; cut < model.length; cut += Math.max(1, Math.floor(model.length / 40))) {
    const err = t.throws(() => decodeModel(model.subarray(0, cut), 'm.onnx')) as unknown as Error;
    t.ok(err instanceof InputError);
    if (/^m\.onnx: truncated ONNX file/.test(err.message)) truncated++;
    t.notMatch(err.message, /\n/, 'one line');
  }
  t.ok(truncated > 0);
  // every cut inside the graph field is reported as truncated, not as foreign
  const err = t.throws(() => decodeModel(model.subarray(0, model.length - 5), 'm.onnx')) as unknown as Error;
  t.match(err.message, /truncated ONNX file/);
  t.end();
});
