import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { handler } from '../../src/cli/interactions.js';
import { writeNpy, readNpy } from '../../src/image/npy.js';
import { quadraticCase } from '../interactions/models.js';

function files(dir: string) {
  const c = quadraticCase(6, 8, 3, 3, 5);
  writeFileSync(join(dir, 'q.onnx'), c.bytes);
  writeFileSync(join(dir, 'x.npy'), writeNpy(c.x, [c.h, c.w, 1]));
  writeFileSync(join(dir, 'xp.npy'), writeNpy(c.x.map((v, i) => v + c.delta[i]!), [c.h, c.w, 1]));
  return c;
}

t.test('nullspace interactions --json prints the issue\'s fields and writes the matrices, report and heat maps', async (t) => {
  const dir = t.testdir({});
  const c = files(dir);
  const out = join(dir, 'ia');
  const r = await runCli(['interactions', join(dir, 'q.onnx'), join(dir, 'x.npy'), join(dir, 'xp.npy'), '--grid', '3', '--samples', '2', '--utility', 'logit', '--baseline', 'random', '--out', out, '--json']);
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ['shapley', 'vFull', 'vEmpty', 'meanAbsInteraction', 'evaluations', 'seconds', 'tool', 'model', 'settings', 'baselineRandom']) t.ok(k in j, k);
  t.equal(j.shapley.length, 9, 'grid² Shapley values');
  t.match(j.model.sha256, /^[0-9a-f]{64}$/);
  t.match(j.settings, { grid: 3, samples: 2, seed: 0, utility: 'logit', precision: 'f32', baseline: 'random' });
  const sum = j.shapley.reduce((a: number, b: number) => a + b, 0);
  t.ok(Math.abs(sum - (j.vFull - j.vEmpty)) < 1e-12 * Math.max(1, Math.abs(j.vFull)), 'efficiency');
  t.ok(Math.abs(j.baselineRandom.deltaL2 - j.deltaL2) < 1e-12 * j.deltaL2, 'the random δ has the same norm');
  const m = readNpy(new Uint8Array(readFileSync(join(out, 'interactions.npy'))));
  t.same(m.shape, [9, 9]);
  const scale = c.interaction.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < 81; i++) worst = Math.max(worst, Math.abs(m.data[i]! - c.interaction[i]!) / scale);
  t.ok(worst < 1e-4, `interactions.npy holds the exact quadratic interactions (float32 run): ${worst.toExponential(2)}`);
  t.same(readNpy(new Uint8Array(readFileSync(join(out, 'shapley.npy')))).shape, [3, 3]);
  for (const f of ['interactions-se.npy', 'random-interactions.npy', 'random-shapley.npy', 'interactions.json', 'interactions.svg']) t.ok(readFileSync(join(out, f)).length > 0, f);
  t.same([...readFileSync(join(out, 'interactions.png')).subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG heat map');
});

t.test('nullspace interactions prints a text table without --json', async (t) => {
  const dir = t.testdir({});
  files(dir);
  const r = await runCli(['interactions', join(dir, 'q.onnx'), join(dir, 'x.npy'), join(dir, 'xp.npy'), '--grid', '2', '--samples', '1', '--utility', 'logit', '--out', join(dir, 'o')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /q\.onnx: 2×2 units, 1 samples per pair, utility logit of class 0/);
  t.match(r.stdout, /efficiency: Σφ = /);
});

t.test('nullspace interactions refuses bad flags and mismatched images: one line, exit 1', async (t) => {
  const dir = t.testdir({});
  files(dir);
  writeFileSync(join(dir, 'small.npy'), writeNpy(new Float64Array(4 * 4), [4, 4, 1]));
  const q = join(dir, 'q.onnx'), x = join(dir, 'x.npy'), xp = join(dir, 'xp.npy');
  // the process: one message line on stderr, exit code 1, nothing on stdout
  const r = await runCli(['interactions', q, x, join(dir, 'small.npy'), '--out', join(dir, 'o')]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^nullspace: .*small\.npy: image is 4×4 but the original is 6×8\n$/);
  t.equal(r.stdout, '');
  // the handler's checks, in process (spawning a process per case costs seconds each)
  const base = { model: q, original: x, perturbed: xp, grid: 3, samples: 1, seed: 0, utility: 'logit', precision: 'f32', batch: 8, baseline: 'none', out: join(dir, 'o') };
  const bad = [
    [{ grid: 0 }, /Expected an integer between 1 and 64 for --grid but received 0/],
    [{ samples: 1.5 }, /Expected an integer between 1 and 1000000 for --samples but received 1\.5/],
    [{ utility: 'accuracy' }, /Expected one of margin, logit, loss for --utility but received "accuracy"/],
    [{ baseline: 'zero' }, /Expected one of none, random for --baseline but received "zero"/],
    [{ precision: 'f16' }, /Expected one of f32, f64 for --precision but received "f16"/],
    [{ batch: 0 }, /Expected an integer between 1 and 4096 for --batch but received 0/],
    [{ perturbed: join(dir, 'none.npy') }, /none\.npy: no such file or directory/],
    [{ size: '5x8' }, /x\.npy: image is 6×8 but --size is 5×8; interactions work at model resolution/],
  ] as const;
  for (const [over, msg] of bad) await t.rejects(handler({ ...base, ...over, _: [], $0: 'nullspace' }), msg, JSON.stringify(over));
});
