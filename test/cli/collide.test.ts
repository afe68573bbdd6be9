// `nullspace collide` end to end (spawned through tsx): the PNG stream on stdin/stdout, files and
// folders, reports, the exit codes and every bad-input path. Uses test/helpers/cli.ts for text
// output and a binary variant here for PNG streams.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { encodePng, decodePng } from '../../src/image/png.js';
import { splitPngs } from '../../src/image/png-split.js';
import { npyToImage } from '../../src/image/image-npy.js';
import { boundImage, convModel, dynamicConvModel, testImage } from '../collide/models.js';

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));

/** Runs the CLI with binary stdin/stdout. */
function runBinary(args: string[], input: Uint8Array): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', entry, ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      // killed (signal, timeout, maxBuffer): no exit code at all, so -1, never a code a test could expect
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString('utf8') });
    });
    child.stdin!.end(Buffer.from(input));
  });
}

const dir = t.testdir({});
const wide = join(dir, 'wide.onnx');
const tall = join(dir, 'tall.onnx');
writeFileSync(wide, convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 }).bytes);
writeFileSync(tall, convModel({ c: 3, h: 12, w: 12, outC: 16, k: 3, stride: 1, pad: 1 }).bytes);
const png = (seed: number, h = 16, w = 16) => encodePng(testImage(h, w, seed), { bitDepth: 8 });

t.test('stdin stream of three PNGs → three colliding 16-bit PNGs on stdout, in order, with a report', async (t) => {
  const input = Buffer.concat([png(1), png(2), png(3)]);
  const report = join(dir, 'stream.ndjson');
  const npyDir = join(dir, 'npy');
  const r = await runBinary(['collide', wide, '--report', report, '--seed', '5', '--npy-dir', npyDir], input);
  t.equal(r.code, 0, r.stderr);
  const items = splitPngs(new Uint8Array(r.stdout));
  t.equal(items.length, 3);
  const recs = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.same(recs.map((x) => x.index), [0, 1, 2]);
  t.same(recs.map((x) => x.source), ['stdin:image 1', 'stdin:image 2', 'stdin:image 3']);
  t.same(readdirSync(npyDir).sort(), ['stdin-000001.collide.npy', 'stdin-000002.collide.npy', 'stdin-000003.collide.npy']);
  for (const [i, it] of items.entries()) {
    const img = decodePng(it.bytes);
    const exact = npyToImage(new Uint8Array(readFileSync(join(npyDir, `stdin-00000${i + 1}.collide.npy`))));
    t.equal(exact.data.length, img.data.length);
    let worst = 0;
    for (let k = 0; k < img.data.length; k++) worst = Math.max(worst, Math.abs(exact.data[k]! - img.data[k]!));
    // each sample on a 16-bit grid point within one step of the .npy, chosen so that A_img sees the rounding no more than nearest rounding's
    t.ok(worst < 1 / 65535 + 1e-12 && recs[i].stored.residual <= recs[i].stored.nearestResidual * (1 + 1e-9), `the PNG is the .npy on the 16-bit grid (within ${(worst * 65535).toFixed(3)} steps), residual ${recs[i].stored.residual} ≤ nearest rounding's ${recs[i].stored.nearestResidual}`);
    t.equal(img.bitDepth, 16);
    t.ok(recs[i].exact.residual <= 1e-12, `image ${i}: float64 residual ${recs[i].exact.residual}`);
    t.equal(recs[i].verdict, 'exact');
    t.equal(recs[i].written, true);
    t.ok(recs[i].stored.residual > recs[i].exact.residual, 'rounding to 16 bits leaves the null space a little');
    t.match(recs[i].model.sha256, /^[0-9a-f]{64}$/);
    t.equal(recs[i].seed, 5 + i);
  }
});

t.test('a truncated last image: the first two are delivered, then a one-line error and exit 1 (bad input, not 2)', async (t) => {
  const third = png(3);
  const input = Buffer.concat([png(1), png(2), third.subarray(0, third.length - 20)]);
  const r = await runBinary(['collide', wide], input);
  t.equal(r.code, 1, r.stderr);
  t.notMatch(r.stderr, /^\s+at /m, 'no stack trace without --debug');
  t.equal(splitPngs(new Uint8Array(r.stdout)).length, 2);
  t.match(r.stderr, /stdin:image 3/);
  t.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('nullspace: ')).length, 1);
});

t.test('--report -: one NDJSON record per image on stderr, and stdout carries only the PNG stream', async (t) => {
  const r = await runBinary(['collide', wide, '--report', '-', '--seed', '3'], Buffer.concat([png(1), png(2)]));
  t.equal(r.code, 0, r.stderr);
  const items = splitPngs(new Uint8Array(r.stdout));
  t.equal(items.length, 2);
  t.equal(items.reduce((n, it) => n + it.bytes.length, 0), r.stdout.length, 'no stray bytes on stdout');
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 2, 'stderr holds the two records and nothing else');
  const recs = lines.map((l) => JSON.parse(l));
  t.same(recs.map((x) => [x.index, x.source, x.seed]), [[0, 'stdin:image 1', 3], [1, 'stdin:image 2', 4]]);
  t.ok(recs.every((x) => x.verdict === 'exact'));
});

t.test('a bad file in the middle of IMAGES: earlier outputs written, one error naming it, exit 1, nothing half-written', async (t) => {
  const third = png(3);
  const bad: [string, Uint8Array, RegExp][] = [
    ['truncated', third.subarray(0, third.length - 30), /b\.png: .*(truncated|end|IEND|chunk)/i],
    ['not a PNG', new TextEncoder().encode('not an image at all'), /b\.png: not a PNG file/],
    ['wrong size', png(4, 20, 24), /b\.png: image is 20×24 but the model takes 16×16; pass --resize/],
  ];
  for (const [what, bytes, message] of bad) {
    const folder = join(dir, `mid-${what.replace(/ /g, '-')}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.png'), png(1));
    writeFileSync(join(folder, 'b.png'), bytes);
    writeFileSync(join(folder, 'c.png'), png(2));
    const out = join(folder, 'out');
    const report = join(folder, 'r.ndjson');
    const r = await runCli(['collide', wide, join(folder, 'a.png'), join(folder, 'b.png'), join(folder, 'c.png'), '--out-dir', out, '--format', 'npy', '--report', report]);
    t.equal(r.code, 1, `${what}: exit code`);
    const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('nullspace: '));
    t.equal(errors.length, 1, `${what}: one error line`);
    t.match(errors[0], message, `${what}: ${errors[0]}`);
    t.same(readdirSync(out).sort(), ['a.collide.npy', 'a.collide.png'], `${what}: a's outputs only, no temporary files`);
    t.equal(decodePng(new Uint8Array(readFileSync(join(out, 'a.collide.png')))).width, 16, `${what}: a's PNG is whole`);
    const lines = readFileSync(report, 'utf8').split('\n');
    t.same(lines.slice(1), [''], `${what}: the report holds one complete line`);
    t.equal(JSON.parse(lines[0]!).source, join(folder, 'a.png'));
    t.match(r.stdout, /a\.png → .*a\.collide\.png: (exact|approximate) \(residual/, `${what}: a's summary line`);
  }
});

t.test('bad inputs: not a PNG, size mismatch without --resize, oversize PNG', async (t) => {
  const notPng = await runBinary(['collide', wide], new TextEncoder().encode('hello, not a png'));
  t.equal(notPng.code, 1);
  t.match(notPng.stderr, /stdin:image 1.*(PNG|signature)/i);
  const big = png(1, 20, 24);
  const mismatch = await runBinary(['collide', wide], big);
  t.equal(mismatch.code, 1);
  t.match(mismatch.stderr, /20×24 but the model takes 16×16; pass --resize/);
  const resized = await runBinary(['collide', wide, '--resize'], big);
  t.equal(resized.code, 0, resized.stderr);
  t.equal(decodePng(new Uint8Array(resized.stdout)).width, 16);
  const oversize = await runBinary(['collide', wide, '--max-pixels', '100'], png(1));
  t.equal(oversize.code, 1);
  t.match(oversize.stderr, /pixel|max/i);
});

t.test('bad flag values name the flag and what it expects (exit 1)', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--bit-depth', '12'], /Expected one of 8, 16 for --bit-depth but received 12/],
    [['--method', 'magic'], /Expected one of "operator", "patch" for method but received "magic"/],
    [['--alpha', '0.1', '--psnr', '20'], /--alpha and --psnr are exclusive/],
    [['--size', '12by3'], /Expected HxW .* for --size/],
    [['--preset', 'mine'], /for preset but received "mine"/],
    [['--basis', '23'], /Expected an integer between 0 and 22 \(ker\(W\) of group 0 has dimension 23\) for basis but received 23/],
    [['--threads', '0'], /Expected an integer from 1 to 256 for --threads but received 0/],
  ];
  for (const [flags, re] of cases) {
    const r = await runCli(['collide', wide, ...flags]);
    t.equal(r.code, 1, flags.join(' '));
    t.match(r.stderr, re);
  }
});

t.test('an injective first layer exits 3 and says so; --allow-approximate writes files and a report', async (t) => {
  const img = join(dir, 'in12');
  mkdirSync(img, { recursive: true });
  writeFileSync(join(img, 'a.png'), png(1, 12, 12));
  writeFileSync(join(img, 'b.png'), png(2, 12, 12));
  const no = await runCli(['collide', tall, img, '--out-dir', join(dir, 'out3'), '--at', 'first-layer']);
  t.equal(no.code, 3);
  t.match(no.stderr, /no exact collision exists at this layer for this input size/);
  // by default collide goes on to the ReLU after it, whose equality rows (8 per pixel position) pin x
  const past = await runCli(['collide', tall, img, '--out-dir', join(dir, 'out3b')]);
  t.equal(past.code, 3);
  t.match(past.stderr, /a\.png: not written: unmoved — the level set at r .*pin x/);
  const out = join(dir, 'outA');
  const yes = await runCli(['collide', tall, img, '--out-dir', out, '--allow-approximate', '--format', 'npy', '--json', '--alpha', '0.01']);
  t.equal(yes.code, 0, yes.stderr);
  t.same(readdirSync(out).sort(), ['a.collide.npy', 'a.collide.png', 'b.collide.npy', 'b.collide.png']);
  const recs = yes.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(recs.length, 2);
  t.equal(recs[0].mode, 'approximate');
  const c = recs[0].firstLayerChange;
  t.equal(recs[0].exact.clipped, 0, 'no clipping, so the prediction covers all of δ');
  t.ok(Math.abs(c.predicted - c.actual) <= 1e-6 * c.actual, `predicted ${c.predicted} vs actual ${c.actual}`);
});

t.test('stdout closed early (| head -c 10): the command stops quietly with exit 0', async (t) => {
  const input = join(dir, 'many.png');
  writeFileSync(input, Buffer.concat([png(1), png(2), png(3), png(4)]));
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('bash', ['-c', `node --import tsx ${JSON.stringify(entry)} collide ${JSON.stringify(wide)} < ${JSON.stringify(input)} | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
  t.equal(r.stdout.trim(), '0', 'nullspace exit status');
  t.notMatch(r.stderr, /EPIPE|Error/);
});

t.test('demo (npm start): x, x\' and the report in the out dir; the classifier\'s outputs agree to < 1e-5 at the default strength (PSNR ≈ 26 dB)', async (t) => {
  const out = join(dir, 'demo');
  const r = await runCli(['demo', '--out-dir', out]);
  t.equal(r.code, 0, r.stderr);
  t.same(readdirSync(out).sort(), ['report.ndjson', 'x-prime.npy', 'x-prime.png', 'x.npy', 'x.png']);
  const diffs = [...r.stdout.matchAll(/relative difference ([0-9.e+-]+)/g)].map((m) => Number(m[1]));
  t.equal(diffs.length, 2);
  t.ok(diffs.every((d) => d < 1e-5), `output differences ${diffs}`);
  const psnr = Number(/PSNR\(x, x'\) ([0-9.]+) dB/.exec(r.stdout)![1]);
  t.ok(psnr > 24 && psnr < 28, `PSNR ${psnr}`);
  const rec = JSON.parse(readFileSync(join(out, 'report.ndjson'), 'utf8'));
  t.equal(rec.verdict, 'exact');
});

t.test('--help lists the exit codes', async (t) => {
  const r = await runCli(['collide', '--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /3 no exact collision/);
  t.match(r.stdout, /--allow-approximate/);
});

t.test('default flags on a stream with saturated images: every exact one written, the all-white one refused with a line on stderr, exit 3', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 32, outC: 4, k: 3, stride: 2, pad: 1, seed: 2 });
  const model = join(dir, 'sat.onnx');
  writeFileSync(model, m.bytes);
  const kinds = ['text', 'corners', 'white', 'photo'] as const;
  const input = Buffer.concat(kinds.map((k) => encodePng(boundImage(k, 16, 32, 1), { bitDepth: 8 })));
  const report = join(dir, 'sat.ndjson');
  const r = await runBinary(['collide', model, '--preset', 'paddle', '--report', report], input);
  t.equal(r.code, 3, r.stderr);
  t.equal(splitPngs(new Uint8Array(r.stdout)).length, 3, 'three images written, in order');
  t.match(r.stderr, /stdin:image 3: not written: unmoved — every pixel sits on a bound/);
  t.match(r.stderr, /1 of 4 images had no exact collision that moved and was not written/);
  t.ok(r.stderr.endsWith('\n'));
  const recs = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.same(recs.map((x) => [x.verdict, x.written]), [['exact', true], ['exact', true], ['unmoved', false], ['exact', true]]);
  for (const x of recs.filter((y) => y.written)) t.ok(x.exact.residual <= 1e-12 && x.exact.clipped === 0 && x.exact.psnr < 40, `${x.source}: residual ${x.exact.residual}, PSNR ${x.exact.psnr}`);
});

t.test('collide | verify --against on an image with saturated pixels: verify exits 0', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 32, outC: 4, k: 3, stride: 2, pad: 1, seed: 2 });
  const model = join(dir, 'sat2.onnx');
  writeFileSync(model, m.bytes);
  const x = join(dir, 'corners.png');
  writeFileSync(x, encodePng(boundImage('corners', 16, 32, 5), { bitDepth: 8 }));
  const r = await new Promise<{ code: string; stderr: string }>((resolve) => {
    const cmd = `node --import tsx ${JSON.stringify(entry)} collide ${JSON.stringify(model)} --preset paddle < ${JSON.stringify(x)} | node --import tsx ${JSON.stringify(entry)} verify ${JSON.stringify(model)} --preset paddle --against ${JSON.stringify(x)}; echo "\${PIPESTATUS[0]} \${PIPESTATUS[1]}"`;
    execFile('bash', ['-c', cmd], { encoding: 'utf8', timeout: 240_000 }, (_err, stdout, stderr) => resolve({ code: stdout.trim().split('\n').pop()!, stderr }));
  });
  t.equal(r.code, '0 0', r.stderr);
});

t.test('--no-fit on saturated images: refused (exit 3) unless --allow-approximate, which writes them with an approximate verdict', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 32, outC: 4, k: 3, stride: 2, pad: 1, seed: 2 });
  const model = join(dir, 'sat3.onnx');
  writeFileSync(model, m.bytes);
  const input = encodePng(boundImage('corners', 16, 32, 1), { bitDepth: 8 });
  const no = await runBinary(['collide', model, '--preset', 'paddle', '--no-fit'], input);
  t.equal(no.code, 3);
  t.equal(no.stdout.length, 0, 'nothing written');
  t.match(no.stderr, /not written: approximate — first-layer residual .* clipped to \[0, 1\]; the box fit was off/);
  const yes = await runBinary(['collide', model, '--preset', 'paddle', '--no-fit', '--allow-approximate', '--report', '-'], input);
  t.equal(yes.code, 0, yes.stderr);
  t.equal(splitPngs(new Uint8Array(yes.stdout)).length, 1);
  t.equal(JSON.parse(yes.stderr.trim()).verdict, 'approximate');
});

t.test('a model with a dynamic input size takes each image\'s size: two sizes in one stream, one set-up each', async (t) => {
  const model = join(dir, 'dynamic.onnx');
  writeFileSync(model, dynamicConvModel({ c: 3, outC: 4, k: 3, stride: 2, pad: 1 }));
  const input = Buffer.concat([png(1, 16, 16), png(2, 12, 20), png(3, 16, 16)]);
  const report = join(dir, 'dyn.ndjson');
  const r = await runBinary(['collide', model, '--report', report], input);
  t.equal(r.code, 0, r.stderr);
  const outs = splitPngs(new Uint8Array(r.stdout)).map((it) => decodePng(it.bytes));
  t.same(outs.map((o) => [o.height, o.width]), [[16, 16], [12, 20], [16, 16]]);
  t.equal(r.stderr.split('\n').filter((l) => /A_img/.test(l)).length, 2, 'one set-up line per distinct size');
  t.match(r.stderr, /at 16×16/);
  t.match(r.stderr, /at 12×20/);
  const recs = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.ok(recs.every((x) => x.verdict === 'exact' && x.exact.residual <= 1e-12));
});
