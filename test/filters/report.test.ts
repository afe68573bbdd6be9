import t from 'tap';
import { filterReport, kernelFilter } from '../../src/filters/report.js';
import { filterTable, filterComparison } from '../../src/filters/format.js';
import { decodeModel } from '../../src/onnx/model.js';
import { buildModel, constantNode } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { referenceQuality } from './reference.js';

/** Small integers / 8: exact in float16, so the float16 weight's decoded values are known. */
function halves(n: number, seed: number): number[] {
  const g = rng(seed);
  return Array.from({ length: n }, () => (Math.floor(g.uniform() * 17) - 8) / 8);
}

const c1 = halves(4 * 3 * 9, 1), c2 = halves(4 * 4 * 9, 2), c3 = halves(2 * 4 * 25, 3);
const q = halves(4 * 2 * 9, 4).map((v) => v * 8); // int8 values −8…8
const scale = [0.5, 0.25, 2, 1], zp = [0, 1, -2, 3];
const deq = q.map((v, i) => (v - zp[Math.floor(i / 18)]!) * scale[Math.floor(i / 18)]!);

/** Conv 3×3 (float16 initializer) → Conv 3×3 (Constant node) → Conv 5×5 → Conv 3×3 (DequantizeLinear int8) → ConvTranspose 3×3. */
function storageModel(): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', shape: [1, 3, 8, 8] }], outputs: [{ name: 'out' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'c1.w'], outputs: ['y1'], name: 'conv1', attrs: { pads: [1, 1, 1, 1] } },
      constantNode({ name: 'c2.w', dims: [4, 4, 3, 3], data: c2 }),
      { op: 'Conv', inputs: ['y1', 'c2.w'], outputs: ['y2'], name: 'conv2', attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['y2', 'c3.w'], outputs: ['y3'], name: 'conv3', attrs: { pads: [2, 2, 2, 2] } },
      { op: 'DequantizeLinear', inputs: ['c4.q', 'c4.s', 'c4.z'], outputs: ['c4.w'], attrs: { axis: 0 } },
      { op: 'Conv', inputs: ['y3', 'c4.w'], outputs: ['y4'], name: 'conv4', attrs: { pads: [1, 1, 1, 1] } },
      { op: 'ConvTranspose', inputs: ['y4', 'ct.w'], outputs: ['out'], name: 'deconv' },
    ],
    initializers: [
      { name: 'c1.w', dims: [4, 3, 3, 3], data: c1, dtype: 'float16' },
      { name: 'c3.w', dims: [2, 4, 5, 5], data: c3 },
      { name: 'c4.q', dims: [4, 2, 3, 3], data: q, dtype: 'int8' },
      { name: 'c4.s', dims: [4], data: scale },
      { name: 'c4.z', dims: [4], data: zp, dtype: 'int8' },
      { name: 'ct.w', dims: [4, 2, 3, 3], data: halves(72, 5) },
    ],
  });
}

t.test('filterReport(model) reads 3×3 Conv weights of every storage kind, in graph order, with the reference figures', async (t) => {
  const r = await filterReport(decodeModel(storageModel(), 's.onnx'), { path: 's.onnx', sha256: 'abc' });
  t.same(r.layers.map((l) => [l.name, l.dtype, l.depth]), [['c1.w', 'float16', 0], ['c2.w', 'float32', 0.5], ['c4.q', 'int8', 1]],
    '5×5 and ConvTranspose left out (torchconvquality takes Conv2d 3×3 only)');
  const expected = [[c1, [4, 3, 3, 3]], [c2, [4, 4, 3, 3]], [deq, [4, 2, 3, 3]]] as const;
  for (const [i, [w, dims]] of expected.entries()) {
    const ref = referenceQuality(w, [...dims]);
    for (const key of Object.keys(ref) as (keyof typeof ref)[]) {
      t.ok(Math.abs(r.layers[i]![key] - ref[key]) <= 1e-12 * Math.max(1, Math.abs(ref[key])), `${r.layers[i]!.name} ${key}`);
    }
  }
  t.match(r.firstLayer, { name: 'c1.w', op: 'Conv', kernel: [3, 3], inDim: 27, rank: 4, windowNullity: 23 });
  t.equal(r.firstLayer!.metrics!.orthogonality, r.layers[0]!.orthogonality);
  t.same(r.settings, { eps: 0.01, kernels: '3x3' });
  t.equal(r.summary.layers, 3);
  t.same([r.summary.byDepth.early.layers, r.summary.byDepth.middle.layers, r.summary.byDepth.late.layers], [1, 1, 1]);
  t.ok(Math.abs(r.summary.mean.orthogonality! - (r.layers[0]!.orthogonality + r.layers[1]!.orthogonality + r.layers[2]!.orthogonality) / 3) < 1e-15);
  t.equal(r.summary.byDepth.late.sparsity, r.layers[2]!.sparsity);
});

t.test('filterReport(model, {kernels}) takes other kernel sizes on request, and eps moves the sparsity threshold', async (t) => {
  const model = decodeModel(storageModel(), 's.onnx');
  const all = await filterReport(model, { path: 's.onnx', sha256: '-', kernels: 'all' });
  t.same(all.layers.map((l) => l.name), ['c1.w', 'c2.w', 'c3.w', 'c4.q']);
  t.same(all.layers[2]!.kernel, [5, 5]);
  const five = await filterReport(model, { path: 's.onnx', sha256: '-', kernels: '5x5' });
  t.same(five.layers.map((l) => l.name), ['c3.w']);
  const loose = await filterReport(model, { path: 's.onnx', sha256: '-', eps: 0.9 });
  t.ok(loose.layers.some((l) => l.sparsity > 0), 'eps 0.9 makes filters sparse');
  t.same(loose.layers.map((l) => l.sparsity), loose.layers.map((l, i) => referenceQuality(i === 2 ? deq : i === 1 ? c2 : c1, l.shape, 0.9).sparsity));
  await t.rejects(filterReport(model, { path: 's.onnx', sha256: '-', eps: -1 }), /Expected a finite non-negative number for --eps but received -1/);
  t.throws(() => kernelFilter('3by3'), /Expected "all" or kernel sizes like "3x3" or "3x3,5x5" for --kernels but received "3by3"/);
  t.ok(kernelFilter('3x3,5x5')(5, 5) && !kernelFilter('3x3')(5, 5));
});

t.test('filterTable and filterComparison render every layer and the first layer beside its nullity', async (t) => {
  const r = await filterReport(decodeModel(storageModel(), 's.onnx'), { path: 's.onnx', sha256: 'abc' });
  const text = filterTable(r);
  for (const n of ['c1.w', 'c2.w', 'c4.q']) t.match(text, n);
  t.match(text, /first layer Conv c1\.w \(3×3\): window nullity 23 of 27 \(rank 4\)/);
  const md = filterComparison([r, r], true);
  t.match(md, /^\| model \| layers \|/);
  t.equal(md.split('\n').length, 4);
});
