// SVD benchmark: this core (f64, f32) against ml-matrix and numpy (single-threaded), values-only
// and with V, on the shapes of issue 2. Prints one markdown table. Standalone: `npm run bench svd`.
import { spawnSync } from 'node:child_process';
import { Matrix, SVD } from 'ml-matrix';
import { svd } from '../src/linalg/svd.js';
import { singularValues } from '../src/linalg/singular-values.js';
import { randn } from '../src/linalg/random.js';
import { EPS32 } from '../src/linalg/tolerance.js';

const ALL: [number, number][] = [[64, 147], [64, 576], [512, 4608], [768, 768], [2048, 1000], [768, 3072]];
// --quick skips ml-matrix; --shape MxN (repeatable) restricts the shapes; --values skips with-V.
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const valuesOnly = argv.includes('--values');
const picked = argv.flatMap((a, i) => (a === '--shape' ? [argv[i + 1]] : []));
const SHAPES = picked.length ? ALL.filter(([m, n]) => picked.includes(`${m}x${n}`)) : ALL;

interface Stat { n: number; mean: number; sd: number; note?: string }

/**
 * Repeats fn until ~budget ms or maxReps runs (at least minReps); ms per run. Untimed warm-up
 * runs first (V8 runs new WASM/JS code in a baseline tier until the optimising compile is done);
 * a first run longer than the budget is reported as the single measurement.
 */
function time(fn: () => void, budget: number, minReps = 2, maxReps = 20): Stat {
  // Warm-up: at least one run and ≥ 250 ms, so hot WASM functions leave V8's baseline tier.
  const w0 = performance.now();
  fn();
  const warm = performance.now() - w0;
  if (warm > budget) return { n: 1, mean: warm, sd: 0, note: 'one run' };
  while (performance.now() - w0 < 250) fn();
  const t: number[] = [];
  const start = performance.now();
  while (t.length < minReps || (t.length < maxReps && performance.now() - start < budget)) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1));
  return { n: t.length, mean, sd };
}

function mlMatrix(a: Float64Array, m: number, n: number, withV: boolean): Stat {
  const M = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]!);
  const run = () => { new SVD(M, { computeLeftSingularVectors: false, computeRightSingularVectors: withV, autoTranspose: true }); };
  return time(run, 4000, 1, 5);
}

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function numpyTimes(): Map<string, Stat> {
  const out = new Map<string, Stat>();
  if (!hasNumpy) return out;
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = `
import json, time, numpy as np
shapes = json.loads(${JSON.stringify(JSON.stringify(SHAPES))})
res = {}
for m, n in shapes:
    a = np.random.default_rng(1).standard_normal((m, n))
    for mode in (('values',) if ${valuesOnly ? 'True' : 'False'} else ('values', 'v', 'thin')):
        if mode == 'thin' and m >= n: continue
        f = (lambda: np.linalg.svd(a, compute_uv=False)) if mode == 'values' else (lambda: np.linalg.svd(a, full_matrices=(mode == 'v')))
        f()
        t = []
        t0 = time.perf_counter()
        while len(t) < 2 or (len(t) < 10 and time.perf_counter() - t0 < 2.0):
            s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1000)
        res[f"{m}x{n}:{mode}"] = t
print(json.dumps(res))
`;
  const r = spawnSync('python3', ['-c', script], { env, maxBuffer: 1 << 24 });
  if (r.status !== 0) { console.error(`numpy run failed: ${r.stderr}`); return out; }
  for (const [key, t] of Object.entries(JSON.parse(r.stdout.toString()) as Record<string, number[]>)) {
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    out.set(key, { n: t.length, mean, sd: Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1)) });
  }
  return out;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const np = numpyTimes();
console.log(`numpy: ${hasNumpy ? 'single-threaded (OMP/OPENBLAS/MKL threads = 1)' : 'not available'}; times in ms`);
console.log('values-only ours: f64 = singularValues auto with the default rank rtol max(m,n)·eps32 (the Gram path), f32 = Jacobi f32; with-V ours: svd compute "v" — "full" is the n×n V, "thin" (full: false) its first min(m,n) rows, the same thing when m ≥ n; numpy with-V: svd(full_matrices=True) for full, False for thin (both also compute U); ml-matrix: SVD autoTranspose, U off, thin V. ml-matrix/ours compares like with like: thin V for a wide A\n');
console.log('| shape | mode | impl | path | n | mean ms | sd ms | ours/numpy | ml-matrix/ours |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [m, n] of SHAPES) {
  const a = randn(m * n, 1);
  const wide = m < n;
  for (const mode of valuesOnly ? (['values'] as const) : (['values', 'v'] as const)) {
    const rtol = Math.max(m, n) * EPS32;
    // impl, path, timing, and which numpy run it is compared with ('values' | 'v' | 'thin')
    const rows: { impl: string; path: string; st: Stat; ref: string }[] = [];
    if (mode === 'values') {
      let path64 = '', path32 = '';
      rows.push({ impl: 'ours f64', path: '', st: time(() => { path64 = singularValues(a, m, n, { rtol }).path; }, 3000), ref: 'values' });
      rows[0]!.path = path64;
      if (path64 !== 'jacobi') rows.push({ impl: 'ours f64 Jacobi', path: 'jacobi', st: time(() => svd(a, m, n), 3000, 1, 3), ref: 'values' });
      rows.push({ impl: 'ours f32', path: '', st: time(() => { path32 = singularValues(a, m, n, { method: 'jacobi', precision: 'f32' }).path; }, 3000, 1, 5), ref: 'values' });
      rows[rows.length - 1]!.path = path32;
    } else {
      for (const precision of ['f64', 'f32'] as const) {
        for (const full of wide ? [true, false] : [true]) {
          const st = time(() => svd(a, m, n, { compute: 'v', precision, full }), 3000, 1, precision === 'f64' ? 20 : 5);
          rows.push({ impl: `ours ${precision}${wide ? (full ? ' full' : ' thin') : ''}`, path: 'jacobi', st, ref: full ? 'v' : 'thin' });
        }
      }
    }
    // ml-matrix takes seconds to a minute on the large shapes: one run there (said in the note).
    const ml = quick ? undefined : mlMatrix(a, m, n, mode === 'v');
    for (const key of mode === 'values' ? ['values'] : wide ? ['v', 'thin'] : ['v']) {
      const ref = np.get(`${m}x${n}:${key}`);
      if (ref) rows.push({ impl: 'numpy', path: key === 'values' ? 'gesdd (values)' : key === 'v' ? 'gesdd (U, V full)' : 'gesdd (U, V thin)', st: ref, ref: key });
    }
    if (ml) rows.push({ impl: 'ml-matrix', path: mode === 'values' ? 'Golub–Kahan' : 'Golub–Kahan (thin V)', st: ml, ref: '' });
    for (const r of rows) {
      const ours = r.impl.startsWith('ours');
      const ref = np.get(`${m}x${n}:${r.ref}`);
      const vsNumpy = ours && ref ? fmt(r.st.mean / ref.mean) : '';
      const vsMl = ours && ml ? fmt(ml.mean / r.st.mean) : '';
      console.log(`| ${m}×${n} | ${mode === 'values' ? 'values' : 'with V'} | ${r.impl} | ${r.path} | ${r.st.n}${r.st.note ? ` (${r.st.note})` : ''} | ${fmt(r.st.mean)} | ${fmt(r.st.sd)} | ${vsNumpy} | ${vsMl} |`);
    }
  }
}
