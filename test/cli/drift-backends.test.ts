// drift --backends: channel (b), float32, once per backend side by side (wasm and native here;
// webgpu joins where a GPU or SwiftShader is present, but its shader compiles are too slow for
// the suite on a CPU emulation). The float64 channels are unchanged; the CSV gains a backend column.
import t from 'tap';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as drift from '../../src/cli/drift.js';
import type { DriftReport } from '../../src/verify/records.js';
import { png, tinyImage, tinyModel } from '../verify/models.js';
import { runCommand } from './harness.js';

const require = createRequire(import.meta.url);
let skip: string | false = false;
try { require.resolve('onnxruntime-node'); } catch { skip = 'onnxruntime-node (optional dependency) is not installed'; }

const dir = mkdtempSync(join(tmpdir(), 'ns-drift-backends-'));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyModel());
writeFileSync(join(dir, 'x.png'), png(tinyImage(), 8));

t.test('drift --backends wasm,native: one float32 row per backend and α, both near the float64 truth', { skip }, async (t) => {
  const out = join(dir, 'out');
  const r = await runCommand(drift, ['drift', model, join(dir, 'x.png'), '--alphas', '1e-2,1', '--out', out, '--json', '--no-profile', '--backends', 'wasm,native']);
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as DriftReport;
  const f32 = report.rows.filter((row) => row.channel === 'float32');
  t.same(f32.map((row) => [row.alpha, row.backend]), [[1e-2, 'wasm'], [1e-2, 'native'], [1, 'wasm'], [1, 'native']]);
  t.equal(report.rows.filter((row) => row.channel !== 'float32' && row.backend !== undefined).length, 0, 'the float64 channels carry no backend');
  for (const row of f32) {
    // a float64-exact collision stays within float32 rounding on every CPU backend
    t.ok(row.outputDeviation >= 0 && row.outputDeviation < 1e-4, `(b) ${row.backend} at α=${row.alpha}: ${row.outputDeviation}`);
  }
  t.ok(f32.some((row) => row.outputDeviation > 0), 'float32 rounding shows somewhere (the rows are measured, not copied from channel a)');
  const settings = report.settings as { backend: string; backends: { float32: { name: string; executionProvider: string }[]; f64: { name: string } } };
  t.equal(settings.backend, 'wasm');
  t.same(settings.backends.float32.map((b) => [b.name, b.executionProvider]), [['wasm', 'wasm'], ['native', 'cpu']]);
  t.equal(settings.backends.f64.name, 'wasm');
  const csv = readFileSync(join(out, 'drift.csv'), 'utf8').trim().split('\n');
  t.equal(csv[0], 'alpha,channel,letter,first_layer_rel_dev,output_rel_dev,prediction_agreement,input_rms,backend');
  t.ok(csv.slice(1).some((l) => l.endsWith(',native')), 'CSV rows name their backend');
});

t.test('drift --backends with an unknown name: one line listing the valid ones, exit 1', async (t) => {
  const r = await runCommand(drift, ['drift', model, join(dir, 'x.png'), '--out', join(dir, 'bad'), '--backends', 'wasm,cuda']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^nullspace: Expected one of wasm, webgpu, native for backend but received "cuda" of type string\n$/);
});
