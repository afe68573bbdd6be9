// Builds the derivative graphs of a model for one input size: the tangent graph (forward mode:
// the image x and a batch of directions V [B, ...x] in, the chosen tensors and J·V out) and the
// adjoint graph (reverse mode: x and a batch of cotangents U per chosen tensor in, the tensors and
// Jᵀ·U [B, ...x] out). Both keep the primal graph and add the nodes of the per-op rules (rules.ts)
// for the nodes between x and the chosen tensors; the result is an ordinary float32 ONNX model, so
// it runs on onnxruntime as is and at float64 through the same lowering as inference.
// Internal: everything but buildGradModel and its types.
import { InputError } from '../core/errors.js';
import { nodesFromSpecs, opsetVersion, topoOrder, type NodeLike } from '../onnx/edit.js';
import { DataType, onnx, type ModelProto, type TensorProto } from '../onnx/proto.js';
import { decodeTensor } from '../onnx/tensor-data.js';
import { tensorProto, type NodeSpec } from '../onnx/writer.js';
import { op, zeros, type GradContext } from './context.js';
import type { TensorInfo } from './probe.js';
import type { Mode } from './rule.js';
import { RULES } from './rules.js';

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);
/** Prefix of every name the builder adds. */
export const GRAD_PREFIX = 'nullspace.grad/';
/** Name of the tangent input (directions) and of the gradient output (Jᵀ·U). */
export const TANGENT_INPUT = `${GRAD_PREFIX}directions`;
export const GRADIENT_OUTPUT = `${GRAD_PREFIX}gradient`;
/** Name of the tangent output (J·V) and of the cotangent input for a chosen tensor. */
export const tangentOutput = (name: string) => `${GRAD_PREFIX}tangent/${name}`;
export const cotangentInput = (name: string) => `${GRAD_PREFIX}cotangent/${name}`;

export interface GradModel {
  mode: Mode;
  model: ModelProto;
  input: string;
  inputDims: number[];
  /** the chosen tensors, and their dims */
  outputs: string[];
  outputDims: number[][];
  /** op types differentiated, with counts */
  ops: Record<string, number>;
}

function constantValues(model: ModelProto): Map<string, { dims: number[]; data: Float64Array }> {
  const out = new Map<string, { dims: number[]; data: Float64Array }>();
  const add = (name: string, t: TensorProto) => {
    try { out.set(name, decodeTensor(t, { where: `tensor ${name}` })); } catch { /* non-numeric constants are never read by rules */ }
  };
  for (const t of model.graph?.initializer ?? []) add(t.name ?? '', t as TensorProto);
  for (const n of model.graph?.node ?? []) {
    const v = n.opType === 'Constant' ? (n.attribute ?? []).find((a) => a.name === 'value') : undefined;
    if (v?.t && n.output?.[0]) add(n.output[0], v.t as TensorProto);
  }
  return out;
}

/**
 * The tangent or adjoint graph of `model` at one input size.
 * @param probe tensor dims, types and shape-arithmetic values from probeTensors at that size
 * @param outputs tensors to differentiate (graph outputs or intermediate names); default: the graph outputs
 * @throws InputError naming every op without a derivative rule (and every node a rule refuses) in one message
 */
export function buildGradModel(model: ModelProto, probe: ReadonlyMap<string, TensorInfo>, input: string, mode: Mode, outputs?: readonly string[], source = 'model'): GradModel {
  const m = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish()) as ModelProto;
  const g = m.graph!;
  const nodes = topoOrder(g);
  const consts = constantValues(m);
  const targets = outputs?.length ? [...outputs] : (g.output ?? []).map((o) => o.name ?? '');
  const produced = new Set(nodes.flatMap((n) => n.output ?? []));
  const unknown = targets.filter((t) => !produced.has(t) && t !== input);
  if (unknown.length) throw new InputError(`${source}: no node produces ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
  const isFloat = (name: string) => FLOAT_TYPES.has(probe.get(name)?.type ?? (consts.has(name) ? 'float32' : ''));

  // forward: tensors that depend on x; static: tensors fixed for the input size (constants, shape arithmetic)
  const active = new Set([input]);
  const staticT = new Set(consts.keys());
  for (const n of nodes) {
    const ins = (n.input ?? []).filter(Boolean);
    if (ins.some((i) => active.has(i))) for (const o of n.output ?? []) if (o && isFloat(o)) active.add(o);
    if (n.opType === 'Shape' || n.opType === 'Size' || (ins.length && ins.every((i) => staticT.has(i)))) for (const o of n.output ?? []) staticT.add(o);
  }
  // backward: tensors the chosen ones depend on
  const useful = new Set(targets);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k]!;
    if ((n.output ?? []).some((o) => useful.has(o))) for (const i of n.input ?? []) if (i) useful.add(i);
  }
  const relevant = nodes.filter((n) => (n.output ?? []).some((o) => active.has(o) && useful.has(o)));

  const specs: NodeSpec[] = [];
  const inits: TensorProto[] = [];
  const taken = new Set([...produced, ...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? '')]);
  let counter = 0;
  const seed = mode === 'tangent' ? TANGENT_INPUT : cotangentInput(targets[0]!);
  const cx: GradContext = {
    opset: opsetVersion(m),
    shape(name) {
      const d = probe.get(name)?.dims ?? consts.get(name)?.dims;
      if (!d) throw new RangeError(`derivative rules need the shape of ${name}, which was not probed`);
      return [...d];
    },
    constant(name) {
      const c = consts.get(name);
      if (c) return c.data;
      const v = staticT.has(name) ? probe.get(name)?.values : undefined;
      return v ? Float64Array.from(v) : undefined;
    },
    fresh(base) {
      let name: string;
      do name = `${GRAD_PREFIX}${base}_${counter++}`; while (taken.has(name));
      taken.add(name);
      return name;
    },
    emit(spec) { specs.push({ name: cx.fresh(spec.op), ...spec }); },
    init(t) {
      const name = cx.fresh(t.base);
      inits.push(tensorProto({ name, dims: t.dims, data: t.data, ...(t.dtype ? { dtype: t.dtype } : {}) }) as TensorProto);
      return name;
    },
    memo: new Map(),
    seed,
  };

  // every problem at once: ops without a rule, and nodes a rule refuses
  const missing = new Map<string, { count: number; first: string }>();
  const refused: string[] = [];
  const flags = (n: NodeLike) => (n.input ?? []).map((i) => active.has(i));
  for (const n of relevant) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType ?? '';
    const rule = key === n.opType ? RULES[key] : undefined;
    if (!rule) {
      const e = missing.get(key) ?? { count: 0, first: n.name || key };
      e.count++;
      missing.set(key, e);
      continue;
    }
    const why = rule.refuse?.(n, cx, flags(n), mode);
    if (why) refused.push(`node ${n.name || n.opType}: ${why}`);
  }
  if (missing.size || refused.length) {
    const parts: string[] = [];
    if (missing.size) parts.push(`no derivative rule for ${missing.size === 1 ? 'this op' : 'these ops'}: ${[...missing].map(([k, e]) => `${k} (${e.count}×, e.g. ${e.first})`).join(', ')}`);
    parts.push(...refused);
    throw new InputError(`${source}: ${parts.join('; ')}`);
  }
  for (const n of relevant) RULES[n.opType!]!.prepare?.(n, cx);

  const ops: Record<string, number> = {};
  for (const n of relevant) ops[n.opType!] = (ops[n.opType!] ?? 0) + 1;
  const outNames: string[] = [];
  const extraInputs: { name: string; dims: number[] }[] = [];
  const inputDims = cx.shape(input);
  if (mode === 'tangent') {
    extraInputs.push({ name: TANGENT_INPUT, dims: inputDims });
    const tan = new Map<string, string>([[input, TANGENT_INPUT]]);
    for (const n of relevant) {
      const outs = RULES[n.opType!]!.tangent(n, cx, (n.input ?? []).map((i) => tan.get(i)));
      (n.output ?? []).forEach((o, j) => { if (o && outs[j] && active.has(o)) tan.set(o, outs[j]!); });
    }
    for (const t of targets) {
      const d = tan.get(t) ?? zeros(cx, cx.shape(t));
      cx.emit({ op: 'Identity', inputs: [d], outputs: [tangentOutput(t)] });
      outNames.push(tangentOutput(t));
    }
  } else {
    for (const t of targets) extraInputs.push({ name: cotangentInput(t), dims: cx.shape(t) });
    const parts = new Map<string, string[]>();
    for (const t of targets) (parts.get(t) ?? parts.set(t, []).get(t)!).push(cotangentInput(t));
    const total = new Map<string, string | undefined>();
    const finish = (name: string) => {
      if (!total.has(name)) {
        const p = parts.get(name) ?? [];
        total.set(name, p.length > 1 ? op(cx, 'Sum', p) : p[0]);
      }
      return total.get(name);
    };
    for (let k = relevant.length - 1; k >= 0; k--) {
      const n = relevant[k]!;
      const gOut = (n.output ?? []).map((o) => (o && active.has(o) ? finish(o) : undefined));
      if (!gOut.some(Boolean)) continue;
      const f = flags(n);
      const res = RULES[n.opType!]!.adjoint(n, cx, gOut, f);
      (n.input ?? []).forEach((i, j) => { if (f[j] && res[j]) (parts.get(i) ?? parts.set(i, []).get(i)!).push(res[j]!); });
    }
    cx.emit({ op: 'Identity', inputs: [finish(input) ?? zeros(cx, inputDims)], outputs: [GRADIENT_OUTPUT] });
    outNames.push(GRADIENT_OUTPUT);
  }

  g.node = [...nodes, ...nodesFromSpecs(specs)] as typeof g.node;
  g.initializer = [...(g.initializer ?? []), ...inits];
  for (const e of extraInputs) {
    g.input!.push(onnx.ValueInfoProto.create({ name: e.name, type: { tensorType: { elemType: DataType.float32, shape: { dim: [{ dimParam: 'B' }, ...e.dims.map((d) => ({ dimValue: d }))] } } } }));
  }
  const existing = new Map((g.output ?? []).map((o) => [o.name ?? '', o]));
  g.output = [...targets, ...outNames].map((name) => existing.get(name) ?? onnx.ValueInfoProto.create({ name }));
  g.valueInfo = [];
  return { mode, model: m, input, inputDims, outputs: targets, outputDims: targets.map((t) => cx.shape(t)), ops };
}
