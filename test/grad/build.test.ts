// buildGradModel's refusals: every op without a rule, and every node a rule refuses, in one message;
// ops that only see shapes or constants need no rule; models with other inputs are refused.
import t from 'tap';
import { createJacobian } from '../../src/grad/index.js';
import { buildModel } from '../../src/onnx/writer.js';

t.test('createJacobian names every op without a derivative rule, and every refused node, in one InputError', async (t) => {
  const bytes = buildModel({
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Elu', inputs: ['x'], outputs: ['a'], name: 'elu_1' },
      { op: 'Elu', inputs: ['a'], outputs: ['b'], name: 'elu_2' },
      { op: 'Selu', inputs: ['b'], outputs: ['c'], name: 'selu_1' },
      { op: 'Pow', inputs: ['k', 'c'], outputs: ['d'], name: 'pow_1' },
      // shape arithmetic on x needs no rule: Shape → Cast → float, constant for the input size
      { op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Gather', inputs: ['s', 'one'], outputs: ['s1'], attrs: { axis: 0 } }, { op: 'Cast', inputs: ['s1'], outputs: ['sf'], attrs: { to: 1 } },
      { op: 'Mul', inputs: ['d', 'sf'], outputs: ['y'] },
    ],
    initializers: [{ name: 'k', dims: [], data: Float32Array.from([2]) }, { name: 'one', dims: [1], data: BigInt64Array.from([1n]), dtype: 'int64' }],
  });
  await t.rejects(createJacobian(bytes, [1, 4], { source: 'toy.onnx' }), {
    name: 'InputError',
    message: /^toy\.onnx: no derivative rule for these ops: Elu \(2×, e\.g\. elu_1\), Selu \(1×, e\.g\. selu_1\); node pow_1: Pow with an exponent that depends on the image has no rule$/,
  });
});

t.test('createJacobian differentiates past shape arithmetic, and refuses unknown tensors and extra inputs', async (t) => {
  const ok = buildModel({
    opset: 13, inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Gather', inputs: ['s', 'one'], outputs: ['s1'], attrs: { axis: 0 } }, { op: 'Cast', inputs: ['s1'], outputs: ['sf'], attrs: { to: 1 } }, { op: 'Mul', inputs: ['x', 'sf'], outputs: ['y'] }],
    initializers: [{ name: 'one', dims: [1], data: BigInt64Array.from([1n]), dtype: 'int64' }],
  });
  const j = await createJacobian(ok, [1, 4], { precision: 'f64' });
  const r = await j.jvp([1, 2, 3, 4], [1, 0, 0, 1], 1);
  t.same(Array.from(r.tangents.y!), [4, 0, 0, 4], 'J = 4·I (the second dimension, held constant)');
  await j.release();
  await t.rejects(createJacobian(ok, [1, 4], { outputs: ['nope'], source: 'ok.onnx' }), { name: 'InputError', message: /^ok\.onnx: no node produces "nope"$/ });
  const two = buildModel({ inputs: [{ name: 'x', shape: [1, 4] }, { name: 'z', shape: [1, 4] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Add', inputs: ['x', 'z'], outputs: ['y'] }] });
  await t.rejects(createJacobian(two, [1, 4], { source: 'two.onnx' }), { name: 'InputError', message: /^two\.onnx: derivatives need a model whose only input is the image, but it also reads z$/ });
});
