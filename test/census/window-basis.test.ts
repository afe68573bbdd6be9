import t from 'tap';
import { groupKernels, windowBasis } from '../../src/census/window-basis.js';
import { firstLayer } from '../../src/onnx/first-layer.js';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightReader } from '../../src/onnx/weights.js';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel, type NodeSpec } from '../../src/onnx/writer.js';
import type { GraphProto } from '../../src/onnx/proto.js';
import { EPS64 } from '../../src/linalg/tolerance.js';

function layerOf(node: NodeSpec, dims: number[], data: number[], input: number[]) {
  const model = decodeModel(buildModel({ inputs: [{ name: 'x', shape: input }], outputs: [{ name: node.outputs[0]! }], nodes: [node], initializers: [{ name: 'w', dims, data }] }), 'm.onnx');
  const idx = indexGraph(model.graph as GraphProto, 'm.onnx');
  return firstLayer(idx, weightReader(idx, { where: 'm.onnx' }), 'm.onnx');
}

/** max |Σ_i W[o, i]·v[i]| over outputs o and basis rows v, with W read by `at(o, i)`. */
function worst(at: (o: number, i: number) => number, outDim: number, inDim: number, basis: Float64Array): number {
  let w = 0;
  for (let r = 0; r < basis.length / inDim; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let i = 0; i < inDim; i++) s += at(o, i) * basis[r * inDim + i]!;
      w = Math.max(w, Math.abs(s));
    }
  }
  return w;
}

t.test('windowBasis: grouped Conv [O, C/g, kh, kw] → per group [O/g, C/g·kh·kw], basis in ker(W_g)', (t) => {
  // 2 groups of (2 × 2·1·2): in 4 > out 2, so each group has a kernel of 2 at least
  const data = [1, 2, 0, -1, 3, 1, 1, 0, 2, -2, 1, 1, 0, 1, -1, 2];
  const b = windowBasis(layerOf({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2 } }, [4, 2, 1, 2], data, [1, 4, 3, 3]), 'm.onnx');
  t.same([b.groups, b.outDim, b.inDim, b.patch], [2, 2, 4, [2, 1, 2]]);
  b.perGroup.forEach((g, gi) => {
    t.same([g.rank, g.k, g.vectors.length], [2, 2, 2 * 4], `group ${gi}: rank 2, nullity 2`);
    t.ok(worst((o, i) => data[(gi * 2 + o) * 4 + i]!, 2, 4, g.vectors) < 1e-14, `group ${gi}: W_g v = 0`);
  });
  t.end();
});

t.test('windowBasis: ConvTranspose W [C_in, C_out, k] is [in, out] and is transposed before its kernel is taken', (t) => {
  // C_in 2, C_out·k = 3·1·1: in 2, out 3 — injective unless the columns are dependent; make them so
  const data = [1, 2, 3, 2, 4, 6];
  const b = windowBasis(layerOf({ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'] }, [2, 3, 1, 1], data, [1, 2, 3, 3]), 'm.onnx');
  t.same([b.inDim, b.outDim, b.perGroup[0]!.rank, b.perGroup[0]!.k], [2, 3, 1, 1]);
  // out o = Σ_i W[i, o]·x_i
  t.ok(worst((o, i) => data[i * 3 + o]!, 3, 2, b.perGroup[0]!.vectors) < 1e-14, 'W v = 0 with W read as [in, out]');
  t.end();
});

t.test('groupKernels: one record per group with the caller\'s tolerance rule', (t) => {
  const w = Float64Array.from([1, 0, 0, 0, 1, 0, 1, 1, 1, 2, 2, 2]);
  const r = groupKernels(2, 2, 3, (g) => w.subarray(g * 6, (g + 1) * 6), { eps: EPS64 });
  t.same(r.map((x) => [x.group, x.m, x.n, x.rank, x.k]), [[0, 2, 3, 2, 1], [1, 2, 3, 1, 2]]);
  t.ok(Math.abs(Math.abs(r[0]!.basis[2]!) - 1) < 1e-15, 'ker of [[1,0,0],[0,1,0]] is e3');
  t.ok(r[1]!.tol > 0 && r[1]!.tol < 1e-13, `float64 rule: tol ${r[1]!.tol}`);
  t.end();
});
