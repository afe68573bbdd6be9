// Where a stem's level set can be built: from the model's first Conv, follow the one tensor it
// feeds through affine layers folded into it (BatchNormalization, per-channel constant Add, Sub,
// Mul, Div) and then discarding layers (Relu, Clip, HardSigmoid, HardSwish, MaxPool). Every
// tensor after a discarding layer is a candidate L, usable when it is a cut of the graph: every
// path from the image to an output passes through it (else a branch bypasses L and sees the
// pixels L forgets). Passing ops (Identity, Dropout, Cast) are skipped. Shapes are those of the
// input size the first layer was loaded at.
import { InputError } from '../core/errors.js';
import { indexGraph, type GraphIndex, type NodeRef } from '../onnx/graph.js';
import { weightReader, type WeightReader } from '../onnx/weights.js';
import { attrFloat, attrInt, attrInts, attrString } from '../onnx/attributes.js';
import type { GraphProto, ModelProto } from '../onnx/proto.js';
import type { ConvLayer } from '../collide/layer.js';
import type { LoadedLayer } from '../collide/model-layer.js';
import { outputSize } from '../linalg/geometry.js';
import type { Act, Pool, Step } from './program.js';
import { flatsOf, poolOutput } from './program.js';

/** A tensor L after the stem's discarding layers. */
export interface StemCandidate {
  /** the tensor's name in the graph */
  tensor: string;
  /** the node that produces it */
  node: string;
  /** discarding steps from the conv output to L */
  steps: Step[];
  /** L's shape C × H × W */
  shape: { c: number; h: number; w: number };
  /** null: a cut; else why L cannot be used (a branch bypasses it, ...) */
  refused: string | null;
}

export interface StemChain {
  /** the first conv with the folded affine layers after it (weight and bias) */
  conv: ConvLayer;
  /** names of the layers folded into it, in order */
  folded: string[];
  /** the conv output's shape (outC, oh, ow) */
  z: { c: number; h: number; w: number };
  candidates: StemCandidate[];
  /** why the walk stopped where it did */
  stop: string;
}

const PASS = new Set(['Identity', 'Dropout', 'Cast']);
const FOLD = new Set(['BatchNormalization', 'Add', 'Sub', 'Mul', 'Div']);
const FOLLOW = new Set([...PASS, ...FOLD, 'Relu', 'Clip', 'HardSigmoid', 'HardSwish', 'MaxPool']);

function only<T>(xs: T[] | undefined): T | undefined { return xs && xs.length === 1 ? xs[0] : undefined; }

/** A per-channel constant (scalar or C values in a [C,1,1] / [1,C,1,1] / [C] shape) as C numbers, or undefined. */
function perChannel(reader: WeightReader, name: string, channels: number, bn = false): Float64Array | undefined {
  const k = reader.constant(name);
  if (!k) return undefined;
  const d = k.data;
  if (d.length === 1) return new Float64Array(channels).fill(d[0]!);
  if (d.length !== channels) return undefined;
  if (bn) return Float64Array.from(d); // BatchNormalization's parameters are per channel whatever their shape
  const dims = k.dims;
  const at = dims.findIndex((x) => x === channels);
  // the channel axis must be axis 1 of NCHW: dims [C,1,1] or [1,C,1,1] (rank ≤ 3 broadcasts from the right)
  if (dims.length === 4 ? at !== 1 : dims.length === 3 ? at !== 0 || dims[1] !== 1 || dims[2] !== 1 : true) return undefined;
  return Float64Array.from(d);
}

function actOf(ref: NodeRef, reader: WeightReader): Act | undefined {
  const n = ref.node;
  switch (n.opType) {
    case 'Relu': return { op: 'Relu' };
    case 'Clip': {
      const ins = n.input ?? [];
      const val = (i: number, attr: string, fb: number) => {
        if (ins[i]) { const c = reader.constant(ins[i]!); return c && c.data.length === 1 ? c.data[0]! : NaN; }
        return attrFloat(n, attr, fb);
      };
      const min = val(1, 'min', -Infinity); const max = val(2, 'max', Infinity);
      return Number.isNaN(min) || Number.isNaN(max) || min > max ? undefined : { op: 'Clip', min, max };
    }
    case 'HardSigmoid': {
      const alpha = attrFloat(n, 'alpha', 0.2); const beta = attrFloat(n, 'beta', 0.5);
      return alpha > 0 ? { op: 'HardSigmoid', alpha, beta } : undefined;
    }
    case 'HardSwish': return { op: 'HardSwish' };
    default: return undefined;
  }
}

function poolOf(ref: NodeRef, used: (name: string) => boolean): Pool | string {
  const n = ref.node;
  if ((n.output ?? []).slice(1).some((o) => o && used(o))) return `MaxPool ${ref.label}: its Indices output is used`;
  const k = attrInts(n, 'kernel_shape') ?? [];
  if (k.length !== 2) return `MaxPool ${ref.label}: kernel ${JSON.stringify(k)} is not 2-D`;
  const s = attrInts(n, 'strides') ?? [1, 1];
  const d = attrInts(n, 'dilations') ?? [1, 1];
  const auto = attrString(n, 'auto_pad', 'NOTSET');
  if (auto !== 'NOTSET' && auto !== 'VALID') return `MaxPool ${ref.label}: auto_pad ${auto} is not supported`;
  const p = auto === 'VALID' ? [0, 0, 0, 0] : attrInts(n, 'pads') ?? [0, 0, 0, 0];
  if (s.length !== 2 || d.length !== 2 || p.length !== 4 || [...k, ...s, ...d].some((v) => !(v >= 1)) || p.some((v) => !(v >= 0))) {
    return `MaxPool ${ref.label}: kernel ${k}, strides ${s}, dilations ${d}, pads ${p} are not a valid 2-D pooling`;
  }
  return { kh: k[0]!, kw: k[1]!, sh: s[0]!, sw: s[1]!, dh: d[0]!, dw: d[1]!, padTop: p[0]!, padLeft: p[1]!, padBottom: p[2]!, padRight: p[3]!, ceil: attrInt(n, 'ceil_mode', 0) === 1 };
}

/**
 * Whether every path from `input` to a graph output passes through `tensor`; else the bypass.
 * A path is followed value by value; it stops at `tensor`.
 */
export function cutCheck(idx: GraphIndex, input: string, tensor: string): string | null {
  const outputs = new Set((idx.graph.output ?? []).map((o) => o.name ?? ''));
  const via = new Map<string, NodeRef>();
  const queue = [input];
  const seen = new Set(queue);
  while (queue.length) {
    const v = queue.shift()!;
    if (v === tensor) continue;
    if (outputs.has(v)) {
      // the first node of the bypass: walk back to the last node that is not on the way to L
      const path: NodeRef[] = [];
      for (let x = v; via.has(x);) { const r = via.get(x)!; path.unshift(r); x = (r.node.input ?? []).find((i) => seen.has(i) && via.has(i)) ?? ''; }
      const names = path.map((r) => r.label);
      return `output ${v} is reached from the image without passing through ${tensor}${names.length ? ` (via ${names.slice(-3).join(' → ')})` : ''}`;
    }
    for (const use of idx.consumers.get(v) ?? []) {
      for (const o of use.ref.node.output ?? []) if (o && !seen.has(o)) { seen.add(o); via.set(o, use.ref); queue.push(o); }
    }
  }
  return null;
}

/**
 * The stem after the model's first Conv (loaded by loadFirstLayer at the input size).
 * @throws InputError when the first layer is not a Conv
 */
export function stemChain(model: ModelProto, loaded: LoadedLayer, where = 'model'): StemChain {
  if (loaded.spec.kind !== 'conv') throw new InputError(`${where}: the first layer is ${loaded.spec.kind}; a stem starts with a Conv`);
  const idx = indexGraph(model.graph as GraphProto, where);
  const reader = weightReader(idx, { where });
  const base = loaded.spec;
  const g = base.geometry;
  const { oh, ow } = outputSize(g);
  const C = g.outC;
  const per = (g.c / g.groups) * g.kh * g.kw;
  const weight = Float64Array.from(base.weight);
  const bias = base.bias ? Float64Array.from(base.bias) : new Float64Array(C);
  const folded: string[] = [];
  const used = (name: string) => (idx.consumers.get(name)?.length ?? 0) > 0 || (idx.graph.output ?? []).some((o) => o.name === name);
  const scale = (s: Float64Array, t: Float64Array) => {
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < per; k++) weight[c * per + k] = s[c]! * weight[c * per + k]!;
      bias[c] = s[c]! * bias[c]! + t[c]!;
    }
  };
  const candidates: StemCandidate[] = [];
  const steps: Step[] = [];
  let shape = { c: C, h: oh, w: ow };
  let tensor = loaded.found.ref.node.output?.[0] ?? '';
  let stop = '';
  for (;;) {
    // follow the one reader the stem can continue through; other readers are branches, which the
    // cut check then refuses for every tensor after this one
    const readers = idx.consumers.get(tensor) ?? [];
    const use = only(readers) ?? only(readers.filter((u) => FOLLOW.has(u.ref.node.opType ?? '')));
    if (!use) { stop = `${tensor} is read by ${readers.length} nodes`; break; }
    const ref = use.ref; const n = ref.node; const op = n.opType ?? '';
    const out = n.output?.[0] ?? '';
    if ((ref.scope ?? '') !== '' || !out) { stop = `node ${ref.label} is inside a subgraph`; break; }
    if (PASS.has(op)) { tensor = out; if (steps.length) candidates[candidates.length - 1]!.tensor = out; continue; }
    if (FOLD.has(op) && steps.length === 0) {
      const ins = n.input ?? [];
      if (op === 'BatchNormalization') {
        const [sc, bb, mu, va] = [1, 2, 3, 4].map((i) => perChannel(reader, ins[i] ?? '', C, true));
        if (!sc || !bb || !mu || !va || (n.output ?? []).slice(1).some((o) => o && used(o))) { stop = `BatchNormalization ${ref.label} is not in inference form with constant per-channel parameters`; break; }
        const eps = attrFloat(n, 'epsilon', 1e-5);
        const s = sc.map((v, c) => v / Math.sqrt(va[c]! + eps));
        scale(s, bb.map((v, c) => v - s[c]! * mu[c]!));
      } else {
        const other = use.slot === 0 ? 1 : 0;
        const k = perChannel(reader, ins[other] ?? '', C);
        if (!k) { stop = `${op} ${ref.label} does not take a per-channel constant`; break; }
        const one = new Float64Array(C).fill(1); const zero = new Float64Array(C);
        if (op === 'Add') scale(one, k);
        else if (op === 'Mul') scale(k, zero);
        else if (op === 'Sub') { if (use.slot === 0) scale(one, k.map((v) => -v)); else scale(one.map(() => -1), k); }
        else if (use.slot === 0 && k.every((v) => v !== 0)) scale(k.map((v) => 1 / v), zero);
        else { stop = `Div ${ref.label} divides by the tensor`; break; }
      }
      folded.push(ref.label);
      tensor = out;
      continue;
    }
    let step: Step | undefined;
    if (op === 'MaxPool') {
      const last = [...steps].reverse().find((s) => s.kind === 'act');
      if (last && last.kind === 'act' && last.act.op === 'HardSwish') { stop = `MaxPool ${ref.label} after HardSwish (not monotone)`; break; }
      const p = poolOf(ref, used);
      if (typeof p === 'string') { stop = p; break; }
      const o = poolOutput(p, shape.h, shape.w);
      if (o.oh < 1 || o.ow < 1) { stop = `MaxPool ${ref.label}: output ${o.oh}×${o.ow}`; break; }
      step = { kind: 'pool', pool: p };
      shape = { c: shape.c, h: o.oh, w: o.ow };
    } else {
      const act = actOf(ref, reader);
      if (act) {
        step = { kind: 'act', act };
        try { flatsOf([...steps, step]); } catch (e) { stop = (e as Error).message; break; }
      }
    }
    if (!step) { stop = `${op} node ${ref.label} is neither folded nor discarding`; break; }
    steps.push(step);
    candidates.push({ tensor: out, node: ref.label, steps: [...steps], shape: { ...shape }, refused: null });
    tensor = out;
  }
  for (const c of candidates) c.refused = cutCheck(idx, loaded.input.name, c.tensor);
  return { conv: { kind: 'conv', weight, geometry: g, bias, name: base.name }, folded, z: { c: C, h: oh, w: ow }, candidates, stop };
}
