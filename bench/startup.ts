// Start-up benchmark: whole-process times of the built CLI (bin/nullspace.js → dist/), as a user
// runs it — `--version`, `--help`, a command's --help, and `inspect` of a model holding one
// 512×4608 weight (a Gemm built with our writer, seeded Gaussian float32) — next to `node -e 0`
// (Node's own floor) and numpy doing the same one-weight census (bench/census_numpy.py on the
// weight dumped as .npy: Python start-up, numpy import, load, LAPACK SVD; one BLAS thread).
// Each row: wall time and CPU time (user + sys, from bash's `time`) of `n` runs after 2 warm-ups.
// On a machine shared with other jobs the wall times stretch with the load; CPU time much less.
// Standalone: `npm run bench startup`. Flags: --runs N (default 10); --baseline DIR: also time
// DIR/bin/nullspace.js (another checkout, built) on the same rows, for before/after tables.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../src/onnx/writer.js';
import { randn } from '../src/linalg/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const RUNS = Number(flag('--runs') ?? 10);
const WARMUP = 2;
const baseline = flag('--baseline');

/** The newest .ts under src/ must be older than dist/: the bench times the build, not the source. */
function checkBuilt(): void {
  const newest = (dir: string, ext: string): number => readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext)).reduce((t, d) => Math.max(t, statSync(join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)).mtimeMs), 0);
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')) || newest(join(root, 'src'), '.ts') > newest(join(root, 'dist'), '.js')) {
    throw new Error('dist/ is missing or older than src/: run `npm run build:ts` first');
  }
}

interface Row { name: string; wall: number[]; cpu: number[] }

/** Runs `cmd args` (stdout, stderr discarded) under bash's `time`; returns wall and CPU ms. */
function timeOnce(cmd: string[], env: NodeJS.ProcessEnv = process.env): { wall: number; cpu: number } {
  const quoted = cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ( ${quoted} > /dev/null 2>/dev/null )`], { encoding: 'utf8', env, cwd: root });
  const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd.join(' ')}: bash exited ${r.status}: ${r.stderr.slice(-300)}`);
  return { wall: 1000 * +m[1]!, cpu: 1000 * (+m[2]! + +m[3]!) };
}

function measure(name: string, cmd: string[], env?: NodeJS.ProcessEnv): Row {
  const row: Row = { name, wall: [], cpu: [] };
  for (let i = -WARMUP; i < RUNS; i++) {
    const t = timeOnce(cmd, env);
    if (i >= 0) { row.wall.push(t.wall); row.cpu.push(t.cpu); }
  }
  return row;
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: number[]) => { const m = mean(x); return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, x.length - 1)); };
const median = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

checkBuilt();
const tmp = mkdtempSync(join(tmpdir(), 'nullspace-startup-'));
try {
  const model = join(tmp, 'one-weight.onnx');
  writeFileSync(model, buildModel({
    inputs: [{ name: 'x', shape: [1, 4608] }], outputs: [{ name: 'y', shape: [1, 512] }],
    nodes: [{ op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'], attrs: { transB: 1 } }],
    initializers: [{ name: 'w', dims: [512, 4608], data: Float32Array.from(randn(512 * 4608, 1)) }],
  }));
  const dump = join(tmp, 'dump');
  execFileSync(process.execPath, [join(root, 'bin', 'nullspace.js'), 'inspect', model, '--dump-weights', dump], { stdio: 'ignore' });
  const oneThread: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete oneThread.OPENBLAS_CORETYPE; delete oneThread.OPENBLAS_L2_SIZE;

  const loadBefore = loadavg();
  const rows: Row[] = [measure('node -e 0 (Node alone)', [process.execPath, '-e', '0'])];
  const builds: [string, string][] = [['', root]];
  if (baseline) builds.push([` (baseline ${relative(root, baseline) || baseline})`, baseline]);
  for (const [tag, dir] of builds) {
    const bin = join(dir, 'bin', 'nullspace.js');
    const ns = (...a: string[]) => [process.execPath, bin, ...a];
    rows.push(
      measure(`nullspace --version${tag}`, ns('--version')),
      measure(`nullspace --help${tag}`, ns('--help')),
      measure(`nullspace collide --help${tag}`, ns('collide', '--help')),
      measure(`nullspace inspect one-weight.onnx${tag}`, ns('inspect', model)),
      measure(`nullspace inspect one-weight.onnx --threads 1${tag}`, ns('inspect', model, '--threads', '1')),
    );
  }
  rows.push(measure('numpy: census_numpy.py on the dumped weight', ['python3', join(here, 'census_numpy.py'), join(dump, 'one-weight')], oneThread));
  const loadAfter = loadavg();

  const f = (x: number) => x.toFixed(0);
  const lines = [
    `Whole-process times in ms of ${RUNS} runs after ${WARMUP} warm-ups (wall: mean ± sd, median; CPU: user + sys, median). one-weight.onnx: one Gemm, weight 512×4608 float32 (9.4 MB).`,
    '',
    '| command | wall mean ± sd | wall median | CPU median |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${f(mean(r.wall))} ± ${f(sd(r.wall))} | ${f(median(r.wall))} | ${f(median(r.cpu))} |`),
    '',
    `Load average (1, 5, 15 min) on ${availableParallelism()} cores: ${loadBefore.map((x) => x.toFixed(1)).join(', ')} at the start, ${loadAfter.map((x) => x.toFixed(1)).join(', ')} at the end.`,
  ];
  console.log(lines.join('\n'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
