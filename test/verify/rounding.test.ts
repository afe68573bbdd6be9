import t from 'tap';
import { firstLayerForward } from '../../src/verify/first-layer.js';
import { roundingExplanation } from '../../src/verify/rounding.js';
import { createVerifier } from '../../src/verify/verify.js';
import { convOperator } from '../../src/linalg/conv.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';
import type { LinearOperator } from '../../src/linalg/operator.js';
import { fakeRunner, fakeDirections, fakeImage } from './fake-model.js';

const g = rng(9);
const geom = convGeometry({ c: 2, h: 5, w: 6, outC: 3, kh: 3, kw: 3, sh: 2, sw: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 0 });
const weight = Float64Array.from({ length: 3 * 2 * 9 }, () => g.normal());
const bias = Float64Array.from([0.5, -1, 2]);

/** Naive ONNX Conv (batch 1, one group) as the reference. */
function naiveConv(x: ArrayLike<number>): number[] {
  const oh = Math.floor((5 + 2 - 3) / 2) + 1, ow = Math.floor((6 + 1 - 3) / 1) + 1;
  const y: number[] = [];
  for (let o = 0; o < 3; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let s = bias[o]!;
    for (let c = 0; c < 2; c++) for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) {
      const r = i * 2 - 1 + u, q = j - 1 + v;
      if (r >= 0 && r < 5 && q >= 0 && q < 6) s += weight[((o * 2 + c) * 3 + u) * 3 + v]! * x[(c * 5 + r) * 6 + q]!;
    }
    y.push(s);
  }
  return y;
}

t.test('firstLayerForward(conv).f64 matches a naive convolution; f32 is within float32 rounding', (t) => {
  const fl = firstLayerForward({ kind: 'conv', weight, geometry: geom, bias });
  const x = Float64Array.from({ length: 60 }, () => g.normal());
  const ref = naiveConv(x);
  const y = fl.f64(x);
  t.equal(fl.inputLength, 60);
  t.equal(y.length, ref.length);
  t.ok(ref.every((v, i) => Math.abs(v - y[i]!) <= 1e-13 * (1 + Math.abs(v))), 'float64 agrees to 1e-13');
  const y32 = fl.f32(Float32Array.from(x));
  t.ok(y32 instanceof Float32Array);
  t.ok(ref.every((v, i) => Math.abs(v - y32[i]!) <= 1e-5 * (1 + Math.abs(v))), 'float32 agrees to 1e-5');
  t.end();
});

t.test('firstLayerForward(dense) is W x + b', (t) => {
  const W = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const fl = firstLayerForward({ kind: 'dense', weight: W, m: 2, n: 3, c: 3, h: 1, w: 1, bias: Float64Array.from([10, 20]) });
  t.same(Array.from(fl.f64(Float64Array.from([1, 0, -1]))), [1 - 3 + 10, 4 - 6 + 20]);
  t.same(Array.from(fl.f32(Float32Array.from([1, 1, 1]))), [16, 35]);
  t.end();
});

t.test('roundingExplanation: ratio ≈ 1 for a pure rounding error, ≪ 1 for a larger change, 1 for no change', (t) => {
  const op: LinearOperator = convOperator(weight, geom);
  const x = Float64Array.from({ length: 60 }, () => Math.round(g.uniform() * 255) / 255);
  const std = [0.5, 0.25];
  // c = x + a rounding error of one 16-bit step (uniform ±q/2 in pixels, ÷ std in model units)
  const q = 1 / 65535;
  const c = x.map((v, i) => v + ((g.uniform() - 0.5) * q) / std[Math.floor(i / 30)]!);
  const r = roundingExplanation(op, x, c, 16, std, { draws: 16 });
  t.ok(r.explained > 0.7 && r.explained < 1.4, `ratio ${r.explained}`);
  t.equal(r.draws, 16);
  const far = roundingExplanation(op, x, x.map((v) => v + 0.01 * g.normal()), 16, std);
  t.ok(far.explained < 0.05, `ratio ${far.explained}`);
  const same = roundingExplanation(op, x, x.slice(), 8, std);
  t.equal(same.response, 0);
  t.equal(same.explained, 1);
  t.throws(() => roundingExplanation(op, x, new Float64Array(3), 8, std), /expected images of 60 values, got 60 and 3/);
  t.throws(() => roundingExplanation(op, x, x, 8, [1, 1, 1, 1, 1, 1, 1]), /60 values do not split into 7 channels/);
  t.end();
});

t.test('createVerifier checks sizes and gives verdicts from the runs it was asked for', async (t) => {
  const runner = fakeRunner();
  const x = fakeImage();
  const { delta } = fakeDirections();
  const v = await createVerifier(runner, x, { precision: 'both', std: [0.5, 0.5, 0.5] });
  const exact = await v.check({ source: 'a', x: x.map((u, i) => u + 0.01 * delta[i]!) }, 0);
  t.equal(exact.verdict, 'exact');
  t.ok(exact.f32 && exact.f64);
  const v32 = await createVerifier(runner, x, { precision: 'f32', std: [0.5, 0.5, 0.5] });
  const r32 = await v32.check({ source: 'a', x: x.map((u, i) => u + 0.01 * delta[i]!) }, 0);
  t.equal(r32.f64, undefined);
  t.not(r32.verdict, 'exact', 'f32 alone cannot prove exactness');
  t.equal(r32.collides, true);
  await t.rejects(v.check({ source: 'b.png', x: new Float64Array(5) }, 1), /b\.png: the candidate has 5 values but the model input has 12/);
  await t.rejects(createVerifier(runner, new Float64Array(4), { precision: 'both', std: [1] }), /the original has 4 values but the model input has 12/);
  t.end();
});
