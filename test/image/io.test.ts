import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { readImageFile, listImages, writeFileAtomic } from '../../src/image/io.js';
import { stdinPngStream, pngSplitTransform, decodeTransform, createPayloadWriter, type PngItem, type DecodedItem } from '../../src/image/io-stream.js';
import { encodePng } from '../../src/image/png.js';
import { writeNpy } from '../../src/image/npy.js';
import { chunksOf, makePng, prng } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'nullspace-io-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function rgbPng(width: number, height: number, seed: number): Buffer {
  const r = prng(seed);
  return makePng({ width, height, bitDepth: 8, colorType: 2, samples: Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256)) });
}

/** Pieces of random length from one buffer, as a stream would deliver them. */
function pieces(bytes: Uint8Array, seed: number, max = 50): Uint8Array[] {
  const r = prng(seed);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) { const n = 1 + Math.floor(r() * max); out.push(bytes.subarray(at, at + n)); at += n; }
  return out;
}

t.test('readImageFile reads PNG and .npy by content and names the file in errors', async (t) => {
  const d = join(dir, 'read');
  mkdirSync(d);
  const png = encodePng({ width: 2, height: 1, channels: 3, bitDepth: 16, data: Float64Array.from([0, 1, 2, 3, 4, 5].map((k) => k / 65535)) });
  writeFileSync(join(d, 'a.png'), png);
  writeFileSync(join(d, 'renamed.dat'), png);
  writeFileSync(join(d, 'x.npy'), writeNpy(Float64Array.from([0.1, 0.2, 0.3, 0.4]), [2, 2]));
  writeFileSync(join(d, 'bad.png'), 'GIF89a...');
  writeFileSync(join(d, 'bad.npy'), 'nope');
  const a = await readImageFile(join(d, 'a.png'));
  t.same({ w: a.width, h: a.height, c: a.channels, d: a.bitDepth }, { w: 2, h: 1, c: 3, d: 16 });
  t.same(Array.from(a.data), [0, 1, 2, 3, 4, 5].map((k) => k / 65535));
  t.same((await readImageFile(join(d, 'renamed.dat'))).data, a.data, 'recognised by magic, not extension');
  const x = await readImageFile(join(d, 'x.npy'));
  t.same({ w: x.width, h: x.height, c: x.channels }, { w: 2, h: 2, c: 1 });
  await t.rejects(readImageFile(join(d, 'bad.png')), { name: 'InputError', message: `${join(d, 'bad.png')}: not a PNG file (bad signature)` });
  await t.rejects(readImageFile(join(d, 'bad.npy')), { message: `${join(d, 'bad.npy')}: not a PNG file or .npy array (bad magic string)` });
  await t.rejects(readImageFile(join(d, 'missing.png')), { name: 'InputError', message: `${join(d, 'missing.png')}: no such file or directory` });
  await t.rejects(readImageFile(d), { message: `${d}: is a directory, expected a PNG or .npy file` });
  await t.rejects(readImageFile(join(d, 'a.png'), { maxPixels: 1 }), /a\.png: 2×1 = 0\.000002 megapixels exceeds --max-pixels 1$/);
});

t.test('listImages expands directories (sorted, .png/.npy only) and keeps file arguments in order', async (t) => {
  const d = join(dir, 'list');
  mkdirSync(join(d, 'sub'), { recursive: true });
  for (const n of ['b.png', 'a.PNG', 'c.npy', 'notes.txt', 'B.png']) writeFileSync(join(d, n), '');
  writeFileSync(join(d, 'sub', 'deep.png'), '');
  const extra = join(dir, 'z.dat');
  writeFileSync(extra, '');
  t.same(await listImages([extra, d, join(d, 'b.png')]), [extra, join(d, 'B.png'), join(d, 'a.PNG'), join(d, 'b.png'), join(d, 'c.npy')]);
  await t.rejects(listImages([join(dir, 'nope')]), { name: 'InputError', message: `${join(dir, 'nope')}: no such file or directory` });
  await t.rejects(listImages([join(d, 'sub', '..', 'sub', 'empty-dir-does-not-exist')]), /no such file or directory/);
  mkdirSync(join(dir, 'empty'));
  await t.rejects(listImages([join(dir, 'empty')]), { message: `${join(dir, 'empty')}: directory holds no .png or .npy files` });
});

t.test('writeFileAtomic writes the whole file or leaves the target untouched, with no temp file left', async (t) => {
  const d = join(dir, 'atomic');
  mkdirSync(d);
  const target = join(d, 'out.png');
  await writeFileAtomic(target, Buffer.from('first version'));
  t.equal(readFileSync(target, 'utf8'), 'first version');
  await writeFileAtomic(target, (function* () { yield Buffer.from('second '); yield Buffer.from('version'); })());
  t.equal(readFileSync(target, 'utf8'), 'second version');
  // A source that fails half-way: the old content stays, no partial file, no temp file.
  async function* failing() { yield Buffer.alloc(100_000, 1); throw new Error('encoder crashed'); }
  await t.rejects(writeFileAtomic(target, failing()), /encoder crashed/);
  t.equal(readFileSync(target, 'utf8'), 'second version');
  await t.rejects(writeFileAtomic(join(d, 'new.png'), failing()), /encoder crashed/);
  t.notOk(existsSync(join(d, 'new.png')), 'no partial new file');
  // A rename that fails (the target is a non-empty directory).
  mkdirSync(join(d, 'taken.png'));
  writeFileSync(join(d, 'taken.png', 'x'), '');
  await t.rejects(writeFileAtomic(join(d, 'taken.png'), Buffer.from('data')));
  t.same(readdirSync(d).sort(), ['out.png', 'taken.png'], 'no temporary files left behind');
  await t.rejects(writeFileAtomic(join(d, 'no-such-dir', 'f.png'), Buffer.from('x')), { code: 'ENOENT' });
});

t.test('stdinPngStream yields every image of a stream in order, then the truncation error', async (t) => {
  const pngs = [rgbPng(5, 4, 1), rgbPng(9, 2, 2), rgbPng(30, 30, 3)];
  const whole = Buffer.concat(pngs);
  const got: PngItem[] = [];
  for await (const item of stdinPngStream({ input: Readable.from(pieces(whole, 1)) })) got.push(item);
  t.same(got.map((g) => Buffer.from(g.bytes)), pngs);
  t.same(got.map((g) => g.location), ['stdin:image 1', 'stdin:image 2', 'stdin:image 3']);

  const cut = whole.subarray(0, whole.length - 300);
  const seen: number[] = [];
  await t.rejects((async () => { for await (const item of stdinPngStream({ input: Readable.from(pieces(cut, 2)) })) seen.push(item.index); })(),
    { name: 'InputError', message: /^stdin:image 3: image is truncated \(input ended after \d+ bytes, inside the IDAT chunk\)$/ });
  t.same(seen, [0, 1], 'the first two images came out before the error');
  // A fault in the same chunk as good images surfaces right after them, without waiting for more input.
  const bad = Buffer.from(pngs[1]!); bad[chunksOf(bad).find((c) => c.type === 'IDAT')!.offset + 9] ^= 0xff;
  const never = new Readable({ read() { /* never ends: the error must not wait for more input */ } });
  never.push(Buffer.concat([pngs[0]!, bad]));
  const order: string[] = [];
  await t.rejects((async () => { for await (const item of stdinPngStream({ input: never })) order.push(item.location); })(), /^stdin:image 2: bad CRC in IDAT chunk/);
  t.same(order, ['stdin:image 1']);
  never.destroy();
  let empty = 0;
  for await (const _ of stdinPngStream({ input: Readable.from([]) })) empty++;
  t.equal(empty, 0, 'an empty stream has no images and no error');
});

t.test('pngSplitTransform splits inside a pipeline and tears it down on a bad image', async (t) => {
  const pngs = [rgbPng(3, 3, 4), rgbPng(4, 4, 5)];
  const items: PngItem[] = [];
  const sink = () => new Writable({ objectMode: true, write(item: PngItem, _e, done) { items.push(item); done(); } });
  await pipeline(Readable.from(pieces(Buffer.concat(pngs), 3)), pngSplitTransform(), sink());
  t.same(items.map((i) => Buffer.from(i.bytes)), pngs);
  items.length = 0;
  const bad = Buffer.from(pngs[1]!); bad[chunksOf(bad).find((c) => c.type === 'IDAT')!.offset + 9] ^= 0xff;
  await t.rejects(pipeline(Readable.from([Buffer.concat([pngs[0]!, bad])]), pngSplitTransform({ source: 'in' }), sink()), /^in:image 2: bad CRC in IDAT chunk/);
  t.equal(items.length, 1, 'the good image went through first');
});

t.test('decodeTransform decodes split items in a pipeline, naming the stream image in errors', async (t) => {
  const pngs = [rgbPng(3, 2, 6), makePng({ width: 2, height: 2, bitDepth: 16, colorType: 0, samples: [0, 1, 65534, 65535] })];
  const out: DecodedItem[] = [];
  const sink = () => new Writable({ objectMode: true, write(item: DecodedItem, _e, done) { out.push(item); done(); } });
  await pipeline(Readable.from(pieces(Buffer.concat(pngs), 8)), pngSplitTransform(), decodeTransform(), sink());
  t.same(out.map((o) => [o.index, o.location, o.image.width, o.image.channels, o.image.bitDepth]), [[0, 'stdin:image 1', 3, 3, 8], [1, 'stdin:image 2', 2, 1, 16]]);
  t.same(Array.from(out[1]!.image.data), [0, 1, 65534, 65535].map((k) => k / 65535));
  out.length = 0;
  await t.rejects(pipeline(Readable.from([Buffer.concat(pngs)]), pngSplitTransform(), decodeTransform({ maxPixels: 5 }), sink()),
    /^stdin:image 1: 3×2 = 0\.000006 megapixels exceeds --max-pixels 5$/);
});

t.test('createPayloadWriter stops quietly with exit code 0 when stdout is closed early (| head)', (t) => {
  const script = join(dir, 'epipe.mts');
  const src = fileURLToPath(new URL('../../src/image/io-stream.ts', import.meta.url));
  writeFileSync(script, `
import { createPayloadWriter } from ${JSON.stringify(src)};
const w = createPayloadWriter();
let n = 0;
for (; n < 2000; n++) if (!(await w.write(new Uint8Array(65536).fill(65)))) break;
process.stderr.write('stopped after ' + n + ' closed=' + w.closed + '\\n');
`);
  const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
  const r = spawnSync('bash', ['-c', `set -o pipefail; node --import ${JSON.stringify(tsx)} ${JSON.stringify(script)} | head -c 1000 > /dev/null`], {
    encoding: 'utf8',
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('TAP'))),
  });
  t.equal(r.status, 0, `exit status 0 (stderr: ${r.stderr.trim()})`);
  const m = /stopped after (\d+) closed=true/.exec(r.stderr);
  t.ok(m, 'the writer noticed the closed pipe');
  t.ok(m && Number(m[1]) < 2000, 'and stopped producing output');
  t.notMatch(r.stderr, /EPIPE|Error/, 'no error printed');
  t.end();
});

t.test('createPayloadWriter resolves true for written payloads and rejects other stream errors', async (t) => {
  const chunks: Buffer[] = [];
  const ok = new Writable({ write(c: Buffer, _e, done) { chunks.push(c); done(); } });
  const w = createPayloadWriter(ok);
  t.equal(await w.write(Buffer.from('ab')), true);
  t.equal(await w.write(Buffer.from('cd')), true);
  t.equal(Buffer.concat(chunks).toString(), 'abcd');
  const failing = new Writable({ write(_c, _e, done) { done(Object.assign(new Error('disk on fire'), { code: 'EIO' })); } });
  await t.rejects(createPayloadWriter(failing).write(Buffer.from('x')), /disk on fire/);
  const pipe = new Writable({ write(_c, _e, done) { done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); } });
  const pw = createPayloadWriter(pipe);
  t.equal(await pw.write(Buffer.from('x')), false);
  t.equal(pw.closed, true);
  t.equal(await pw.write(Buffer.from('y')), false);
});
