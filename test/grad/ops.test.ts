// Jacobian products op by op: a small model per op (or op setting) whose input is the image,
// checked by the adjoint identity and central differences at float64, float32 against float64, and
// batched against unbatched (test/grad/check.ts).
import t from 'tap';
import { buildModel, type ModelSpec, type NodeSpec, type TensorSpec } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { checkModel } from './check.js';

const w = (name: string, dims: number[], seed: number, scale = 0.5): TensorSpec => {
  const g = rng(seed);
  return { name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => g.normal() * scale) };
};
const i64 = (name: string, data: number[]): TensorSpec => ({ name, dims: [data.length], data: BigInt64Array.from(data.map(BigInt)), dtype: 'int64' });
const f = (name: string, v: number): TensorSpec => ({ name, dims: [], data: Float32Array.from([v]) });

interface Case { name: string; dims: number[]; nodes: NodeSpec[]; inits?: TensorSpec[]; opset?: number; kinks?: boolean; out?: string }

const cases: Case[] = [
  { name: 'Conv 3×3 stride 2, asymmetric pads, dilation 1', dims: [1, 3, 9, 8], nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 2, 1] } }], inits: [w('w', [5, 3, 3, 3], 1), w('b', [5], 2)] },
  { name: 'Conv grouped and dilated; Conv auto_pad SAME_UPPER', dims: [1, 4, 7, 9], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [2, 1], dilations: [2, 1], pads: [2, 1, 1, 0], group: 2 } },
    { op: 'Conv', inputs: ['a', 'w2'], outputs: ['y'], attrs: { kernel_shape: [4, 4], strides: [2, 2], auto_pad: 'SAME_UPPER' } }], inits: [w('w', [6, 2, 3, 3], 3), w('w2', [3, 6, 4, 4], 33)] },
  // stride 1: the adjoint is a Conv with the flipped kernel (pads (k − 1)·d − p); the last pad is wider than the span: ConvTranspose
  { name: 'Conv stride 1: grouped 3×3 pads 1; depthwise 3×2 dilated, asymmetric pads; 3×3 with pads 3 (wider than the kernel)', dims: [1, 4, 7, 6], nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['a'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 2 } },
    { op: 'Conv', inputs: ['a', 'w2'], outputs: ['c'], attrs: { kernel_shape: [3, 2], dilations: [2, 1], pads: [1, 0, 2, 1], group: 6 } },
    { op: 'Conv', inputs: ['c', 'w3'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [3, 0, 0, 3] } }],
  inits: [w('w', [6, 2, 3, 3], 41), w('b', [6], 42), w('w2', [6, 1, 3, 2], 43), w('w3', [2, 6, 3, 3], 44)] },
  { name: 'Conv depthwise 5×5 stride 2', dims: [2, 3, 9, 9], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [5, 5], strides: [2, 2], pads: [2, 2, 2, 2], group: 3 } }], inits: [w('w', [3, 1, 5, 5], 4)] },
  { name: 'ConvTranspose stride 2, pads, output_padding, groups', dims: [1, 4, 5, 4], nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0], group: 2 } }], inits: [w('w', [4, 3, 3, 3], 5), w('b', [6], 6)] },
  { name: 'BatchNormalization', dims: [1, 3, 4, 5], nodes: [{ op: 'BatchNormalization', inputs: ['x', 's', 'bb', 'm', 'v'], outputs: ['y'], attrs: { epsilon: 1e-3 } }], inits: [w('s', [3], 7), w('bb', [3], 8), w('m', [3], 9), { name: 'v', dims: [3], data: Float32Array.from([0.5, 1.5, 2]) }] },
  { name: 'Relu, LeakyRelu, PRelu', dims: [1, 3, 4, 4], kinks: true, nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['a'] }, { op: 'Sub', inputs: ['x', 'h'], outputs: ['xs'] }, { op: 'LeakyRelu', inputs: ['xs'], outputs: ['b'], attrs: { alpha: 0.1 } }, { op: 'PRelu', inputs: ['xs', 'slope'], outputs: ['c'] }, { op: 'Sum', inputs: ['a', 'b', 'c'], outputs: ['y'] }], inits: [f('h', 0.5), { name: 'slope', dims: [3, 1, 1], data: Float32Array.from([0.2, -0.3, 0.5]) }] },
  { name: 'Clip (opset 11 inputs), HardSigmoid, HardSwish', dims: [1, 3, 4, 4], opset: 14, kinks: true, nodes: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['xk'] }, { op: 'Clip', inputs: ['xk', 'lo', 'hi'], outputs: ['a'] }, { op: 'HardSigmoid', inputs: ['xk'], outputs: ['b'], attrs: { alpha: 0.3, beta: 0.4 } }, { op: 'HardSwish', inputs: ['xk'], outputs: ['c'] }, { op: 'Sum', inputs: ['a', 'b', 'c'], outputs: ['y'] }], inits: [f('k', 8), f('lo', 1), f('hi', 6)] },
  { name: 'Clip (opset 9 attributes)', dims: [1, 2, 3, 3], opset: 9, kinks: true, nodes: [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attrs: { min: 0.2, max: 0.7 } }] },
  { name: 'Sigmoid, Tanh, Exp, Log, Sqrt, Reciprocal, Neg, Erf', dims: [1, 2, 3, 3], opset: 13, nodes: [
    { op: 'Add', inputs: ['x', 'one'], outputs: ['p'] }, { op: 'Sigmoid', inputs: ['x'], outputs: ['a'] }, { op: 'Tanh', inputs: ['x'], outputs: ['b'] }, { op: 'Exp', inputs: ['x'], outputs: ['c'] },
    { op: 'Log', inputs: ['p'], outputs: ['d'] }, { op: 'Sqrt', inputs: ['p'], outputs: ['e'] }, { op: 'Reciprocal', inputs: ['p'], outputs: ['f'] }, { op: 'Neg', inputs: ['x'], outputs: ['g'] }, { op: 'Erf', inputs: ['x'], outputs: ['h'] },
    { op: 'Sum', inputs: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], outputs: ['y'] }], inits: [f('one', 1)] },
  { name: 'Gelu (opset 20)', dims: [1, 2, 3, 3], opset: 20, nodes: [{ op: 'Gelu', inputs: ['x'], outputs: ['y'] }] },
  { name: 'Add, Sub, Mul, Div, Pow with broadcasting and both operands active', dims: [1, 3, 4, 5], nodes: [
    { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attrs: { axes: [2, 3], keepdims: 1 } }, { op: 'Add', inputs: ['x', 'm'], outputs: ['a'] }, { op: 'Sub', inputs: ['m', 'x'], outputs: ['b'] },
    { op: 'Mul', inputs: ['a', 'b'], outputs: ['c'] }, { op: 'Add', inputs: ['m', 'two'], outputs: ['den'] }, { op: 'Div', inputs: ['c', 'den'], outputs: ['d'] }, { op: 'Div', inputs: ['x', 'den'], outputs: ['e'] },
    { op: 'Pow', inputs: ['d', 'two'], outputs: ['p'] }, { op: 'Pow', inputs: ['den', 'threeHalves'], outputs: ['q'] }, { op: 'Mul', inputs: ['e', 'row'], outputs: ['r'] },
    { op: 'Sum', inputs: ['p', 'q', 'r', 'c'], outputs: ['y'] }], inits: [f('two', 2), f('threeHalves', 1.5), w('row', [5], 10)] },
  { name: 'MatMul (batched, both active) and Gemm (transA, transB, C)', dims: [1, 2, 3, 4], nodes: [
    { op: 'Transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: [0, 1, 3, 2] } }, { op: 'MatMul', inputs: ['x', 'xt'], outputs: ['a'] }, { op: 'MatMul', inputs: ['a', 'x'], outputs: ['b'] },
    { op: 'Reshape', inputs: ['b', 'sh'], outputs: ['b2'] }, { op: 'Gemm', inputs: ['b2', 'wg', 'cg'], outputs: ['g1'], attrs: { transA: 1, transB: 1, alpha: 0.5, beta: { float: 2 } } },
    { op: 'Gemm', inputs: ['g1', 'g1'], outputs: ['y'], attrs: { transB: 1 } }], inits: [i64('sh', [6, 4]), w('wg', [5, 6], 11), w('cg', [5], 12)] },
  { name: 'MaxPool 3×3/2 pad 1 (overlapping windows) and 2×2/2 ceil_mode', dims: [1, 2, 7, 8], kinks: true, nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }, { op: 'MaxPool', inputs: ['a'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } }] },
  { name: 'AveragePool (count_include_pad 0 and 1, ceil_mode) and GlobalAveragePool', dims: [1, 2, 7, 6], opset: 11, nodes: [
    { op: 'AveragePool', inputs: ['x'], outputs: ['a'], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1] } }, { op: 'AveragePool', inputs: ['x'], outputs: ['b'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1, ceil_mode: 1 } },
    { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['c'] }, { op: 'Mul', inputs: ['a', 'c'], outputs: ['ac'] }, { op: 'Concat', inputs: ['ac', 'b'], outputs: ['y'], attrs: { axis: 3 } }] },
  { name: 'ReduceSum (opset 13 axes input), ReduceMean, Softmax, LogSoftmax', dims: [1, 3, 4, 5], opset: 13, nodes: [
    { op: 'ReduceSum', inputs: ['x', 'ax'], outputs: ['s'], attrs: { keepdims: 0 } }, { op: 'Softmax', inputs: ['s'], outputs: ['a'], attrs: { axis: -1 } },
    { op: 'LogSoftmax', inputs: ['x'], outputs: ['b'], attrs: { axis: 1 } }, { op: 'ReduceMean', inputs: ['b'], outputs: ['bm'], attrs: { axes: [1], keepdims: 0 } }, { op: 'Concat', inputs: ['a', 'bm'], outputs: ['y'], attrs: { axis: 1 } }], inits: [i64('ax', [2])] },
  { name: 'Softmax at opset 9 (2-D coercion from axis 1)', dims: [1, 2, 3, 4], opset: 9, nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }] },
  { name: 'LayerNormalization (opset 17, last two axes)', dims: [1, 3, 4, 5], opset: 17, nodes: [{ op: 'LayerNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { axis: -2, epsilon: 1e-3 } }], inits: [w('s', [4, 5], 13), w('b', [4, 5], 14)] },
  { name: 'Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Split, Slice (step −1), Pad, Concat with a constant', dims: [1, 3, 4, 6], opset: 13, nodes: [
    { op: 'Flatten', inputs: ['x'], outputs: ['fl'], attrs: { axis: 2 } }, { op: 'Unsqueeze', inputs: ['fl', 'ax0'], outputs: ['u'] }, { op: 'Squeeze', inputs: ['u', 'ax0'], outputs: ['sq'] },
    { op: 'Reshape', inputs: ['sq', 'sh'], outputs: ['r'] }, { op: 'Transpose', inputs: ['r'], outputs: ['tr'], attrs: { perm: [0, 3, 1, 2] } },
    { op: 'Split', inputs: ['tr', 'sp'], outputs: ['s1', 's2'], attrs: { axis: 1 } }, { op: 'Slice', inputs: ['s2', 'st', 'en', 'axs', 'steps'], outputs: ['sl'] },
    { op: 'Pad', inputs: ['sl', 'pads'], outputs: ['pd'], attrs: { mode: 'constant' } }, { op: 'Concat', inputs: ['s1', 'pd', 'k'], outputs: ['y'], attrs: { axis: 1 } }],
    inits: [i64('ax0', [0]), i64('sh', [1, 3, 4, 6]), i64('sp', [2, 4]), i64('st', [0, -1]), i64('en', [2, -10]), i64('axs', [2, 3]), i64('steps', [1, -1]), i64('pads', [0, 0, 1, 0, 0, 0, 0, 0]), w('k', [1, 1, 3, 4], 15)] },
  { name: 'Slice with steps 2 and −3, ends from shape arithmetic (Shape → Gather)', dims: [1, 2, 7, 8], opset: 13, nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['shp'] }, { op: 'Gather', inputs: ['shp', 'three'], outputs: ['wend'], attrs: { axis: 0 } },
    { op: 'Concat', inputs: ['wend', 'lo'], outputs: ['ends'], attrs: { axis: 0 } },
    { op: 'Slice', inputs: ['x', 'st', 'ends', 'axs', 'steps'], outputs: ['y'] }], inits: [i64('three', [3]), i64('lo', [0]), i64('st', [1, 6]), i64('axs', [3, 2]), i64('steps', [2, -3])] },
  { name: 'Resize nearest ×2 (asymmetric, floor) and linear (half_pixel) to 7×9', dims: [1, 2, 3, 4], opset: 13, nodes: [
    { op: 'Resize', inputs: ['x', '', 'sc'], outputs: ['a'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
    { op: 'Resize', inputs: ['x', '', '', 'sz'], outputs: ['b'], attrs: { mode: 'linear' } }, { op: 'Slice', inputs: ['a', 'z', 'e', 'ax'], outputs: ['a2'] }, { op: 'Concat', inputs: ['a2', 'b'], outputs: ['y'], attrs: { axis: 1 } }],
    inits: [{ name: 'sc', dims: [4], data: Float32Array.from([1, 1, 2, 2]) }, i64('sz', [1, 2, 6, 8]), i64('z', [0]), i64('e', [6]), i64('ax', [2])] },
];

for (const c of cases) {
  t.test(`J·V and Jᵀ·U through ${c.name}: adjoint identity, central differences, float32, batching`, async (t) => {
    const spec: ModelSpec = { opset: c.opset ?? 11, inputs: [{ name: 'x', shape: c.dims }], outputs: [{ name: c.out ?? 'y' }], nodes: c.nodes, initializers: c.inits ?? [] };
    if (c.opset === 13 && c.nodes.some((n) => n.op === 'ReduceMean' && n.attrs?.axes)) spec.opset = 13;
    const r = await checkModel(buildModel(spec), c.dims, { fdStep: 1e-6, batch: 2, seed: 3 });
    t.ok(r.adjoint <= 1e-12, `adjoint identity at float64: ${r.adjoint.toExponential(1)}`);
    t.ok(r.adjoint32 <= 1e-5, `adjoint identity at float32: ${r.adjoint32.toExponential(1)}`);
    t.ok(r.fd <= 1e-8, `central differences: ${r.fd.toExponential(1)}${c.kinks ? ' (kinks: the random points avoid them)' : ''}`);
    t.ok(r.f32jvp <= 1e-4 && r.f32vjp <= 1e-4, `float32 vs float64: J·V ${r.f32jvp.toExponential(1)}, Jᵀ·U ${r.f32vjp.toExponential(1)}`);
    t.ok(r.batched <= 1e-14, `batched vs unbatched: ${r.batched.toExponential(1)}`);
    t.ok(r.minNorm > 1e-3, `products are not vacuous (min norm ${r.minNorm.toExponential(1)})`);
  });
}
