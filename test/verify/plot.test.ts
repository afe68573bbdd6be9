import t from 'tap';
import { PNG } from 'pngjs';
import { driftSvg, powerOfTen, svgToPng, wrap, zeroLevel } from '../../src/verify/plot.js';
import { runDrift } from '../../src/verify/drift.js';
import { fakeDirections, fakeImage, fakeRunner } from './fake-model.js';

t.test('powerOfTen writes decades with superscripts', (t) => {
  t.equal(powerOfTen(1e-3), '10⁻³');
  t.equal(powerOfTen(1), '1');
  t.equal(powerOfTen(10), '10');
  t.equal(powerOfTen(1e12), '10¹²');
  t.equal(powerOfTen(3e-5), '3e-5');
  t.end();
});

t.test('zeroLevel sits a decade below the smallest non-zero value, at most 1e-18; wrap splits at spaces', (t) => {
  t.equal(zeroLevel([0, 1e-3, 2e-7]), 1e-18);
  t.equal(zeroLevel([0, 3.4e-20, 1]), 1e-21);
  t.equal(zeroLevel([0]), 1e-18);
  t.same(wrap('aa bb cc dd', 5), ['aa bb', 'cc dd']);
  t.same(wrap('a verylongword b', 4), ['a', 'verylongword', 'b']);
  t.end();
});

t.test('driftSvg labels title, axes, epsilons, legend and profile; svgToPng renders it', async (t) => {
  const { delta, patch } = fakeDirections();
  const { rows, profile } = await runDrift(fakeRunner(true), { x: fakeImage(), delta, patchDelta: patch, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], alphas: [1e-3, 1e-1, 10] });
  const svg = driftSvg({ model: 'tiny.onnx', image: 'x.png', rows, profile, notes: ['a note'] });
  t.match(svg, /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.match(svg, /Exact feature collisions in practice — tiny\.onnx/);
  t.match(svg, /α — RMS of the perturbation in pixel units \(pixel range \[0, 1\]\)/);
  t.match(svg, /first-layer relative deviation/);
  t.match(svg, /output relative deviation/);
  t.match(svg, /float32 ε = 2⁻²³/);
  t.match(svg, /float64 ε = 2⁻⁵²/);
  for (const l of ['(a) exact δ, float64', '(b) float32 forward', '(c) 16-bit PNG grid', '(d) 8-bit PNG grid', '(e) clipped to [0, 1]', '(f) patch mode (paper)']) t.ok(svg.includes(l), `legend has ${l}`);
  t.match(svg, /C\. Layer-by-layer difference between x and x′ at α = 0\.100/);
  t.match(svg, /a note/);
  // (d) at α = 1e-3 is exactly 0 here, so the caption explains where zeros are drawn
  t.ok(rows.some((r) => r.firstLayerDeviation === 0));
  const zero = zeroLevel(rows.flatMap((r) => [r.firstLayerDeviation, r.outputDeviation]).concat(profile!.layers.flatMap((l) => [l.f32, l.f64])));
  t.match(svg, new RegExp(`exactly zero are drawn at ${powerOfTen(zero)}`));
  const png = svgToPng(svg, 1);
  const img = PNG.sync.read(Buffer.from(png));
  const w = Number(/width="(\d+)"/.exec(svg)![1]);
  t.equal(img.width, w);
  // not blank: some dark pixels (text, lines)
  let dark = 0;
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! < 100) dark++;
  t.ok(dark > 1000, `rendered ink: ${dark} dark pixels`);
  t.end();
});
