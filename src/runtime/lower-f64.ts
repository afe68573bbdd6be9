// Rewrites a float32 ONNX model into one that onnxruntime runs entirely in float64: every float
// tensor (initializers, Constant values, graph inputs/outputs, Cast targets) becomes double, and
// every op onnxruntime lacks in float64 is lowered (lower-ops.ts) for one concrete input size.
// float64Plan() checks support up front and names the tensors whose sizes the lowering needs.
import { InputError } from '../core/errors.js';
import { attrInt, nodesFromSpecs, opsetVersion, topoOrder, type NodeLike, type TensorLike } from '../onnx/edit.js';
import { DataType, onnx, type ModelProto, type TensorProto } from '../onnx/proto.js';
import { decodeTensor } from '../onnx/tensor-data.js';
import { tensorProto, type NodeSpec } from '../onnx/writer.js';
import { LOWERINGS, type LowerContext } from './lower-ops.js';

/**
 * Default-domain ops onnxruntime-web 1.30 runs in float64 as they are (probed one node at a time,
 * see test/runtime/f64-support.test.ts). Ops outside this set and LOWERINGS are refused.
 */
export const NATIVE_F64: ReadonlySet<string> = Object.freeze(new Set([
  'Abs', 'Add', 'ArgMax', 'ArgMin', 'BatchNormalization', 'Cast', 'Ceil', 'Concat', 'Constant', 'ConstantOfShape',
  'Div', 'Dropout', 'Einsum', 'Equal', 'Exp', 'Expand', 'Flatten', 'Floor', 'Gather', 'GatherElements', 'Gemm',
  'Greater', 'Identity', 'LayerNormalization', 'Less', 'Log', 'LogSoftmax', 'MatMul', 'Max', 'MaxPool', 'Min', 'Mul', 'Neg', 'Pad', 'Pow', 'Range', 'Reciprocal', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd',
  'ReduceSum', 'ReduceSumSquare', 'Relu', 'Reshape', 'Round', 'Shape', 'Sigmoid', 'Sign', 'Sin', 'Cos', 'Size',
  'Slice', 'Softmax', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'Tanh', 'Tile', 'TopK', 'Transpose',
  'Unsqueeze', 'Where', 'Clip',
]));

const FLOATS = new Set<number>([DataType.float32, DataType.float16, DataType.bfloat16]);

function lowering(op: string, opset: number) {
  const l = LOWERINGS[op];
  return l && (!l.when || l.when(opset)) ? l.lower : undefined;
}

function nodeDomain(n: NodeLike): string {
  return n.domain && n.domain !== 'ai.onnx' ? n.domain : '';
}

/** Constant tensors by name: initializers and Constant nodes' `value`. */
function constants(model: ModelProto): Map<string, TensorLike> {
  const out = new Map<string, TensorLike>();
  for (const t of model.graph?.initializer ?? []) out.set(t.name ?? '', t);
  for (const n of model.graph?.node ?? []) {
    const v = n.opType === 'Constant' ? (n.attribute ?? []).find((a) => a.name === 'value') : undefined;
    if (v?.t && n.output?.[0]) out.set(n.output[0], v.t);
  }
  return out;
}

/** What float64 execution of a model needs: the tensors whose concrete dims must be probed. */
export interface Float64Plan {
  /** names of the tensors read or written by lowered nodes (not constants), in graph order */
  probe: string[];
  /** op types that will be lowered, with counts */
  lowered: Record<string, number>;
}

/**
 * Checks that every node can run in float64 and lists what the lowering must know.
 * @throws InputError naming every unsupported op (with counts and a first node name) in one message.
 */
export function float64Plan(model: ModelProto, source = 'model'): Float64Plan {
  const opset = opsetVersion(model);
  const consts = constants(model);
  const bad = new Map<string, { count: number; first: string }>();
  const probe = new Set<string>();
  const lowered: Record<string, number> = {};
  for (const n of topoOrder(model.graph!)) {
    const op = n.opType ?? '';
    const domain = nodeDomain(n);
    const key = domain ? `${domain}.${op}` : op;
    if (!domain && lowering(op, opset)) {
      lowered[op] = (lowered[op] ?? 0) + 1;
      for (const name of [...(n.input ?? []), ...(n.output ?? [])]) if (name && !consts.has(name)) probe.add(name);
    } else if (domain || !NATIVE_F64.has(op)) {
      const b = bad.get(key) ?? { count: 0, first: n.name || op };
      b.count++;
      bad.set(key, b);
    }
  }
  if (bad.size) {
    const list = [...bad].map(([op, b]) => `${op} (${b.count}×, e.g. ${b.first})`).join(', ');
    throw new InputError(`${source}: float64 execution does not support ${bad.size === 1 ? 'this op' : 'these ops'}: ${list}`);
  }
  return { probe: [...probe], lowered };
}

/** A constant's values as float64 (any storage type decodeTensor reads). */
function values(t: TensorLike, name: string): { dims: number[]; data: Float64Array } {
  return decodeTensor(t as TensorProto, { where: `tensor ${name}` });
}

function f64Tensor(t: TensorLike, name: string): TensorProto {
  const d = values(t, name);
  return tensorProto({ name, dims: d.dims, data: d.data, dtype: 'float64' }) as TensorProto;
}

/** FNV-style fingerprint of an index array, to share equal index initializers. */
function fingerprint(data: BigInt64Array | number[], dims: number[]): string {
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ Number(data[i]), 16777619);
  return `${dims.join('x')}:${data.length}:${h >>> 0}`;
}

/**
 * A float64 copy of `model` for one input size: float tensors widened, unsupported ops lowered.
 * @param model the float32 model (not modified)
 * @param dims concrete dims of every tensor named by float64Plan(model).probe
 * @throws InputError for unsupported ops or op settings; RangeError when a lowering disagrees with probed dims
 */
export function lowerToFloat64(model: ModelProto, dims: ReadonlyMap<string, readonly number[]>, source = 'model'): ModelProto {
  float64Plan(model, source);
  const m = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish()) as ModelProto;
  const g = m.graph!;
  const opset = opsetVersion(m);
  const consts = constants(m);
  const used = new Set<string>();
  for (const n of g.node ?? []) for (const s of [...(n.input ?? []), ...(n.output ?? [])]) used.add(s);
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) used.add(v.name ?? '');
  const nodes: NodeLike[] = [];
  const inits: TensorProto[] = [];
  const shared = new Map<string, { name: string; data: BigInt64Array | number[] }>();
  let pending: NodeSpec[] = [];
  let counter = 0;
  const fresh = (base: string) => {
    let name: string;
    do name = `f64/${base}_${counter++}`; while (used.has(name));
    used.add(name);
    return name;
  };
  const cx: LowerContext = {
    opset,
    dims(name) {
      const d = dims.get(name) ?? (consts.has(name) ? (consts.get(name)!.dims ?? []).map(Number) : undefined);
      if (!d) throw new RangeError(`float64 lowering needs the dims of ${name}, which were not probed`);
      return [...d];
    },
    constant(name) {
      const t = consts.get(name);
      return t ? values(t, name).data : undefined;
    },
    fresh,
    f64(base, data, d) {
      const name = fresh(base);
      inits.push(tensorProto({ name, dims: d, data, dtype: 'float64' }) as TensorProto);
      return name;
    },
    i64(base, data, d) {
      const key = fingerprint(data, d);
      const hit = shared.get(key);
      if (hit && hit.data.length === data.length && Array.prototype.every.call(hit.data, (v: unknown, i: number) => v === data[i])) return hit.name;
      const name = fresh(base);
      inits.push(tensorProto({ name, dims: d, data: data instanceof BigInt64Array ? data : BigInt64Array.from(data, BigInt), dtype: 'int64' }) as TensorProto);
      shared.set(key, { name, data });
      return name;
    },
    emit(spec) { pending.push({ name: fresh(spec.op), ...spec }); },
  };
  for (const n of topoOrder(g)) {
    const op = n.opType ?? '';
    const lower = nodeDomain(n) ? undefined : lowering(op, opset);
    if (lower) {
      pending = [];
      lower(n, cx);
      nodes.push(...nodesFromSpecs(pending));
      continue;
    }
    for (const a of n.attribute ?? []) {
      if ((op === 'Constant' || op === 'ConstantOfShape') && a.name === 'value' && a.t && FLOATS.has(a.t.dataType ?? 0)) a.t = f64Tensor(a.t, a.t.name ?? '');
      if (op === 'Cast' && a.name === 'to' && FLOATS.has(attrInt(n, 'to', 0))) a.i = DataType.float64;
    }
    const attrs = n.attribute ?? [];
    if (op === 'Constant' && attrs.some((a) => a.name === 'value_float' || a.name === 'value_floats')) {
      const a = attrs[0]!;
      const out = n.output![0]!;
      const data = new Float64Array(a.name === 'value_float' ? [a.f ?? 0] : a.floats ?? []);
      nodes.push(...nodesFromSpecs([{ op: 'Constant', name: n.name ?? fresh('Constant'), inputs: [], outputs: [out], attrs: { value: { tensor: { name: out, dims: a.name === 'value_float' ? [] : [data.length], data } } } }]));
      continue;
    }
    nodes.push(n);
  }
  // lowered ops leave their attribute-like inputs (Resize scales, ...) unread: drop those constants
  const read = new Set<string>([...nodes.flatMap((n) => n.input ?? []), ...[...(g.output ?? []), ...(g.input ?? [])].map((o) => o.name ?? '')]);
  g.node = nodes.filter((n) => n.opType !== 'Constant' || (n.output ?? []).some((o) => read.has(o)));
  const keptInits = (g.initializer ?? []).filter((t) => read.has(t.name ?? ''));
  g.initializer = [...keptInits.map((t) => (FLOATS.has(t.dataType ?? 0) ? f64Tensor(t, t.name ?? '') : t)), ...inits];
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) {
    const tt = v.type?.tensorType;
    if (tt && FLOATS.has(tt.elemType ?? 0)) tt.elemType = DataType.float64;
  }
  g.valueInfo = [];
  return m;
}
