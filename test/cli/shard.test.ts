// `--shard i/n` (src/cli/shard.ts): the parser and membership rule, and collide/verify run as four
// shards against one run over the same 40 images — the sorted reports and every output file must be
// byte-identical, with nothing lost or duplicated.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseShard, inShard, WHOLE } from '../../src/cli/shard.js';
import { runCommand } from './harness.js';
import * as collide from '../../src/cli/collide.js';
import * as verify from '../../src/cli/verify.js';
import { encodePng } from '../../src/image/png.js';
import { splitPngs } from '../../src/image/png-split.js';
import { convModel, testImage } from '../collide/models.js';

t.test('parseShard("i/n") reads i and n; undefined is the whole input', async (t) => {
  t.same(parseShard('0/4'), { index: 0, count: 4 });
  t.same(parseShard(' 3/4 '), { index: 3, count: 4 });
  t.same(parseShard('0/1'), { index: 0, count: 1 });
  t.equal(parseShard(undefined), WHOLE);
});

t.test('parseShard("auto") takes i from $JOB_COMPLETION_INDEX and n from /n or $NULLSPACE_SHARD_COUNT', async (t) => {
  t.same(parseShard('auto/8', { JOB_COMPLETION_INDEX: '5' }), { index: 5, count: 8 });
  t.same(parseShard('auto', { JOB_COMPLETION_INDEX: '2', NULLSPACE_SHARD_COUNT: '3' }), { index: 2, count: 3 });
  t.same(parseShard('auto/3', { JOB_COMPLETION_INDEX: '1', NULLSPACE_SHARD_COUNT: '9' }), { index: 1, count: 3 }, '/n wins over the variable');
});

t.test('parseShard rejects malformed values with the house message', async (t) => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['4/4', {}, /^Expected an index below the count \(shards 0\/4 … 3\/4\) for --shard but received "4\/4" of type string$/],
    ['1/0', {}, /^Expected a shard count n ≥ 1 for --shard but received "1\/0"/],
    ['2', {}, /Expected "i\/n" with 0 ≤ i < n .* for --shard but received "2"/],
    ['-1/4', {}, /for --shard but received "-1\/4"/],
    ['1.5/4', {}, /for --shard but received "1.5\/4"/],
    ['a/b', {}, /for --shard but received "a\/b"/],
    ['auto/4', {}, /Expected a non-negative integer for \$JOB_COMPLETION_INDEX \(for --shard auto\) but received undefined/],
    ['auto/4', { JOB_COMPLETION_INDEX: 'x' }, /for \$JOB_COMPLETION_INDEX .* but received "x"/],
    ['auto', { JOB_COMPLETION_INDEX: '0' }, /Expected a positive integer for \$NULLSPACE_SHARD_COUNT \(for --shard auto without \/n\) but received undefined/],
    ['auto/2', { JOB_COMPLETION_INDEX: '2' }, /Expected an index below the count \(shards 0\/2 … 1\/2\) for --shard but received "auto\/2"/],
  ];
  for (const [v, env, re] of cases) t.throws(() => parseShard(v, env), re, v);
  t.throws(() => parseShard('5/4'), RangeError);
});

t.test('inShard: every k in exactly one of n shards, round-robin', async (t) => {
  for (const n of [1, 2, 3, 4, 7]) {
    const owners = Array.from({ length: 50 }, (_, k) => Array.from({ length: n }, (_, i) => i).filter((i) => inShard({ index: i, count: n }, k)));
    t.same(owners, Array.from({ length: 50 }, (_, k) => [k % n]), `n=${n}: image k belongs to shard k mod n alone`);
  }
});

// ---- end to end ----

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
function runBinary(args: string[], input: Uint8Array, cwd: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', entry, ...args], { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString('utf8') });
    });
    child.stdin!.end(Buffer.from(input));
  });
}

const dir = t.testdir({});
const model = convModel({ c: 3, h: 8, w: 8, outC: 2, k: 3, stride: 2, pad: 1 }).bytes;
const N = 40;
const pngs = Array.from({ length: N }, (_, k) => encodePng(testImage(8, 8, 100 + k), { bitDepth: 8 }));

/** A workspace with the model, 39 images in imgs/ (written out of name order) and one more, same stem as imgs/img-05.png, in extra/. */
function workspace(name: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'imgs'), { recursive: true });
  mkdirSync(join(root, 'extra'), { recursive: true });
  writeFileSync(join(root, 'm.onnx'), model);
  for (let k = N - 2; k >= 0; k--) writeFileSync(join(root, 'imgs', `img-${String(k).padStart(2, '0')}.png`), pngs[k]!);
  writeFileSync(join(root, 'extra', 'img-05.png'), pngs[N - 1]!);
  return root;
}

const sortedLines = (text: string) => text.split('\n').filter((l) => l !== '').sort();

function filesOf(folder: string): Map<string, Buffer> {
  return new Map(readdirSync(folder).sort().map((f) => [f, readFileSync(join(folder, f))]));
}

/** Runs a command module in-process (test/cli/harness.ts) from folder `cwd`, with extra environment variables. */
async function inFolder(cwd: string, mod: Parameters<typeof runCommand>[0], argv: string[], env: Record<string, string> = {}) {
  const here = process.cwd();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  process.chdir(cwd);
  Object.assign(process.env, env);
  try { return await runCommand(mod, argv); } finally {
    process.chdir(here);
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

// IMAGES mode in-process (one worker after another, as separate runs of the handler); the stream test
// below runs real processes side by side.
t.test('collide IMAGES as 4 shards = one run: same sorted NDJSON, byte-identical .png and .npy files', async (t) => {
  const one = workspace('one');
  const four = workspace('four');
  const args = ['collide', 'm.onnx', 'imgs', 'extra/img-05.png', '--out-dir', 'out', '--format', 'npy', '--seed', '7', '--json'];
  const whole = await inFolder(one, collide, [...args, '--report', 'r.ndjson']);
  t.equal(whole.code, 0, whole.stderr);
  const shards = [];
  for (const i of [0, 1, 2, 3]) shards.push(await inFolder(four, collide, [...args, '--report', `r${i}.ndjson`, '--shard', `${i}/4`]));
  shards.forEach((r, i) => t.equal(r.code, 0, `shard ${i}: ${r.stderr}`));

  const single = sortedLines(readFileSync(join(one, 'r.ndjson'), 'utf8'));
  const parts = [0, 1, 2, 3].map((i) => sortedLines(readFileSync(join(four, `r${i}.ndjson`), 'utf8')));
  t.equal(single.length, N, 'the single run reports every image');
  t.same(parts.map((p) => p.length), [10, 10, 10, 10], 'each shard takes a quarter');
  t.same(parts.flat().sort(), single, 'the shards\' reports, concatenated and sorted, are the single run\'s, byte for byte');
  t.same(sortedLines(shards.map((r) => r.stdout).join('')), sortedLines(whole.stdout), '--json stdout likewise');

  const recs = single.map((l) => JSON.parse(l) as { index: number; seed: number; source: string; outputs: { png: string } });
  recs.sort((a, b) => a.index - b.index);
  t.same(recs.map((r) => r.index), Array.from({ length: N }, (_, k) => k), 'indices 0…39, each once');
  t.ok(recs.every((r) => r.seed === 7 + r.index), 'image k has seed 7 + k');
  t.equal(recs[0]!.source, join('imgs', 'img-00.png'), 'directory files in name order');
  t.same([recs[N - 1]!.source, recs[N - 1]!.outputs.png], [join('extra', 'img-05.png'), join('out', 'img-05-2.collide.png')], 'the repeated stem is renamed as in the single run');
  const ownImages = parts.map((p) => p.map((l) => (JSON.parse(l) as { index: number }).index % 4));
  t.same(ownImages.map((ks) => [...new Set(ks)]), [[0], [1], [2], [3]], 'shard i holds the images with k mod 4 = i');

  const a = filesOf(join(one, 'out'));
  const b = filesOf(join(four, 'out'));
  t.equal(a.size, 2 * N, '40 PNGs and 40 .npy files, no temporaries');
  t.same([...b.keys()], [...a.keys()], 'the same file names');
  const differing = [...a.keys()].filter((f) => !a.get(f)!.equals(b.get(f)!));
  t.same(differing, [], 'every file byte-identical');
});

t.test('collide on a stream as 4 shards = one run: the shards\' PNGs interleave into the single run\'s stream', async (t) => {
  const root = join(dir, 'stream');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'm.onnx'), model);
  const input = Buffer.concat(pngs);
  const whole = await runBinary(['collide', 'm.onnx', '--seed', '3', '--report', 'r.ndjson', '--npy-dir', 'npy1'], input, root);
  t.equal(whole.code, 0, whole.stderr);
  const shards = await Promise.all([0, 1, 2, 3].map((i) => runBinary(['collide', 'm.onnx', '--seed', '3', '--report', `r${i}.ndjson`, '--npy-dir', 'npy4', '--shard', `${i}/4`], input, root)));
  shards.forEach((r, i) => t.equal(r.code, 0, `shard ${i}: ${r.stderr}`));
  const single = splitPngs(new Uint8Array(whole.stdout)).map((it) => Buffer.from(it.bytes));
  const per = shards.map((r) => splitPngs(new Uint8Array(r.stdout)).map((it) => Buffer.from(it.bytes)));
  t.equal(single.length, N);
  t.same(per.map((p) => p.length), [10, 10, 10, 10]);
  const mismatched = single.map((bytes, k) => (bytes.equals(per[k % 4]![Math.floor(k / 4)]!) ? -1 : k)).filter((k) => k >= 0);
  t.same(mismatched, [], 'PNG k of the single run = PNG ⌊k/4⌋ of shard k mod 4, byte for byte');
  const all = [0, 1, 2, 3].flatMap((i) => sortedLines(readFileSync(join(root, `r${i}.ndjson`), 'utf8')));
  // the records name their .npy files, which sit in different folders here: compare with the folder swapped
  t.same(all.map((l) => l.replaceAll('npy4/', 'npy1/')).sort(), sortedLines(readFileSync(join(root, 'r.ndjson'), 'utf8')));
  const a = filesOf(join(root, 'npy1'));
  const b = filesOf(join(root, 'npy4'));
  t.same([...b.keys()], [...a.keys()]);
  t.same([...a.keys()].filter((f) => !a.get(f)!.equals(b.get(f)!)), [], 'the .npy files agree byte for byte');
});

t.test('verify --shard checks candidate k in shard k mod n and reports its global index; a bad --shard exits 1', async (t) => {
  const root = join(dir, 'stream');
  const candidates = [0, 1, 2, 3, 4].map((k) => `npy1/stdin-00000${k + 1}.collide.npy`);
  writeFileSync(join(root, 'x.png'), pngs[0]!);
  const r = await inFolder(root, verify, ['verify', 'm.onnx', '--against', 'x.png', ...candidates, '--shard', '1/2', '--json', '--precision', 'f64']);
  t.equal(r.code, 1, 'the candidates are collisions of other images: exit 1');
  const doc = JSON.parse(r.stdout) as { candidates: { index: number; source: string }[] };
  t.same(doc.candidates.map((c) => [c.index, c.source]), [[1, candidates[1]], [3, candidates[3]]]);
  const auto = await inFolder(root, collide, ['collide', 'm.onnx', 'x.png', '--out-dir', 'o', '--shard', 'auto'], { JOB_COMPLETION_INDEX: '0' });
  t.equal(auto.code, 1);
  t.match(auto.stderr, /\$NULLSPACE_SHARD_COUNT/);
});
