import t from 'tap';
import { firstLayerForward } from '../../src/verify/first-layer.js';
import { roundingExplanation } from '../../src/verify/rounding.js';
import { createVerifier } from '../../src/verify/verify.js';
import { convOperator } from '../../src/linalg/conv.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';
import type { LinearOperator } from '../../src/linalg/operator.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';
import type { VerifyRunner } from '../../src/verify/verify.js';
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

t.test('createVerifier: a 16-bit PNG whose whole difference is its rounding is storage-close; more than rounding, 8-bit storage or a moved prediction is not', async (t) => {
  const h = rng(21);
  const m = 6, n = 24;
  const W = Float64Array.from({ length: m * n }, () => h.normal());
  const op = denseOperator(W, m, n);
  const toModel = (p: ArrayLike<number>) => Float64Array.from(p, (v) => (v - 0.5) / 0.5);
  const x0 = Float64Array.from({ length: n }, () => Math.round((0.2 + 0.6 * h.uniform()) * 255) / 255);
  const y0 = op.apply(toModel(x0));
  // outputs so sensitive that 16-bit rounding shows far past 1e-5: o = A(x − x0) + u, top-1 class 0
  const runnerWith = (u: number[]): VerifyRunner => {
    const out = (x: ArrayLike<number>, r: (v: number) => number) => {
      const y = op.apply(Float64Array.from(x));
      return { logits: { dims: [1, m], data: Array.from(y, (v, i) => r(v - y0[i]! + u[i]!)) } };
    };
    return {
      run64: async (x) => out(x, (v) => v), run32: async (x) => out(x, Math.fround),
      firstLayer: { inputLength: n, f64: (x) => op.apply(Float64Array.from(x)), f32: (x) => Float32Array.from(op.apply(Float64Array.from(x))) },
      op,
    };
  };
  // δ ∈ ker(A) by projecting noise off A's row space (twice), x′ = x0 + δ at pixel RMS 0.02
  const rows = Array.from({ length: m }, (_, i) => Array.from(W.subarray(i * n, (i + 1) * n)));
  const q: number[][] = [];
  for (const r of rows) {
    const v = r.slice();
    for (const p of q) { const d = p.reduce((s, a, j) => s + a * v[j]!, 0); for (let j = 0; j < n; j++) v[j]! -= d * p[j]!; }
    const nv = Math.hypot(...v); q.push(v.map((a) => a / nv));
  }
  const d = Array.from({ length: n }, () => h.normal());
  for (let pass = 0; pass < 2; pass++) for (const p of q) { const s = p.reduce((a, b, j) => a + b * d[j]!, 0); for (let j = 0; j < n; j++) d[j]! -= s * p[j]!; }
  const k = 0.02 / Math.sqrt(d.reduce((s, v) => s + v * v, 0) / n);
  const xp = x0.map((v, i) => v + k * d[i]!);
  const grid = (a: ArrayLike<number>, levels: number) => Float64Array.from(a, (v) => Math.round(v * levels) / levels);
  const png16 = toModel(grid(xp, 65535));
  const png8 = toModel(grid(xp, 255));
  const noisy = toModel(grid(xp.map((v) => v + (20 / 65535) * h.normal()), 65535));
  const v = await createVerifier(runnerWith([0.01, 0, 0, 0, 0, 0]), toModel(x0), { precision: 'both', std: [0.5] });
  const r16 = await v.check({ source: 'x16.png', x: png16, pngBitDepth: 16 }, 0);
  t.ok(r16.f32!.worstRelative > 1e-4 && r16.rounding!.explained > 0.5, `past float32's tolerance (${r16.f32!.worstRelative}), explained by rounding (${r16.rounding!.explained})`);
  t.same([r16.verdict, r16.collides, r16.featureCollision], ['storage-close', true, true]);
  const r8 = await v.check({ source: 'x8.png', x: png8, pngBitDepth: 8 }, 1);
  t.same([r8.verdict, r8.collides, r8.rounding!.explained > 0.5], ['differs', false, true], '8-bit: explained, yet not a collision');
  const rn = await v.check({ source: 'noisy.png', x: noisy, pngBitDepth: 16 }, 2);
  t.same([rn.verdict, rn.collides], ['differs', false], `20 steps of noise: ratio ${rn.rounding!.explained}`);
  t.ok(rn.rounding!.explained < 0.2);
  const vf64 = await createVerifier(runnerWith([0.01, 0, 0, 0, 0, 0]), toModel(x0), { precision: 'f64', std: [0.5] });
  t.same([(await vf64.check({ source: 'x16.png', x: png16, pngBitDepth: 16 }, 0)).collides], [false], 'f64 asks for exact');
  // a near-tie of classes 0 and 1: the same rounding moves the prediction
  const vt = await createVerifier(runnerWith([1e-7, 0, 0, 0, 0, 0]), toModel(x0), { precision: 'both', std: [0.5] });
  const rt = await vt.check({ source: 'x16.png', x: png16, pngBitDepth: 16 }, 0);
  t.same([rt.f32!.outputs[0]!.top1! < 1, rt.rounding!.explained > 0.5, rt.verdict], [true, true, 'differs']);
  t.end();
});
