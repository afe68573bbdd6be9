// The stem through the CLI: collide's default on a model whose first layer is injective lands at the
// pool output (exit 0, the record says where and how exact); --at a tensor a branch bypasses is a
// usage error with the reason; a stem whose equality rows pin x exits 3 with the reason on stderr;
// inspect --image reports the level set's rows and dimension bound.
import t from 'tap';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { stemModel } from '../../src/stem/example.js';
import { encodePng } from '../../src/image/png.js';
import { boundImage } from '../collide/models.js';

const dir = mkdtempSync(join(tmpdir(), 'nullspace-stem-'));
const resnet = join(dir, 'resnet.onnx'); const bypass = join(dir, 'bypass.onnx'); const pinned = join(dir, 'pinned.onnx');
writeFileSync(resnet, stemModel({ h: 32, w: 32, outC: 32, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual' }));
writeFileSync(bypass, stemModel({ h: 32, w: 32, outC: 16, k: 7, stride: 2, pad: 3, pool: { k: 3, stride: 2, pad: 1 }, after: 'bypass' }));
writeFileSync(pinned, stemModel({ h: 16, w: 16, outC: 32, k: 3, stride: 1, pad: 1 }));
const photo = join(dir, 'photo.png'); const small = join(dir, 'small.png');
writeFileSync(photo, encodePng(boundImage('photo', 32, 32, 4), { bitDepth: 8 }));
writeFileSync(small, encodePng(boundImage('photo', 16, 16, 4), { bitDepth: 8 }));

t.test('collide (defaults) on a ResNet-style stem: exact at the pool output, written, exit 0', async (t) => {
  const out = join(dir, 'out');
  const r = await runCli(['collide', resnet, photo, '--out-dir', out, '--json']);
  const rec = JSON.parse(r.stdout.trim().split('\n')[0] ?? '{}');
  t.ok(r.code === 0 && rec.verdict === 'exact' && rec.method === 'stem' && rec.stem?.at === 'p' && rec.stem.residual.float64 <= 1e-12 &&
    rec.exact.psnr <= 40 && rec.stem.firstLayerChange > 1e-3 && readdirSync(out).length === 1,
  `exit ${r.code}, ${rec.verdict} at ${rec.stem?.at}, residual ${rec.stem?.residual?.float64}, PSNR ${rec.exact?.psnr}; ${r.stderr.trim().split('\n').pop()}`);
  // the stream (stdin → stdout) says on stderr where collisions are sought and what came of the image
  const st = await runCli(['collide', resnet], { input: readFileSync(photo) });
  t.ok(st.code === 0 && /collisions at the stem \(bn1 folded in\): a after relu1.*; p after pool1/.test(st.stderr) && st.stdout.length > 0, st.stderr);
});

t.test('--at a tensor a branch bypasses: one-line error, exit 1', async (t) => {
  const r = await runCli(['collide', bypass, photo, '--out-dir', join(dir, 'o2'), '--at', 'p']);
  t.equal(r.code, 1);
  t.match(r.stderr, /--at p: not a cut of the graph — output side is reached from the image without passing through p/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('equality rows that pin x: not written, the reason on stderr, exit 3', async (t) => {
  const r = await runCli(['collide', pinned, small, '--out-dir', join(dir, 'o3'), '--stem-iter', '50']);
  t.equal(r.code, 3);
  t.match(r.stderr, /not written: unmoved — the level set at a \(\d+ equality rows, \d+ pixels inside the box\)/);
});

t.test('inspect --image: equality rows, inequality rows and the dimension bound per tensor', async (t) => {
  const r = await runCli(['inspect', resnet, '--image', photo, '--json']);
  t.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).models[0].stem;
  const [a, p] = s.tensors;
  t.ok(a.tensor === 'a' && p.tensor === 'p' && a.cut && p.cut && p.equalities < a.equalities && p.dimensionBound > 0 &&
    p.dimensionBound === Math.max(0, p.interior - p.equalities - p.tight), JSON.stringify(s.tensors));
  const b = await runCli(['inspect', bypass, '--image', photo]);
  t.match(b.stdout, /p: not a cut — output side is reached/);
});

t.test('verify --layers on the stem collision (.npy): different up to the pool, identical from it on', async (t) => {
  const out = join(dir, 'o4');
  const c = await runCli(['collide', resnet, photo, '--out-dir', out, '--format', 'npy']);
  t.equal(c.code, 0, c.stderr);
  const v = await runCli(['verify', resnet, photo, join(out, 'photo.collide.npy'), '--layers', '--json']);
  t.equal(v.code, 0, v.stderr);
  const r = JSON.parse(v.stdout).candidates[0];
  const at = r.layers.findIndex((l: { name: string }) => l.name === 'p');
  const before = r.layers.slice(0, at); const after = r.layers.slice(at);
  t.ok(r.identicalFrom === 'p' && r.verdict === 'exact' && r.featureCollision && before.length === 3 &&
    before.every((l: { f64: number }) => l.f64 > 1e-3) && after.every((l: { f64: number }) => l.f64 <= 1e-12),
  JSON.stringify(r.layers.map((l: { name: string; f64: number }) => [l.name, l.f64])));
});

t.test('drift on a stem model: channel (a) is the stem collision — exact at the outputs up to its strength, not beyond; float32 flips counted', async (t) => {
  const r = await runCli(['drift', resnet, photo, '--out', join(dir, 'drift'), '--alphas', '0.005,0.3', '--json']);
  t.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  const a = d.rows.filter((row: { channel: string }) => row.channel === 'exact-f64');
  const dir_ = d.settings.direction;
  t.ok(dir_.method === 'stem' && dir_.at === 'p' && Number.isInteger(dir_.flips32) && dir_.residualAtL.float64 <= 1e-12 &&
    a.length === 2 && a[0].outputDeviation <= 1e-12 && a[0].firstLayerDeviation > 1e-4 && a[1].outputDeviation > 1e-6,
  JSON.stringify({ dir_, a }));
});
