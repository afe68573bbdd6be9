// A ViT-shaped model (test/verify/models.ts: patch Conv, LayerNormalization, attention with
// Softmax, GELU via Erf) runs at float64 (Erf lowered, LayerNormalization native) and agrees with
// float32; `verify --precision f64` works on it.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as verify from '../../src/cli/verify.js';
import { createSession } from '../../src/runtime/session.js';
import { png, smoothImage, VIT, vitModel } from '../verify/models.js';
import { runCommand } from '../cli/harness.js';
import { relMax } from './reference.js';

t.test('createSession(f64) runs the ViT-shaped model; float32 agrees to 1e-5, a perturbed input does not', async (t) => {
  const bytes = vitModel();
  const s64 = await createSession(bytes, { precision: 'f64', expose: ['h3', 'ln1'] });
  const s32 = await createSession(bytes, { precision: 'f32', expose: ['h3', 'ln1'] });
  const img = smoothImage(VIT);
  const nchw = (d: Float64Array) => Float64Array.from({ length: 3 * VIT * VIT }, (_, i) => d[(i % (VIT * VIT)) * 3 + Math.floor(i / (VIT * VIT))]!);
  const x = nchw(img.data);
  const dims = [1, 3, VIT, VIT];
  const a = await s64.run({ x: { data: x, dims } });
  const b = await s32.run({ x: { data: x, dims } });
  t.equal(a.logits!.type, 'float64');
  for (const name of ['logits', 'h3', 'ln1']) {
    const r = relMax(a[name]!.data as Float64Array, b[name]!.data as Float32Array);
    t.ok(r <= 1e-5 && r > 0, `${name}: float64 vs float32 ${r.toExponential(1)}`);
  }
  const x2 = x.map((v, i) => v + 1e-3 * Math.sin(i));
  const c = await s64.run({ x: { data: x2, dims } });
  t.ok(relMax(c.logits!.data as Float64Array, a.logits!.data as Float64Array) > 1e-5, 'the comparison can fail: a perturbed input moves the logits');
  await s64.release();
  await s32.release();
});

t.test('verify --precision f64 on the ViT-shaped model: an image collides with itself exactly, a perturbed one does not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-vit-'));
  const model = join(dir, 'vit.onnx');
  writeFileSync(model, vitModel());
  const x = smoothImage(VIT);
  writeFileSync(join(dir, 'x.png'), png(x, 8));
  writeFileSync(join(dir, 'y.png'), png({ ...x, data: x.data.map((v, i) => (i % 7 ? v : 1 - v)) }, 8));
  const ok = await runCommand(verify, ['verify', model, join(dir, 'x.png'), join(dir, 'x.png'), '--precision', 'f64', '--json']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(JSON.parse(ok.stdout).candidates[0].verdict, 'exact');
  const bad = await runCommand(verify, ['verify', model, join(dir, 'x.png'), join(dir, 'y.png'), '--precision', 'f64', '--json']);
  t.equal(bad.code, 1);
  t.equal(JSON.parse(bad.stdout).candidates[0].verdict, 'differs');
});
