// Census benchmark: the whole-model census of `nullspace inspect` (read the ONNX file, every
// weight's rank at both tolerances, the first layer and its operator) on both cores, against
// numpy doing the same per-weight census single-threaded (census_numpy.py, LAPACK gesdd values
// only, OMP/OPENBLAS/MKL threads = 1), on the three PP-OCR models and on a model with ResNet-50's
// 54 weight shapes built with our writer (random weights). Standalone: `npm run bench census`.
// Flags: --runs N (default 5), --threads N (default: all cores), --write-readme.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModelFile } from '../src/cli/model-file.js';
import { census } from '../src/census/census.js';
import { poolEngine } from '../src/census/rank-engine.js';
import { weightDump } from '../src/census/dump.js';
import { writeFilesAtomic } from '../src/cli/inspect.js';
import { buildModel, type NodeSpec, type TensorSpec } from '../src/onnx/writer.js';
import { randn } from '../src/linalg/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, d: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const RUNS = opt('--runs', 5);
const WARMUP = 2;
const THREADS = opt('--threads', availableParallelism());

/** ResNet-50 (v1.5, torchvision layout) with random float32 weights: 53 convs + fc = 54 weights. */
function resnet50(): Uint8Array {
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let seed = 1, id = 0;
  const conv = (x: string, o: number, c: number, k: number, s: number): string => {
    const w = `conv${id}.weight`, y = `conv${id++}`;
    inits.push({ name: w, dims: [o, c, k, k], data: Float32Array.from(randn(o * c * k * k, seed++), (v) => v * Math.sqrt(2 / (c * k * k))) });
    nodes.push({ op: 'Conv', inputs: [x, w], outputs: [y], attrs: { kernel_shape: [k, k], strides: [s, s], pads: Array(4).fill((k - 1) >> 1) } });
    return y;
  };
  const relu = (x: string): string => { nodes.push({ op: 'Relu', inputs: [x], outputs: [`${x}_r`] }); return `${x}_r`; };
  let x = relu(conv('input', 64, 3, 7, 2));
  nodes.push({ op: 'MaxPool', inputs: [x], outputs: ['pool'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  x = 'pool';
  let c = 64;
  for (const [blocks, width, stride] of [[3, 64, 1], [4, 128, 2], [6, 256, 2], [3, 512, 2]] as const) {
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride : 1;
      const h = relu(conv(relu(conv(x, width, c, 1, 1)), width, width, 3, s));
      const out = conv(h, width * 4, width, 1, 1);
      const skip = b === 0 ? conv(x, width * 4, c, 1, s) : x;
      nodes.push({ op: 'Add', inputs: [out, skip], outputs: [`${out}_add`] });
      x = relu(`${out}_add`);
      c = width * 4;
    }
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['gap'] }, { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] });
  inits.push({ name: 'fc.weight', dims: [1000, 2048], data: Float32Array.from(randn(2048000, seed++), (v) => v / Math.sqrt(2048)) });
  nodes.push({ op: 'Gemm', inputs: ['flat', 'fc.weight'], outputs: ['logits'], attrs: { transB: 1 } });
  return buildModel({ inputs: [{ name: 'input', shape: [1, 3, 224, 224] }], outputs: [{ name: 'logits' }], nodes, initializers: inits });
}

/** What the numbers mean (static; the table above it is measured). */
const NOTES = `Where the time goes. \`rankF64\` needs the small singular values of rank-deficient weights to an absolute
accuracy of about eps64·σmax; the Gram path (eigenvalues of AᵀA) cannot give them (below gramMinRtol·σmax its values are
noise). So weights the Gram path cannot settle, and square-ish weights (long side ≤ 1.4× the short side) from the start,
take the values-only bidiagonal path (Householder bidiagonalisation + dqds, accurate to eps·σmax as gesdd is; column
"bidiag path"). Everything else takes the Gram path. The work is spread over two worker threads.
Every rank, rankF64, nullity and flag agrees with numpy on all 165 PP-OCR weights (\`python3 bench/compare_census.py\`).

The classifier. All 47 of its matrices with more than one singular value are small (≤ 200×50), so they run in the
main thread (one message each to a worker would cost about as much as the SVD); its 860 depthwise filters (1×9,
1×25) are settled by their norm in one loop per weight. Measured with \`performance.now()\` around each phase, the
5 timed runs of an earlier table (runs 3–7 of a fresh process, quiet machine, before the Gram path's
rational QL) spent ≈ 2 ms reading the file (sha256,
protobuf), 1–3 ms indexing the graph, ≈ 1 ms decoding the weights to float64, ≈ 3.5 ms on ranks (≈ 2 ms of it in
matrixRank) and ≈ 1 ms on the first layer; the main thread is on the CPU for ≈ 6.5 ms of those ≈ 9 ms (one
young-generation GC of 1–2 ms per run). Once V8 has optimised the code (after ≥ 20 runs) the whole census takes
3.9 ms (median of 150 runs), against numpy's 8 ms for the SVDs alone on weights already in memory: what kept
"whole" near 1× then was warm-up, not the SVDs. With the rational QL (64 × 64 eigenvalues 120 → 77 µs) the
classifier's whole census measured 1.14× numpy (run of 2026-11-23 13:47; 0.79× that morning). Sending the small matrices to idle workers in one batch
message per worker was tried and measured slower (median 5.1–5.4 ms against 4.0).`;

interface Stat { n: number; mean: number; sd: number }
const stat = (t: number[]): Stat => {
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  return { n: t.length, mean, sd: Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1)) };
};

const tmp = mkdtempSync(join(tmpdir(), 'nullspace-census-'));
try {
  const assets = join(here, '..', 'node_modules', '@gutenye', 'ocr-models', 'assets');
  const resnet = join(tmp, 'resnet50-shapes.onnx');
  writeFileSync(resnet, resnet50());
  const models = [
    join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(assets, 'ch_PP-OCRv4_det_infer.onnx'), join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), resnet,
  ];
  const loadBefore = loadavg();
  const t0 = performance.now();
  const engine = await poolEngine(THREADS);
  const startup = performance.now() - t0;
  const ours: Record<string, Stat> = {};
  const oursWeights: Record<string, Stat> = {};
  const counts: Record<string, { weights: number; rd: number; wide: number; rechecks: string }> = {};
  for (const path of models) {
    const name = path.split('/').pop()!.replace(/\.onnx$/, '');
    const times: number[] = [], wtimes: number[] = [];
    for (let r = -WARMUP + 1; r <= RUNS; r++) {
      const t1 = performance.now();
      let tw = 0;
      const f = readModelFile(path);
      const rep = await census(f.model, engine, {
        path: name, sha256: f.sha256, external: f.external, size: name.startsWith('ch_') ? { h: 48, w: 192 } : undefined,
        onWeights: (uses, recs) => {
          tw = performance.now() - t1;
          if (r === -WARMUP + 1) writeFilesAtomic(join(tmp, 'dump', name), weightDump(uses, recs));
        },
      });
      if (r > 0) { times.push(performance.now() - t1); wtimes.push(tw); } // warm-up runs (the first writes the dump) are not counted
      const re = rep.weights.filter((w) => w.path.includes('bidiag'));
      counts[name] = { weights: rep.summary.weights, rd: rep.summary.rankDeficient, wide: rep.summary.wide,
        rechecks: re.length ? `${re.length} (largest ${[...re].sort((a, b) => b.inDim * b.outDim - a.inDim * a.outDim).map((w) => `${w.outDim}×${w.inDim}`)[0]})` : '0' };
    }
    ours[name] = stat(times);
    oursWeights[name] = stat(wtimes);
  }
  await engine.close();
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE;
  const py = JSON.parse(execFileSync('python3', [join(here, 'census_numpy.py'), ...models.map((m) => join(tmp, 'dump', m.split('/').pop()!.replace(/\.onnx$/, ''))), '--repeat', String(RUNS + WARMUP), '--json'], { env, encoding: 'utf8' })) as Record<string, { seconds: number[] }>;
  const lines = [
    `Census time in ms (n runs after ${WARMUP} warm-up runs, mean ± sd). nullspace, on a pool of ${THREADS} worker threads (start-up ${startup.toFixed(0)} ms, once, not included): "weights" = read and decode the ONNX file + rank, rankF64, σmax, σmin of every weight group; "whole" adds the first layer and its operator A_img at the input size (48×192 for PP-OCR, 224×224 for ResNet-50). numpy ${execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim()}: the same per-weight census (np.linalg.svd values only, float64; rank at both tolerances from one SVD) on weights already loaded from .npy, single-threaded (OMP/OPENBLAS/MKL_NUM_THREADS=1, OPENBLAS_CORETYPE/L2_SIZE unset). Ratio > 1: nullspace is faster.`,
    '',
    '| model | weights | rank-deficient | wide | bidiag path | nullspace weights | nullspace whole | numpy 1 thread | numpy / nullspace weights | numpy / nullspace whole |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of models) {
    const name = m.split('/').pop()!.replace(/\.onnx$/, '');
    const p = stat(py[name]!.seconds.slice(WARMUP).map((s) => s * 1000));
    const o = ours[name]!;
    const c = counts[name]!;
    const w = oursWeights[name]!;
    const f = (x: Stat) => `${x.mean.toFixed(0)} ± ${x.sd.toFixed(0)} (n=${x.n})`;
    lines.push(`| ${name} | ${c.weights} | ${c.rd} | ${c.wide} | ${c.rechecks} | ${f(w)} | ${f(o)} | ${f(p)} | ${(p.mean / w.mean).toFixed(2)}× | ${(p.mean / o.mean).toFixed(2)}× |`);
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(', ');
  lines.push('', `Load average (1, 5, 15 min) on ${availableParallelism()} cores: ${load(loadBefore)} at the start, ${load(loadavg())} at the end (the bench itself adds ≈ 1).`);
  const table = lines.join('\n');
  console.log(table);
  if (argv.includes('--write-readme')) {
    const readme = join(here, 'README.md');
    let text = '';
    try { text = readFileSync(readme, 'utf8'); } catch { text = '# Benchmarks\n'; }
    const section = `## Census\n\n${table}\n\n${NOTES}\n\nRun: \`node --import tsx bench/census.ts --write-readme\` (also part of \`npm run bench\`), ${new Date().toISOString().slice(0, 16)} UTC, on a 2-core machine shared with other jobs.\n`;
    const re = /## Census\n[\s\S]*?(?=\n## |$)/;
    text = re.test(text) ? text.replace(re, `${section.trimEnd()}\n`) : `${text.trimEnd()}\n\n${section}`;
    writeFileSync(readme, text.endsWith('\n') ? text : `${text}\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
