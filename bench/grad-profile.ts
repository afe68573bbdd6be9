// Where the time of a Jacobian product goes, per op type: onnxruntime-node's profiler
// (enableProfiling writes one JSON file of per-node kernel times when a session ends) on the
// forward session and the adjoint (Jᵀ·u) session of the ResNet-50-shaped graph (bench/resnet.ts),
// at float32 or float64 (the lowered graph). Native rather than wasm because onnxruntime-web's
// profiler prints to stdout; the op mix is what matters here, not the backend's speed.
// Usage: node --import tsx bench/grad-profile.ts [--size 112] [--precision f64] [--runs 3] [--top 12]
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJacobian } from '../src/grad/index.js';
import { createSession } from '../src/runtime/session.js';
import { resnet50 } from './resnet.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const size = Number(flag('--size') ?? 112);
const precision = (flag('--precision') ?? 'f64') as 'f32' | 'f64';
const runs = Number(flag('--runs') ?? 3);
const top = Number(flag('--top') ?? 12);

const dir = mkdtempSync(join(tmpdir(), 'ns-grad-profile-'));
const bytes = resnet50(size);
const dims = [1, 3, size, size];
const x = Float64Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i / 7) * 0.8);
const u = Float64Array.from({ length: 1000 }, (_, i) => Math.cos(i));
const options = (what: string) => ({ precision, backend: 'native' as const, session: { enableProfiling: true, profileFilePrefix: join(dir, what) } });

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string; output_type_shape?: unknown } }

/** Kernel time per op type over the runs (the first, untimed warm-up run excluded), from the largest profile file of `what`. */
function summary(what: string, label: string): void {
  const files = readdirSync(dir).filter((f) => f.startsWith(what) && f.endsWith('.json'));
  // a float64 session also creates a size probe; the model's own session writes the largest file
  const file = files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]!;
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Event[];
  const starts = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length;
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = nodes.length / Math.max(1, starts);
  const timed = nodes.slice(Math.round(perRun)); // drop the warm-up run's nodes
  const byOp = new Map<string, { us: number; n: number }>();
  for (const e of timed) { const k = e.args?.op_name ?? '?'; const v = byOp.get(k) ?? { us: 0, n: 0 }; v.us += e.dur; v.n++; byOp.set(k, v); }
  const total = [...byOp.values()].reduce((a, v) => a + v.us, 0);
  const n = Math.max(1, starts - 1);
  console.log(`\n${label}: ${(total / 1000 / n).toFixed(1)} ms of kernel time per run (${n} runs, ${Math.round(perRun)} nodes per run)`);
  console.log('| op | ms per run | share | nodes per run |\n|---|---|---|---|');
  for (const [op, v] of [...byOp].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`| ${op} | ${(v.us / 1000 / n).toFixed(1)} | ${((100 * v.us) / total).toFixed(1)}% | ${Math.round(v.n / n)} |`);
  }
  const heavy = timed.slice().sort((a, b) => b.dur - a.dur).slice(0, 3);
  for (const e of heavy) console.log(`  heaviest: ${e.name.replace(/_kernel_time$/, '')} (${e.args?.op_name}) ${(e.dur / 1000).toFixed(1)} ms → ${JSON.stringify(e.args?.output_type_shape)}`);
}

const s = await createSession(bytes, options('forward'));
for (let i = 0; i <= runs; i++) await s.run({ [s.inputNames[0]!]: { data: x, dims } });
await s.release();
const j = await createJacobian(bytes, dims, options('adjoint'));
for (let i = 0; i <= runs; i++) await j.vjp(x, { [j.outputs[0]!]: u }, 1);
await j.release();
console.log(`ResNet-50-shaped graph at ${size}×${size}, ${precision}, onnxruntime-node (1 thread), profiles in ${dir}`);
summary('forward', 'forward');
summary('adjoint', 'adjoint (Jᵀ·u)');
