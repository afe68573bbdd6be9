import t from 'tap';
import { attrFloat, attrInt, attrInts, attrString, hasAttr } from '../../src/onnx/attributes.js';
import { buildModel } from '../../src/onnx/writer.js';
import { onnx, type NodeProto } from '../../src/onnx/proto.js';

// A node as the decoder hands it over: int64 fields arrive as Long, absent fields read the
// prototype's defaults.
function decodedNode(attrs: Record<string, number | number[] | string>): NodeProto {
  const bytes = buildModel({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs }] });
  return onnx.ModelProto.decode(bytes).graph!.node![0] as NodeProto;
}

t.test('attributes of a decoded node, and the fallbacks when absent', (t) => {
  const n = decodedNode({ group: 3, strides: [2, 1], auto_pad: 'SAME_UPPER', alpha: 0.25 });
  t.equal(attrInt(n, 'group', 1), 3);
  t.equal(attrInt(n, 'missing', 7), 7);
  t.same(attrInts(n, 'strides'), [2, 1]);
  t.equal(attrInts(n, 'pads'), undefined, 'no fallback: undefined');
  t.same(attrInts(n, 'pads', [0, 0]), [0, 0]);
  t.equal(attrString(n, 'auto_pad', 'NOTSET'), 'SAME_UPPER');
  t.equal(attrString(n, 'mode', 'constant'), 'constant');
  t.equal(attrFloat(n, 'alpha', 1), 0.25);
  t.equal(attrFloat(n, 'beta', 1), 1);
  t.ok(hasAttr(n, 'group'));
  t.notOk(hasAttr(n, 'beta'));
  t.end();
});

t.test('an int64 beyond 2^53 is NaN, not a rounded number', (t) => {
  const n = { attribute: [{ name: 'group', i: { toNumber: () => 2 ** 60, high: 2 ** 28 } }] };
  t.ok(Number.isNaN(attrInt(n, 'group', 1)));
  t.end();
});
