// `nullspace grad`: grad.npy against a central difference of the same scalar in pixel space (so the
// pixel ↔ model mapping is checked too), the heat map, the report, and the bad-input messages.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grad from '../../src/cli/grad.js';
import { readNpy } from '../../src/image/npy.js';
import { decodePng } from '../../src/image/png.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { rng } from '../../src/linalg/random.js';
import { createSession } from '../../src/runtime/session.js';
import { png, smoothImage, tinyImage, tinyModel, VIT, vitModel } from '../verify/models.js';
import { createRequire } from 'node:module';
import { runCommand } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-grad-'));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyModel());
const x = tinyImage();
writeFileSync(join(dir, 'x.png'), png(x, 8));
const paddle = { mean: 0.5, std: 0.5, channels: 3 as const };

const vit = join(dir, 'vit.onnx');
writeFileSync(vit, vitModel());
const xv = smoothImage(VIT);
writeFileSync(join(dir, 'xv.png'), png(xv, 8));

t.test('grad MODEL IMAGE --out DIR: grad.npy is ∂(top-1 margin)/∂pixel (central differences, a smooth model), grad.png a heat map', async (t) => {
  const out = join(dir, 'g');
  const r = await runCommand(grad, ['grad', vit, join(dir, 'xv.png'), '--preset', 'paddle', '--out', out, '--json']);
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.equal(doc.scalar.kind, 'margin');
  t.match(doc.model.sha256, /^[0-9a-f]{64}$/);
  t.same(doc.backend, { name: 'wasm', executionProvider: 'wasm', placement: { source: 'single provider', providers: [{ provider: 'CPUExecutionProvider', count: null }], cpuFallback: [] } }, 'the report names backend, provider and placement');
  const g = readNpy(readFileSync(join(out, 'grad.npy')));
  t.same(g.shape, [VIT, VIT, 3]);
  t.equal(g.dtype, '<f8');
  // the same scalar by central differences along a random pixel direction
  const s = await createSession(vitModel(), { precision: 'f64' });
  const margin = async (img: typeof x) => {
    const y = (await s.run({ x: { data: toModelTensor(img, paddle), dims: [1, 3, VIT, VIT] } })).logits!.data as Float64Array;
    return y[doc.scalar.index]! - y[doc.scalar.runnerUp]!;
  };
  const gen = rng(4);
  const v = Float64Array.from(xv.data, () => gen.normal());
  const h = 1e-5;
  const fd = (await margin({ ...xv, data: xv.data.map((p, i) => p + h * v[i]!) }) - await margin({ ...xv, data: xv.data.map((p, i) => p - h * v[i]!) })) / (2 * h);
  let dot = 0;
  const data = g.data as Float64Array;
  for (let i = 0; i < data.length; i++) dot += data[i]! * v[i]!;
  t.ok(Math.abs(dot - fd) <= 1e-8 * Math.abs(fd) && Math.abs(fd) > 1e-3, `⟨grad, v⟩ ${dot} vs central difference ${fd}`);
  await s.release();
  const heat = decodePng(readFileSync(join(out, 'grad.png')));
  t.same([heat.width, heat.height, heat.channels], [VIT, VIT, 3]);
  t.ok(existsSync(join(out, 'grad.json')));
  const text = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--preset', 'paddle', '--out', join(dir, 'g2'), '--output', 'logits', '--class', '2', '--precision', 'f32']);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /^logits: y\[2\] = .* \(f32\) → /);
});

t.test('grad refuses bad input with one line: unknown tensor, class out of range, precision', async (t) => {
  const bad = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--out', join(dir, 'b'), '--output', 'nope']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /no node produces "nope"/);
  const cls = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--out', join(dir, 'b'), '--class', '3']);
  t.equal(cls.code, 1);
  t.match(cls.stderr, /Expected an integer between 0 and 2 for class but received 3/);
  const neg = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--out', join(dir, 'b'), '--class', '-1']);
  t.match(neg.stderr, /Expected a non-negative integer for --class but received -1/);
  const prec = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--out', join(dir, 'b'), '--precision', 'f16']);
  t.equal(prec.code, 1);
  t.match(prec.stderr, /Expected one of f32, f64 for --precision but received "f16"/);
  const gpu = await runCommand(grad, ['grad', model, join(dir, 'x.png'), '--out', join(dir, 'b'), '--backend', 'webgpu']);
  t.equal(gpu.code, 1);
  t.match(gpu.stderr, /float64 runs on the wasm and native backends only, not on webgpu/, 'the default float64 refused on webgpu, before anything loads');
  t.notOk(existsSync(join(dir, 'b', 'grad.npy')), 'nothing written');
});

const noNative = (() => { try { createRequire(import.meta.url).resolve('onnxruntime-node'); return false; } catch { return 'onnxruntime-node (optional dependency) is not installed'; } })();

t.test('grad --backend native: the report names it, and the float64 gradient equals the wasm one', { skip: noNative }, async (t) => {
  const run = (backend: string) => runCommand(grad, ['grad', vit, join(dir, 'xv.png'), '--preset', 'paddle', '--out', join(dir, `g-${backend}`), '--json', '--backend', backend]);
  const [n, w] = [await run('native'), await run('wasm')];
  t.equal(n.code, 0, n.stderr);
  const [dn, dw] = [JSON.parse(n.stdout), JSON.parse(w.stdout)];
  t.equal(dn.settings.backend, 'native');
  t.same([dn.backend.name, dn.backend.executionProvider, dn.backend.placement.source], ['native', 'cpu', 'single provider']);
  const [gn, gw] = [readNpy(readFileSync(dn.files.npy)).data as Float64Array, readNpy(readFileSync(dw.files.npy)).data as Float64Array];
  let diff = 0, norm = 0;
  for (let i = 0; i < gw.length; i++) { diff = Math.max(diff, Math.abs(gn[i]! - gw[i]!)); norm = Math.max(norm, Math.abs(gw[i]!)); }
  t.ok(diff <= 1e-12 * norm, `native vs wasm: max difference ${diff.toExponential(2)} of max ${norm.toExponential(2)}`);
});
