import t from 'tap';
import { indexGraph } from '../../src/onnx/graph.js';
import { buildModel, constantNode } from '../../src/onnx/writer.js';
import { onnx, type GraphProto } from '../../src/onnx/proto.js';

const graphOf = (b: Uint8Array) => onnx.ModelProto.decode(b).graph as GraphProto;

t.test('indexGraph(g) orders unsorted nodes topologically and maps producers and consumers', (t) => {
  const g = graphOf(buildModel({
    inputs: [{ name: 'x', shape: [1, 2] }], outputs: [{ name: 'z' }],
    nodes: [
      { op: 'Add', inputs: ['y', 'y'], outputs: ['z'], name: 'last' },
      { op: 'Relu', inputs: ['x1'], outputs: ['y'], name: 'middle' },
      { op: 'Identity', inputs: ['x'], outputs: ['x1'], name: 'first' },
    ],
  }));
  const idx = indexGraph(g);
  t.same(idx.order.map((r) => r.label), ['first', 'middle', 'last']);
  t.same(idx.order.map((r) => r.index), [0, 1, 2]);
  t.equal(idx.producer.get('y')?.label, 'middle');
  t.same(idx.consumers.get('y')?.map((u) => [u.ref.label, u.slot]), [['last', 0], ['last', 1]]);
  t.end();
});

t.test('indexGraph(g) collects initializers and Constant nodes (value and value_floats) as constants', (t) => {
  const g = graphOf(buildModel({
    inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y' }],
    nodes: [
      constantNode({ name: 'c', dims: [2], data: [1, 2] }),
      { op: 'Constant', inputs: [], outputs: ['f'], attrs: { value_floats: { floats: [0.5, 2] } } },
      { op: 'Add', inputs: ['x', 'c'], outputs: ['y'] },
    ],
    initializers: [{ name: 'init', dims: [1], data: [3] }],
  }));
  const idx = indexGraph(g);
  t.same([...idx.constants.keys()].sort(), ['c', 'f', 'init']);
  t.equal(idx.constants.get('c')?.kind, 'constant');
  t.equal(idx.constants.get('init')?.kind, 'initializer');
  t.same(idx.constants.get('f')?.tensor.floatData, [0.5, 2]);
  t.end();
});

t.test('indexGraph(g) refuses a cycle with a one-line InputError', (t) => {
  const g = graphOf(buildModel({
    inputs: [{ name: 'x' }], outputs: [{ name: 'b' }],
    nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['a'] }, { op: 'Relu', inputs: ['a'], outputs: ['b'] }],
  }));
  t.throws(() => indexGraph(g, 'cyc.onnx'), { name: 'InputError', message: /^cyc\.onnx: the graph has a cycle \(2 nodes never become ready\)$/ });
  t.end();
});

t.test('indexGraph(g) walks If branches: subgraph nodes follow their parent and see outer constants', (t) => {
  const branch = (name: string) => ({
    name, inputs: [], outputs: [{ name: `${name}_out` }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: [`${name}_out`], name: `${name}_mm` }],
  });
  const g = graphOf(buildModel({
    inputs: [{ name: 'x', shape: [1, 2] }, { name: 'cond', dtype: 'bool', shape: [] }], outputs: [{ name: 'y' }],
    nodes: [
      { op: 'If', inputs: ['cond'], outputs: ['y'], name: 'if', attrs: { then_branch: { graph: branch('then') }, else_branch: { graph: branch('else') } } },
      constantNode({ name: 'w', dims: [2, 2], data: [1, 0, 0, 1] }),
    ],
  }));
  const idx = indexGraph(g);
  // the If reads w inside its branches, so the Constant must come first
  t.same(idx.order.map((r) => r.label), ['Constant_w', 'if', 'then_mm', 'else_mm']);
  t.equal(idx.order[2]!.scope, 'if/then_branch');
  t.equal(idx.consumers.get('w')?.length, 2);
  t.end();
});
