// The CLI as users run it: bin/nullspace.js → dist/bundle/ (bin/build.mjs). The other CLI tests run
// src/ through tsx, so they cannot see a bundle that lost a module, a worker entry, a path found
// relative to a module (the WASM core, package.json) or a lazily imported command. Here: the bundle
// is newer than every source file; `--version`, a census and a stream through `collide` run from it
// and give what the source gives; both worker entries start from the bundle and answer (collide's
// worker returns the bytes the in-process pipeline makes); --debug traces point into src/.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { encodePng } from '../../src/image/png.js';
import { createPipeline, type PipelineOptions } from '../../src/collide/pipeline.js';
import { version } from '../../src/cli/version.js';
import { boundImage, convModel, testImage } from '../collide/models.js';
import { ENTRY, ROOT } from './harness.js';
import type { PoolMessage, PoolSpec } from '../../src/cli/collide-pool.js';
import type { PoolReply } from '../../src/linalg/pool.js';

const BIN = join(ROOT, 'bin', 'nullspace.js');
const BUNDLE = join(ROOT, 'dist', 'bundle');
const dir = mkdtempSync(join(tmpdir(), 'ns-bundle-'));

function newest(root: string, ext: string): number {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .reduce((m, d) => Math.max(m, statSync(join(d.parentPath, d.name)).mtimeMs), 0);
}

/** Runs `node args…` with stdin from `input`; resolves with exit code and both outputs as bytes. */
function run(args: string[], input?: Uint8Array): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: ROOT });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
    p.stdin.end(input ?? Buffer.alloc(0));
  });
}

const model = convModel({ c: 3, h: 24, w: 24, outC: 4, k: 3, stride: 2, pad: 1, seed: 3 });
const modelPath = join(dir, 'wide.onnx');
writeFileSync(modelPath, model.bytes);
const images = [testImage(24, 24, 1), boundImage('text', 24, 24, 2), boundImage('corners', 24, 24, 3), boundImage('photo', 24, 24, 7)];
const stream = Buffer.concat(images.map((im) => encodePng(im)));

t.test('the bundle is built and newer than every source file', (t) => {
  if (!existsSync(join(BUNDLE, 'main.js'))) {
    t.fail('dist/bundle/main.js is missing: run `npm run build`');
    return t.end();
  }
  const built = statSync(join(BUNDLE, 'main.js')).mtimeMs;
  t.ok(built >= newest(join(ROOT, 'src'), '.ts'), 'dist/bundle/ is older than src/: run `npm run build:ts`');
  t.end();
});

t.test('--version and a census from the bundle', async (t) => {
  const v = await run([BIN, '--version']);
  t.equal(v.code, 0);
  t.equal(v.stdout.toString(), `${version}\n`);
  const [fromBundle, fromSource] = await Promise.all([run([BIN, 'inspect', modelPath, '--json']), run(['--import', 'tsx', ENTRY, 'inspect', modelPath, '--json'])]);
  t.equal(fromBundle.code, 0, fromBundle.stderr);
  const strip = (s: string) => s.replace(/"(seconds|ms|elapsed)":[0-9.e+-]+/g, '');
  t.equal(strip(fromBundle.stdout.toString()), strip(fromSource.stdout.toString()), 'the census the source gives');
  t.match(fromBundle.stdout.toString(), /"nullity"/);
});

t.test('a stream through collide from the bundle (two threads) gives the source\'s bytes (one thread)', async (t) => {
  const [b, s] = await Promise.all([
    run([BIN, 'collide', modelPath, '--threads', '2'], stream),
    run(['--import', 'tsx', ENTRY, 'collide', modelPath, '--threads', '1'], stream),
  ]);
  t.equal(b.code, 0, b.stderr);
  t.equal(s.code, 0, s.stderr);
  t.ok(b.stdout.length > 0 && b.stdout.equals(s.stdout), `the same ${b.stdout.length} bytes of PNG stream`);
});

t.test('collide\'s worker entry starts from the bundle and returns the in-process bytes', async (t) => {
  const options: Omit<PipelineOptions, 'external'> = { normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, tool: { name: 'nullspace', version: 'test' }, seed: 7, modelName: 'wide.onnx' };
  const spec: PoolSpec = { modelPath, label: 'wide.onnx', options, primes: [], wantNpy: false };
  const w = new Worker(join(BUNDLE, 'collide-worker.js'), { workerData: spec });
  t.teardown(() => w.terminate());
  const messages: PoolMessage[] = [];
  const next = () => new Promise<PoolMessage>((resolve, reject) => {
    if (messages.length) return resolve(messages.shift()!);
    w.once('message', (m: PoolMessage) => resolve(m));
    w.once('error', reject);
  });
  const ready = await next();
  t.equal(ready.kind, 'ready', JSON.stringify(ready));
  w.postMessage({ id: 5, image: images[1], index: 1, location: 'image 1' });
  let m = await next();
  while (m.kind === 'setup') m = await next();
  const ref = (await createPipeline(model.bytes, options)).process(images[1]!, 1, 'image 1');
  t.equal(m.kind, 'done');
  if (m.kind === 'done') {
    t.equal(m.id, 5);
    t.ok(Buffer.from(m.png).equals(Buffer.from(ref.png)), 'the same PNG bytes');
    t.equal(m.record.verdict, ref.record.verdict);
  }
});

t.test('the SVD pool\'s worker entry starts from the bundle and answers a rank job', async (t) => {
  const w = new Worker(join(BUNDLE, 'pool-worker.js'));
  t.teardown(() => w.terminate());
  const replies: PoolReply[] = [];
  const got = new Promise<PoolReply>((resolve, reject) => {
    w.on('message', (r: PoolReply) => { replies.push(r); if (!r.ready) resolve(r); });
    w.on('error', reject);
  });
  // rank 2: the third row is the sum of the first two
  const a = new Float64Array([1, 2, 3, 4, 0, 1, 0, 1, 1, 3, 3, 5]);
  w.postMessage({ id: 9, op: 'matrixRank', a, m: 3, n: 4 });
  const r = await got;
  t.ok(replies[0]?.ready, 'ready first');
  t.equal(r.id, 9);
  t.equal((r.result as { rank: number }).rank, 2, JSON.stringify(r.error ?? r.result));
});

t.test('--debug traces point into src/ through the source maps', async (t) => {
  const r = await run([BIN, 'inspect', join(dir, 'missing.onnx'), '--debug']);
  t.not(r.code, 0);
  t.match(r.stderr, /src\/cli\/[a-z-]+\.ts:\d+/, r.stderr.slice(0, 400));
  const plain = await run([BIN, 'inspect', join(dir, 'missing.onnx')]);
  t.equal(plain.stderr.trim().split('\n').length, 1, 'without --debug: one line');
});
