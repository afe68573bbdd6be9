// A graph edit that makes intermediate tensors graph outputs, so one run returns the features of
// chosen layers (drift is traced layer by layer this way). Works on the float32 model before any
// float64 lowering; lowered nodes keep their output names, so the same names come back at both
// precisions.
import { InputError } from '../core/errors.js';
import { topoOrder, type NodeLike } from '../onnx/edit.js';
import { onnx, type ModelProto } from '../onnx/proto.js';

/** Op types whose outputs are exposed by default: the linear (trainable) layers. */
export const LINEAR_OPS: ReadonlySet<string> = Object.freeze(new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'ConvInteger', 'MatMulInteger']));

function constantNames(model: ModelProto): Set<string> {
  const names = new Set((model.graph?.initializer ?? []).map((t) => t.name ?? ''));
  for (const n of model.graph?.node ?? []) if (n.opType === 'Constant' && n.output?.[0]) names.add(n.output[0]);
  return names;
}

/** The first linear node (graph order) that reads a constant weight: the model's first trainable layer. */
export function firstTrainableNode(model: ModelProto): NodeLike | undefined {
  const consts = constantNames(model);
  return topoOrder(model.graph!).find((n) => LINEAR_OPS.has(n.opType ?? '') && (n.input ?? []).some((i) => consts.has(i)));
}

/** Default names to expose, in graph order: the first trainable layer's output and every Conv/ConvTranspose/Gemm/MatMul output. */
export function defaultExposed(model: ModelProto): string[] {
  const first = firstTrainableNode(model);
  return topoOrder(model.graph!).filter((n) => n === first || LINEAR_OPS.has(n.opType ?? '')).map((n) => n.output![0]!);
}

/** A model with extra graph outputs, and the exposed names in graph order. */
export interface Exposed {
  model: ModelProto;
  /** exposed tensor names in graph (topological) order; names already graph outputs are included */
  exposed: string[];
}

/**
 * Adds node outputs as graph outputs (a copy; `model` is not modified).
 * @param names tensor names produced by nodes; default: defaultExposed(model)
 * @throws InputError listing every name that no node produces
 */
export function exposeOutputs(model: ModelProto, names?: readonly string[], source = 'model'): Exposed {
  const m = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish()) as ModelProto;
  const g = m.graph!;
  const wanted = new Set(names ?? defaultExposed(m));
  const order: string[] = [];
  for (const n of topoOrder(g)) for (const o of n.output ?? []) if (wanted.has(o)) order.push(o);
  const missing = [...wanted].filter((w) => !order.includes(w));
  if (missing.length) throw new InputError(`${source}: cannot expose ${missing.map((s) => JSON.stringify(s)).join(', ')}: no node produces ${missing.length === 1 ? 'it' : 'them'}`);
  const present = new Set((g.output ?? []).map((o) => o.name));
  // no type: onnxruntime infers it, and the same edit then serves float32 and float64
  for (const name of order) if (!present.has(name)) (g.output ??= []).push(onnx.ValueInfoProto.create({ name }));
  return { model: m, exposed: order };
}
