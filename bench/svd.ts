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

interface Stat { n: number; mean: number; sd: number; note?: string; lower?: boolean }

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
  // ml-matrix takes seconds to minutes on the large shapes: a single run there (said in the note).
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
    for mode in (('values',) if ${valuesOnly ? 'True' : 'False'} else ('values', 'v')):
        f = (lambda: np.linalg.svd(a, compute_uv=False)) if mode == 'values' else (lambda: np.linalg.svd(a, full_matrices=True))
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
console.log('values-only ours: f64 = singularValues auto with the default rank rtol max(m,n)·eps32 (the Gram path), f32 = Jacobi f32; with-V ours: svd compute "v" (full n×n V); numpy with-V: svd(full_matrices=True); ml-matrix: SVD autoTranspose, U off\n');
console.log('| shape | mode | impl | path | n | mean ms | sd ms | ours/numpy | ml-matrix/ours |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [m, n] of SHAPES) {
  const a = randn(m * n, 1);
  let mlValues: Stat | undefined;
  for (const mode of valuesOnly ? (['values'] as const) : (['values', 'v'] as const)) {
    const rtol = Math.max(m, n) * EPS32;
    const rows: { impl: string; path: string; st: Stat }[] = [];
    let path64 = '', path32 = '';
    const f64 = time(() => {
      if (mode === 'values') path64 = singularValues(a, m, n, { rtol }).path;
      else { svd(a, m, n, { compute: 'v' }); path64 = 'jacobi'; }
    }, 3000);
    rows.push({ impl: 'ours f64', path: path64, st: f64 });
    if (mode === 'values' && path64 !== 'jacobi') rows.push({ impl: 'ours f64 Jacobi', path: 'jacobi', st: time(() => svd(a, m, n), 3000, 1, 3) });
    const f32 = time(() => {
      if (mode === 'values') path32 = singularValues(a, m, n, { method: 'jacobi', precision: 'f32' }).path;
      else { svd(a, m, n, { compute: 'v', precision: 'f32' }); path32 = 'jacobi'; }
    }, 3000, 1, 5);
    rows.push({ impl: 'ours f32', path: path32, st: f32 });
    // ml-matrix with V costs more than its values-only run; where that already took > 20 s the
    // with-V run is skipped (it would take minutes) and its values-only time stands as a lower bound.
    let ml: Stat | undefined;
    if (!quick) {
      if (mode === 'v' && (mlValues?.mean ?? 0) > 20000) ml = { ...mlValues!, note: 'not run: ≥ its values-only time', lower: true };
      else ml = mlMatrix(a, m, n, mode === 'v');
      if (mode === 'values') mlValues = ml;
    }
    const ref = np.get(`${m}x${n}:${mode}`);
    if (ref) rows.push({ impl: 'numpy', path: mode === 'values' ? 'gesdd (values)' : 'gesdd (U, V full)', st: ref });
    if (ml) rows.push({ impl: 'ml-matrix', path: 'Golub–Kahan', st: ml });
    for (const r of rows) {
      const ours = r.impl.startsWith('ours');
      const vsNumpy = ours && ref ? fmt(r.st.mean / ref.mean) : '';
      const vsMl = ours && ml ? `${ml.lower ? '≥ ' : ''}${fmt(ml.mean / r.st.mean)}` : '';
      const reps = r.st.lower ? '—' : String(r.st.n);
      const mean = `${r.st.lower ? '≥ ' : ''}${fmt(r.st.mean)}`;
      console.log(`| ${m}×${n} | ${mode === 'values' ? 'values' : 'with V'} | ${r.impl} | ${r.path} | ${reps}${r.st.note ? ` (${r.st.note})` : ''} | ${mean} | ${r.st.lower ? '' : fmt(r.st.sd)} | ${vsNumpy} | ${vsMl} |`);
    }
  }
}
