import t from 'tap';
import { parseAlphas, runDrift, storeAsPixels } from '../../src/verify/drift.js';
import { driftCsv, driftText, profileText } from '../../src/verify/table.js';
import { fakeDirections, fakeImage, fakeRunner } from './fake-model.js';

t.test('parseAlphas reads lo:hi:n log-spaced (inclusive) and comma lists, and rejects the rest', (t) => {
  const a = parseAlphas('1e-3:1e3:13');
  t.equal(a.length, 13);
  t.same([a[0], a[2], a[6], a[12]], [1e-3, 1e-2, 1, 1e3], 'whole decades are exact');
  t.ok(Math.abs(a[1]! - Math.sqrt(10) * 1e-3) < 1e-15);
  t.equal(parseAlphas('1e-4:1:5')[0], 1e-4);
  t.same(parseAlphas('0.5, 2'), [0.5, 2]);
  t.same(parseAlphas('3:3:1'), [3]);
  t.throws(() => parseAlphas('0:1:3'), /^Expected lo:hi:n with 0 < lo ≤ hi and 1 ≤ n ≤ 1000 for alphas but received "0:1:3"/);
  t.throws(() => parseAlphas('1,-2'), /^Expected positive numbers separated by commas, or lo:hi:n for alphas/);
  t.end();
});

t.test('storeAsPixels rounds to the k/(2^bits − 1) grid in pixel space, or clips to [0, 1] without bits', (t) => {
  // two channels, mean 0.5 / std 0.5 and mean 0 / std 1
  const xm = Float64Array.from([-3, 0.1234567, 0.3, 2]);
  const clip = storeAsPixels(xm, [0.5, 0], [0.5, 1]);
  t.equal(clip[0], -1);
  t.ok(Math.abs(clip[1]! - 0.1234567) < 1e-15, 'values inside the box pass unchanged (up to the affine round trip)');
  t.same([clip[2], clip[3]], [0.3, 1]);
  const q8 = storeAsPixels(xm, [0.5, 0], [0.5, 1], 8);
  // pixel of entry 1: 0.1234567·0.5 + 0.5 = 0.56172835 → 143/255
  t.ok(Math.abs(q8[1]! - ((143 / 255 - 0.5) / 0.5)) < 1e-15);
  t.ok(Math.abs(q8[2]! - 77 / 255) < 1e-15); // 0.3·255 = 76.5 rounds half up
  // rounding alone does not clip: pixel −1 and 2 stay on the extended grid
  t.equal(q8[0], -3);
  t.equal(q8[3], 2);
  const q16 = storeAsPixels(xm, [0.5, 0], [0.5, 1], 16);
  t.ok(Math.abs(q16[2]! - Math.round(0.3 * 65535) / 65535) < 1e-15);
  t.end();
});

t.test('runDrift: (a) stays exact at every α, (d) lies far above (c), (f) is no collision', async (t) => {
  const x = fakeImage();
  const { delta, patch } = fakeDirections();
  const alphas = parseAlphas('1e-4:1:5');
  let calls = 0;
  const { rows, profile } = await runDrift(fakeRunner(true), { x, delta, patchDelta: patch, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], alphas, onAlpha: () => calls++ });
  t.equal(calls, 5);
  t.equal(rows.length, 5 * 6);
  const at = (ch: string) => rows.filter((r) => r.channel === ch);
  for (const r of at('exact-f64')) {
    t.ok(r.firstLayerDeviation <= 1e-12, `(a) first layer at α=${r.alpha}: ${r.firstLayerDeviation}`);
    t.ok(r.outputDeviation <= 1e-12, `(a) output at α=${r.alpha}`);
    t.equal(r.predictionAgreement, 1);
    t.ok(Math.abs(r.inputRms - r.alpha) < 1e-12 * r.alpha, 'δ is rescaled to unit pixel RMS: input RMS = α');
  }
  const c = at('png16'), d = at('png8');
  // a perturbation far below half an 8-bit step (1e-4 pixel RMS vs 1/510) rounds back to x itself
  t.equal(d[0]!.firstLayerDeviation, 0, '8-bit storage of a tiny perturbation gives x back');
  t.ok(c[0]!.firstLayerDeviation > 0, '16-bit storage keeps (some of) it');
  // once the perturbation exceeds an 8-bit step, 8-bit rounding is ~257× coarser than 16-bit
  for (let i = 2; i < alphas.length; i++) t.ok(d[i]!.firstLayerDeviation > 20 * c[i]!.firstLayerDeviation, `(d) ≫ (c) at α=${alphas[i]}: ${d[i]!.firstLayerDeviation} vs ${c[i]!.firstLayerDeviation}`);
  for (const r of at('patch')) t.ok(r.firstLayerDeviation > 1e-4, `(f) at α=${r.alpha} is no collision`);
  // clipping bites only once x′ leaves the box
  t.ok(at('clipped')[0]!.firstLayerDeviation <= 1e-12);
  t.ok(at('clipped')[4]!.firstLayerDeviation > 1e-3);
  // the profile runs at the α closest to 1 and covers each exposed layer
  t.equal(profile!.alpha, 1);
  t.same(profile!.layers.map((l) => l.name), ['first', 'logits']);
  t.ok(profile!.layers[0]!.f64 <= 1e-12);
  t.ok(profile!.layers[0]!.f32 > profile!.layers[0]!.f64, 'float32 loses exactness at the first layer');
  t.end();
});

t.test('driftCsv / driftText / profileText format every row', async (t) => {
  const { delta, patch } = fakeDirections();
  const { rows, profile } = await runDrift(fakeRunner(true), { x: fakeImage(), delta, patchDelta: patch, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], alphas: [0.01, 1] });
  const csv = driftCsv(rows).trim().split('\n');
  t.equal(csv[0], 'alpha,channel,letter,first_layer_rel_dev,output_rel_dev,prediction_agreement,input_rms');
  t.equal(csv.length, 1 + 12);
  t.match(csv[1]!, /^0\.01,exact-f64,a,[0-9.e-]+,[0-9.e-]+,1,0\.0099999/);
  t.equal(Number(csv[2]!.split(',')[3]), rows[1]!.firstLayerDeviation, 'CSV numbers round-trip');
  const text = driftText(rows);
  t.match(text, /\(d\) 8-bit PNG grid/);
  t.equal(text.split('\n').length, 13);
  t.match(profileText(profile!), /first\s+Gemm/);
  t.end();
});

t.test('runDrift rejects mismatched δ and channel statistics', async (t) => {
  const x = fakeImage();
  await t.rejects(runDrift(fakeRunner(), { x, delta: new Float64Array(3), mean: [0.5], std: [0.5], alphas: [1] }), /δ has 3 values but x has 12/);
  await t.rejects(runDrift(fakeRunner(), { x, delta: new Float64Array(12), mean: [0.5], std: [0.5], alphas: [1] }), /perturbation direction is zero/);
  await t.rejects(runDrift(fakeRunner(), { x, delta: new Float64Array(12).fill(1), mean: [0.5, 0.5], std: [0.5], alphas: [1] }), /one value per model channel/);
  t.end();
});
