// Seeded, structure-aware ONNX cases for the fuzzer: small valid models (conv, Constant-node weights,
// Gemm, grouped convs, external data) built with src/onnx/writer.ts, then 1–3 mutations — semantic ones
// on the decoded ModelProto (op attributes, tensor dims, data sizes and types, external-data entries,
// graph wiring, op types, input shapes) and wire-level ones on the protobuf bytes (field tags, length
// varints, truncation, flipped bytes).
import { buildModel, constantNode, rawBytes, type ModelSpec, type NodeSpec } from '../src/onnx/writer.js';
import { onnx, type ModelProto } from '../src/onnx/proto.js';
import { rng, type Rng } from '../src/linalg/random.js';
import { int, pick, bytesOf } from './png.js';

const weights = (n: number, seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => r.normal() * 0.3); };

/** Name of the external-data file the `external` base model reads (the fuzzer writes it beside the model). */
export const EXTERNAL_FILE = 'w.bin';
/** Its contents: the 2×3×3×3 conv weight as float32. */
export const EXTERNAL_BYTES = rawBytes(weights(54, 5), 'float32');

const conv = (w: string, extra: Partial<ModelSpec> = {}, outC = 2, c = 3): ModelSpec => ({
  inputs: [{ name: 'x', shape: [1, c, 8, 8] }], outputs: [{ name: 'out' }],
  nodes: [
    { op: 'Conv', inputs: ['x', w, 'b'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 1, dilations: [1, 1] } },
    { op: 'Relu', inputs: ['y'], outputs: ['r'] },
    { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
    { op: 'Flatten', inputs: ['g'], outputs: ['out'] },
  ],
  initializers: [{ name: 'b', dims: [outC], data: weights(outC, 9) }],
  ...extra,
});

/** The base models, by name. */
export const BASES: Record<string, () => ModelSpec> = {
  conv: () => { const s = conv('w'); s.initializers!.push({ name: 'w', dims: [2, 3, 3, 3], data: weights(54, 1) }); return s; },
  constant: () => { const s = conv('w'); s.nodes.unshift(constantNode({ name: 'w', dims: [2, 3, 3, 3], data: weights(54, 2) })); return s; },
  external: () => { const s = conv('w'); s.initializers!.push({ name: 'w', dims: [2, 3, 3, 3], data: new Float32Array(54), external: { location: EXTERNAL_FILE, offset: 0, length: 216 } }); return s; },
  gemm: () => ({
    inputs: [{ name: 'x', shape: [1, 1, 4, 4] }], outputs: [{ name: 'out' }],
    nodes: <NodeSpec[]>[
      { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attrs: { transB: 1 } },
      { op: 'MatMul', inputs: ['y', 'w2'], outputs: ['out'] },
    ],
    initializers: [{ name: 'w', dims: [6, 16], data: weights(96, 3) }, { name: 'b', dims: [6], data: weights(6, 4) }, { name: 'w2', dims: [6, 3], data: weights(18, 6) }],
  }),
  grouped: () => ({
    inputs: [{ name: 'x', shape: [1, 4, 8, 8] }], outputs: [{ name: 'out' }],
    nodes: <NodeSpec[]>[
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], group: 2, strides: [1, 1] } },
      { op: 'Conv', inputs: ['y', 'w2'], outputs: ['out'], attrs: { kernel_shape: [1, 1], group: 4 } },
    ],
    initializers: [{ name: 'w', dims: [4, 2, 3, 3], data: weights(72, 7) }, { name: 'w2', dims: [4, 1, 1, 1], data: weights(4, 8), dtype: 'float64' }],
  }),
};

const INTS = [0, 1, -1, 2, 3, 7, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 1e9];
const OPS = ['Conv', 'Gemm', 'MatMul', 'ConvTranspose', 'Relu', 'Foo', 'QLinearConv', 'ConvInteger', 'MatMulInteger', 'Add', 'Reshape', 'Constant', 'Flatten', ''];
const LOCATIONS = [EXTERNAL_FILE, `./${EXTERNAL_FILE}`, `../${EXTERNAL_FILE}`, '/etc/passwd', 'sub/../../x', 'missing.bin', 'link.bin', '', '.', 'w.bin/..', 'C:\\w.bin'];
const NUMBERS = ['0', '1', '-1', '216', '217', '100000000000', 'abc', '1e3', '', '0x10', '9007199254740993'];

type Proto = ReturnType<typeof onnx.ModelProto.decode> & { graph: NonNullable<ModelProto['graph']> };
type Semantic = (r: Rng, m: Proto) => string;

function intsOf(r: Rng): number[] {
  const n = int(r, 0, 5);
  return Array.from({ length: n }, () => (r.uniform() < 0.7 ? pick(r, INTS) : int(r, 0, 5)));
}

const SEMANTIC: Semantic[] = [
  function attribute(r, m) {
    const nodes = m.graph.node ?? []; if (nodes.length === 0) return 'no nodes';
    const n = pick(r, nodes);
    const name = pick(r, ['kernel_shape', 'strides', 'pads', 'group', 'dilations', 'auto_pad', 'transB', 'transA', 'axis', 'value']);
    n.attribute = (n.attribute ?? []).filter((a) => a.name !== name || r.uniform() < 0.3);
    const kind = int(r, 0, 3);
    const a = onnx.AttributeProto.create({ name });
    if (kind === 0) { a.type = onnx.AttributeProto.AttributeType.INTS; a.ints = intsOf(r); }
    else if (kind === 1) { a.type = onnx.AttributeProto.AttributeType.INT; a.i = pick(r, INTS); }
    else if (kind === 2) { a.type = onnx.AttributeProto.AttributeType.STRING; a.s = new TextEncoder().encode(pick(r, ['SAME_UPPER', 'VALID', 'NOTSET', 'x'])); }
    else { a.type = int(r, 0, 14); }
    n.attribute.push(a);
    return `attribute ${name} of ${n.opType}`;
  },
  function tensorDims(r, m) {
    const ts = tensors(m); if (ts.length === 0) return 'no tensors';
    const t = pick(r, ts);
    t.dims = r.uniform() < 0.5 ? intsOf(r) : (t.dims ?? []).map((d) => (r.uniform() < 0.4 ? pick(r, INTS) : d));
    return `dims of ${t.name}`;
  },
  function tensorData(r, m) {
    const ts = tensors(m); if (ts.length === 0) return 'no tensors';
    const t = pick(r, ts);
    const k = int(r, 0, 4);
    if (k === 0 && t.rawData) t.rawData = t.rawData.subarray(0, int(r, 0, t.rawData.length));
    else if (k === 1) t.rawData = bytesOf(r, int(r, 0, 300));
    else if (k === 2) { t.rawData = new Uint8Array(0); t.floatData = Array.from({ length: int(r, 0, 60) }, () => r.normal()); }
    else if (k === 3) t.dataType = int(r, 0, 24);
    else { t.int64Data = Array.from({ length: int(r, 0, 60) }, () => int(r, -5, 5)); t.dataType = pick(r, [6, 7, 3, 2]); t.rawData = new Uint8Array(0); }
    return `data of ${t.name} (${k})`;
  },
  function external(r, m) {
    const ts = tensors(m); if (ts.length === 0) return 'no tensors';
    const t = pick(r, ts);
    t.dataLocation = r.uniform() < 0.9 ? 1 : int(r, 0, 5);
    const entries: { key: string; value: string }[] = [];
    if (r.uniform() < 0.9) entries.push({ key: 'location', value: pick(r, LOCATIONS) });
    if (r.uniform() < 0.6) entries.push({ key: 'offset', value: pick(r, NUMBERS) });
    if (r.uniform() < 0.6) entries.push({ key: 'length', value: pick(r, NUMBERS) });
    if (r.uniform() < 0.2) entries.push({ key: pick(r, ['checksum', 'location', 'x']), value: 'y' });
    t.externalData = entries.map((e) => onnx.StringStringEntryProto.create(e));
    if (r.uniform() < 0.7) t.rawData = new Uint8Array(0);
    return `external data of ${t.name}: ${JSON.stringify(entries)}`;
  },
  function wiring(r, m) {
    const nodes = m.graph.node ?? []; if (nodes.length === 0) return 'no nodes';
    const names = [...nodes.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]), 'x', 'missing', ''];
    const n = pick(r, nodes);
    const k = int(r, 0, 4);
    if (k === 0 && n.input?.length) n.input[int(r, 0, n.input.length - 1)] = pick(r, names);
    else if (k === 1 && n.output?.length) n.output[int(r, 0, n.output.length - 1)] = pick(r, names);
    else if (k === 2) nodes.splice(int(r, 0, nodes.length - 1), 1);
    else if (k === 3) { const a = int(r, 0, nodes.length - 1), b = int(r, 0, nodes.length - 1); [nodes[a], nodes[b]] = [nodes[b]!, nodes[a]!]; }
    else n.input = (n.input ?? []).slice(0, int(r, 0, (n.input ?? []).length));
    return `wiring ${k} at ${n.opType}`;
  },
  function opType(r, m) { const nodes = m.graph.node ?? []; if (nodes.length === 0) return 'no nodes'; const n = pick(r, nodes); n.opType = pick(r, OPS); if (r.uniform() < 0.2) n.domain = pick(r, ['com.microsoft', 'x', '']); return `op → ${n.opType}`; },
  function inputShape(r, m) {
    const v = m.graph.input?.[0]; const shape = v?.type?.tensorType?.shape; if (!shape?.dim) return 'no input shape';
    const d = pick(r, shape.dim.length ? shape.dim : [onnx.TensorShapeProto.Dimension.create()]);
    if (r.uniform() < 0.5) { d.dimValue = pick(r, INTS); d.dimParam = ''; } else { d.dimParam = 'N'; d.dimValue = 0; }
    if (r.uniform() < 0.2) shape.dim.splice(int(r, 0, shape.dim.length), r.uniform() < 0.5 ? 1 : 0, onnx.TensorShapeProto.Dimension.create({ dimValue: int(r, 0, 4) }));
    if (r.uniform() < 0.1) v!.type!.tensorType!.elemType = int(r, 0, 20);
    return 'input shape';
  },
];

function tensors(m: Proto) {
  const out = [...(m.graph.initializer ?? [])];
  for (const n of m.graph.node ?? []) for (const a of n.attribute ?? []) if (a.t) out.push(a.t);
  return out;
}

/** Offsets of every (tag, value) field in a protobuf message, recursing into fields that parse as messages. */
function fields(b: Uint8Array, start: number, end: number, depth: number, out: { tag: number; tagLen: number; lenAt?: number; lenLen?: number }[]): boolean {
  let p = start;
  const varint = (): [number, number] | undefined => {
    let v = 0, mul = 1, q = p;
    while (q < end && q - p < 10) { const c = b[q++]!; v += (c & 0x7f) * mul; mul *= 128; if (c < 0x80) return [v, q - p]; }
    return undefined;
  };
  const found: typeof out = [];
  while (p < end) {
    const tag = varint(); if (!tag) return false;
    const at = p; p += tag[1];
    const wt = tag[0] & 7;
    if (wt === 0) { const v = varint(); if (!v) return false; p += v[1]; found.push({ tag: at, tagLen: tag[1] }); }
    else if (wt === 1) { p += 8; found.push({ tag: at, tagLen: tag[1] }); }
    else if (wt === 5) { p += 4; found.push({ tag: at, tagLen: tag[1] }); }
    else if (wt === 2) {
      const l = varint(); if (!l) return false;
      const lenAt = p; p += l[1];
      if (p + l[0] > end) return false;
      found.push({ tag: at, tagLen: tag[1], lenAt, lenLen: l[1] });
      if (depth < 8 && l[0] > 1) fields(b, p, p + l[0], depth + 1, found);
      p += l[0];
    } else return false;
  }
  if (p !== end) return false;
  out.push(...found);
  return true;
}

function varintBytes(v: number): number[] {
  const out: number[] = [];
  let x = Math.max(0, Math.floor(v));
  do { let c = x % 128; x = Math.floor(x / 128); if (x > 0) c |= 0x80; out.push(c); } while (x > 0 && out.length < 10);
  return out;
}

function splice(b: Uint8Array, at: number, remove: number, insert: number[]): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at)); out.set(insert, at); out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

const WIRE: ((r: Rng, b: Uint8Array) => [Uint8Array, string])[] = [
  (r, b) => { const fs: Parameters<typeof fields>[4] = []; fields(b, 0, b.length, 0, fs); if (!fs.length) return [b, 'no fields']; const f = pick(r, fs); const tag = int(r, 1, 20) * 8 + int(r, 0, 7); return [splice(b, f.tag, f.tagLen, varintBytes(tag)), `tag → ${tag >> 3}:${tag & 7}`]; },
  (r, b) => {
    const fs: Parameters<typeof fields>[4] = []; fields(b, 0, b.length, 0, fs);
    const ls = fs.filter((f) => f.lenAt !== undefined); if (!ls.length) return [b, 'no lengths'];
    const f = pick(r, ls); const v = r.uniform() < 0.5 ? pick(r, [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 53]) : int(r, 0, 400);
    return [splice(b, f.lenAt!, f.lenLen!, varintBytes(v)), `length → ${v}`];
  },
  (r, b) => { const n = int(r, 0, b.length - 1); return [b.subarray(0, n), `truncated at ${n}`]; },
  (r, b) => { const d = new Uint8Array(b); const n = int(r, 1, 4); for (let i = 0; i < n; i++) d[int(r, 0, d.length - 1)] = int(r, 0, 255); return [d, 'bytes flipped']; },
  (r, b) => { const at = int(r, 0, b.length); return [splice(b, at, 0, Array.from(bytesOf(r, int(r, 1, 16)))), `inserted bytes at ${at}`]; },
];

export interface OnnxCase { bytes: Uint8Array; base: string; what: string[] }

/** One fuzz case: a base model with 1–3 mutations (semantic with probability 0.7, else on the wire). */
export function onnxCase(r: Rng): OnnxCase {
  const base = pick(r, Object.keys(BASES));
  let bytes = buildModel(BASES[base]!());
  const what: string[] = [];
  const m = int(r, 1, 3);
  for (let i = 0; i < m; i++) {
    if (r.uniform() < 0.7) {
      let proto: Proto;
      try { proto = onnx.ModelProto.decode(bytes) as Proto; } catch { what.push('(undecodable; semantic skipped)'); continue; }
      if (!proto.graph) { what.push('(no graph)'); continue; }
      what.push(pick(r, SEMANTIC)(r, proto));
      bytes = onnx.ModelProto.encode(proto).finish();
    } else {
      const [b, w] = pick(r, WIRE)(r, bytes);
      bytes = b; what.push(w);
    }
  }
  return { bytes, base, what };
}
