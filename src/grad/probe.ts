// Shapes (and small integer values) of every tensor of a model for one input size: one float32
// run on zeros with every node output exposed. The derivative rules read primal shapes from it,
// and shape arithmetic (Shape → Gather → Concat → Reshape ...) from its values.
import { InputError } from '../core/errors.js';
import { topoOrder } from '../onnx/edit.js';
import type { ModelProto } from '../onnx/proto.js';
import { createSession, type SessionOptions } from '../runtime/session.js';

export interface TensorInfo {
  dims: number[];
  /** onnxruntime type name: 'float32', 'int64', 'bool', ... */
  type: string;
  /** values of numeric tensors with at most 64 elements (shape arithmetic, scales) */
  values?: number[];
}

/**
 * Runs `model` once at float32 on zeros of `inputDims` and records every tensor's dims and type.
 * @throws InputError when the model has other inputs than the image
 */
export async function probeTensors(model: ModelProto, input: string, inputDims: readonly number[], opts: SessionOptions = {}): Promise<Map<string, TensorInfo>> {
  const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph?.input ?? []).map((v) => v.name ?? '').filter((n) => !inits.has(n));
  const others = inputs.filter((n) => n !== input);
  if (others.length) throw new InputError(`${opts.source ?? 'model'}: derivatives need a model whose only input is the image, but it also reads ${others.join(', ')}`);
  const names = [...new Set(topoOrder(model.graph!).filter((n) => n.opType !== 'Constant').flatMap((n) => n.output ?? []).filter(Boolean))];
  const s = await createSession(model, { ...opts, precision: 'f32', expose: names });
  try {
    const count = inputDims.reduce((a, b) => a * b, 1);
    const out = await s.run({ [input]: { data: new Float32Array(count), dims: inputDims } });
    const info = new Map<string, TensorInfo>();
    info.set(input, { dims: [...inputDims], type: 'float32' });
    for (const [name, o] of Object.entries(out)) {
      const small = o.data.length <= 64 && (o.type === 'int64' || o.type === 'int32' || o.type === 'float32');
      info.set(name, { dims: o.dims, type: o.type, ...(small ? { values: Array.from(o.data as ArrayLike<number | bigint>, Number) } : {}) });
    }
    return info;
  } finally {
    await s.release();
  }
}
