// `npm run soak [-- --images N --every K]`: a long stream through the library paths the CLI runs, with
// resident memory sampled every K images (default 10 000 images, every 500). Two runs:
//   collide          N distinct generated PNGs → stdinPngStream → decodePng → collide pipeline → PNG bytes
//   collide → verify N copies of one PNG → collide (image k: seed + k) → x' (float64, as .npy) →
//                    verifier.check against the original at float64 and float32 (onnxruntime-web sessions)
// on a tiny conv model built here (3×16×16 → Conv 4×3×3 stride 2), so that it runs in minutes. Prints
// images/s and RSS (after a full GC, see below) at the first sample, the last and the largest, and fails
// (exit 1) when RSS at the last sample is more than 10% above RSS at the first (memory growing with the
// stream), or when a candidate does not verify. Standalone; needs node --expose-gc.
// npm run soak also pins V8's young generation at 16 MiB per semi-space (--min/--max-semi-space-size):
// with the default flags V8 grows it once, after ~6 000 of these images (heap total +16 MiB while the
// heap in use stays at ~10.6 MiB), a one-time step of ~+17 MiB RSS that would read as growth with the
// stream. The JS heap, external and WASM figures printed per sample show what the stream keeps.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildModel } from '../src/onnx/writer.js';
import { rng } from '../src/linalg/random.js';
import { createPipeline, type Pipeline, type ProcessedImage } from '../src/collide/pipeline.js';
import { pipelineOptions, type CollideArgs } from '../src/cli/collide-options.js';
import { stdinPngStream } from '../src/image/io-stream.js';
import { decodePng, encodePng } from '../src/image/png.js';
import { DEFAULT_MAX_PIXELS } from '../src/image/png-chunks.js';
import { toModelTensor } from '../src/image/tensor.js';
import type { Image } from '../src/image/image.js';
import { createModelRunner } from '../src/verify/model-runner.js';
import { createVerifier } from '../src/verify/verify.js';
import { channelStats } from '../src/cli/model-input-args.js';
import { core } from '../src/core/index.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '10000' }, every: { type: 'string', default: '500' } } });
const N = Number(values.images), EVERY = Number(values.every);
const H = 16, W = 16;
const tool = { name: 'nullspace', version: 'soak' };

function model(): Uint8Array {
  const r = rng(1);
  const w = Float32Array.from({ length: 4 * 3 * 9 }, () => r.normal() * 0.3);
  return buildModel({
    inputs: [{ name: 'x', shape: [1, 3, H, W] }], outputs: [{ name: 'out' }],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['y'], outputs: ['r'] },
      { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['out'] },
    ],
    initializers: [{ name: 'w', dims: [4, 3, 3, 3], data: w }, { name: 'b', dims: [4], data: new Float32Array([0.1, -0.1, 0.05, 0]) }],
  });
}

function image(seed: number): Image {
  const r = rng(seed);
  const data = new Float64Array(H * W * 3);
  // inside [0.35, 0.65]: δ (RMS 0.05) never reaches the box, so no clipping and x' stays an exact collision
  for (let i = 0; i < data.length; i++) data[i] = Math.round((0.35 + 0.3 * r.uniform()) * 255) / 255;
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

/** A byte stream of n PNGs, generated as it is read (in 64 KiB chunks, as from a pipe). */
async function* pngStream(n: number, png: (k: number) => Uint8Array): AsyncGenerator<Uint8Array> {
  let buf: Uint8Array[] = [], size = 0;
  for (let k = 0; k < n; k++) {
    const b = png(k); buf.push(b); size += b.length;
    if (size >= 65536) { yield Buffer.concat(buf); buf = []; size = 0; }
  }
  if (size) yield Buffer.concat(buf);
}

interface Record { label: string; images: number; seconds: number; rss: number[]; raw: number[]; parts: string[] }

// RSS is read after a full collection: memory the stream keeps, not garbage V8 has not yet collected
// (without it RSS drifts up and down by tens of MiB with the heap's growth policy). The raw reading just
// before the collection is kept too, for the largest RSS seen.
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');

async function soak(label: string, input: AsyncIterable<Uint8Array>, p: Pipeline, each: (r: ProcessedImage, k: number) => Promise<void>): Promise<Record> {
  const rss: number[] = [], raw: number[] = [], parts: string[] = [];
  const t0 = performance.now();
  let n = 0;
  for await (const item of stdinPngStream({ input, maxPixels: DEFAULT_MAX_PIXELS })) {
    const r = p.process(decodePng(item.bytes, { location: item.location }), item.index, item.location);
    await each(r, item.index);
    if (++n % EVERY === 0) {
      raw.push(process.memoryUsage().rss); gc!();
      const m = process.memoryUsage();
      rss.push(m.rss);
      parts.push(`${mb(m.heapUsed)}/${mb(m.heapTotal)}/${mb(m.external)}/${mb(core.memory.buffer.byteLength)}`);
    }
  }
  return { label, images: n, seconds: (performance.now() - t0) / 1000, rss, raw, parts };
}

const bytes = model();
const args = { method: 'operator', seed: 0, bitDepth: 16, format: 'png', outDir: '', maxPixels: DEFAULT_MAX_PIXELS, tol: 1e-13, approxK: 4, model: '' } as CollideArgs;
const p = await createPipeline(bytes, { ...pipelineOptions(args), tool, modelName: 'soak.onnx' });

let written = 0;
const collide = await soak('collide', pngStream(N, (k) => encodePng(image(k), { bitDepth: 8 })), p, async (r) => { written += r.png.length; });

const x = image(123456);
const xPng = encodePng(x, { bitDepth: 8 });
const runner = await createModelRunner(bytes, { source: 'soak.onnx', precisions: ['f32', 'f64'] });
const options = { ...p.fixed!.normalization };
const verifier = await createVerifier(runner, toModelTensor(x, options, 'x.png'), { precision: 'both', std: channelStats(options).std });
let differs = 0;
// verify checks x' as float64 (what --format npy stores): the exact collision, which must always pass
const verify = await soak('collide → verify', pngStream(N, () => xPng), p, async (r, k) => {
  const v = await verifier.check({ source: `candidate ${k}`, x: toModelTensor(r.xPrime, options, `candidate ${k}`) }, k);
  if (!v.collides) differs++;
});
await runner.release();

console.log(`# soak — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version} ${process.execArgv.filter((a) => a.includes('space')).join(' ')}, ${new Date().toISOString()}`);
console.log(`model 3×${H}×${W} → Conv 4×3×3/2; ${N} images, RSS sampled every ${EVERY}; collide wrote ${(written / 2 ** 20).toFixed(1)} MiB of PNG; verify: ${differs} of ${N} candidates do not collide`);
console.log('\n| run | images | images/s | RSS first (MiB) | RSS last (MiB) | RSS max after GC (MiB) | last/first | RSS max before GC (MiB) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
let grew = false;
for (const r of [collide, verify]) {
  const first = r.rss[0]!, last = r.rss[r.rss.length - 1]!, max = Math.max(...r.rss);
  if (last > 1.1 * first) grew = true;
  console.log(`| ${r.label} | ${r.images} | ${(r.images / r.seconds).toFixed(0)} | ${mb(first)} (at ${EVERY}) | ${mb(last)} (at ${r.rss.length * EVERY}) | ${mb(max)} | ${(last / first).toFixed(3)} | ${mb(Math.max(...r.raw))} |`);
}
for (const r of [collide, verify]) {
  console.log(`\nRSS after GC (MiB), ${r.label}: ${r.rss.map(mb).join(' ')}`);
  console.log(`RSS before GC (MiB), ${r.label}: ${r.raw.map(mb).join(' ')}`);
  console.log(`JS heap used / heap total / external / WASM core memory (MiB), ${r.label}: ${r.parts.join(' ')}`);
}
if (grew) console.log('FAIL: RSS at the last sample is more than 10% above the first');
if (differs) console.log(`FAIL: ${differs} candidates do not collide`);
process.exitCode = grew || differs ? 1 : 0;
