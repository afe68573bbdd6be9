// The context a derivative rule emits into (src/grad/rules-*.ts), and the helpers every rule
// shares. Derivative tensors carry one extra leading axis, the batch of directions (tangent mode)
// or cotangents (adjoint mode): the derivative of a tensor of shape S has shape [B, ...S] with B
// dynamic, so one graph serves any batch. Rules know every primal shape (probed for one input
// size). Float constants the rules invent are stored as float32 parts that sum to the float64
// value, so the float64 graph sees them exactly and the float32 graph sees them rounded once.
import type { NodeLike } from '../onnx/edit.js';
import type { NodeSpec, TensorSpec } from '../onnx/writer.js';

export interface GradContext {
  /** default-domain opset of the model */
  opset: number;
  /** concrete primal shape of a tensor (probed or constant) */
  shape(name: string): number[];
  /** a constant tensor's values, or undefined */
  constant(name: string): Float64Array | undefined;
  /** a fresh tensor name */
  fresh(base: string): string;
  /** appends a node */
  emit(node: NodeSpec): void;
  /** adds an initializer, returns its name */
  init(t: Omit<TensorSpec, 'name'> & { base: string }): string;
  /** memoised per-context values (shared scalars, the batch-size tensor) */
  memo: Map<string, string>;
  /** the derivative tensor fed in (tangent of x, or a cotangent): the source of the batch size */
  seed: string;
}

/** A node spec with one fresh output; returns the output name. */
export function op(cx: GradContext, type: string, inputs: string[], attrs?: NodeSpec['attrs']): string {
  const y = cx.fresh(type.toLowerCase());
  cx.emit({ op: type, inputs, outputs: [y], ...(attrs ? { attrs } : {}) });
  return y;
}

/** float32 parts hi, mid, lo with hi + mid + lo = v in float64 arithmetic (to the last bit for normal v). */
function split(v: number): number[] {
  const hi = Math.fround(v);
  const mid = Math.fround(v - hi);
  const lo = Math.fround(v - hi - mid);
  return [hi, mid, lo].filter((p, i) => i === 0 || p !== 0);
}

/** A float tensor whose values reach float64 exactly (sum of float32 parts when needed). */
export function floats(cx: GradContext, data: ArrayLike<number>, dims: number[], base = 'c'): string {
  const parts = Array.from(data, split);
  const count = Math.max(1, ...parts.map((p) => p.length));
  const names = Array.from({ length: count }, (_, k) => cx.init({ base, dims, data: Float32Array.from(parts, (p) => p[k] ?? 0) }));
  return names.length === 1 ? names[0]! : op(cx, 'Sum', names);
}

/** A float scalar (shared per value). */
export function scalar(cx: GradContext, v: number): string {
  const key = `s:${v}`;
  let n = cx.memo.get(key);
  if (!n) { n = floats(cx, [v], [], 'scalar'); cx.memo.set(key, n); }
  return n;
}

/** An int64 1-D constant. */
export function ints(cx: GradContext, data: number[], base = 'i'): string {
  return cx.init({ base, dims: [data.length], data: BigInt64Array.from(data, BigInt), dtype: 'int64' });
}

export const mul = (cx: GradContext, a: string, b: string) => op(cx, 'Mul', [a, b]);
export const add = (cx: GradContext, a: string, b: string) => op(cx, 'Add', [a, b]);
export const sub = (cx: GradContext, a: string, b: string) => op(cx, 'Sub', [a, b]);
export const div = (cx: GradContext, a: string, b: string) => op(cx, 'Div', [a, b]);
export const neg = (cx: GradContext, a: string) => op(cx, 'Neg', [a]);

/** A bool condition as a float 0/1 mask. */
export const mask = (cx: GradContext, cond: string) => op(cx, 'Cast', [cond], { to: 1 });

/** Reshape to [B, ...dims] (B inferred). */
export function reshapeB(cx: GradContext, t: string, dims: readonly number[]): string {
  return op(cx, 'Reshape', [t, ints(cx, [-1, ...dims], 'shape')]);
}

/** Reshape to fixed dims. */
export function reshapeTo(cx: GradContext, t: string, dims: readonly number[]): string {
  return op(cx, 'Reshape', [t, ints(cx, [...dims], 'shape')]);
}

/** A reduction over `axes` (of the tensor as given), axes as attribute or input by opset. */
export function reduce(cx: GradContext, type: 'ReduceSum' | 'ReduceMean', t: string, axes: number[], keepdims: boolean): string {
  const asInput = type === 'ReduceSum' ? cx.opset >= 13 : cx.opset >= 18;
  if (asInput) return op(cx, type, [t, ints(cx, axes, 'axes')], { keepdims: keepdims ? 1 : 0 });
  return op(cx, type, [t], { axes, keepdims: keepdims ? 1 : 0 });
}

/** [B] as an int64 1-D tensor, read from the seed's shape. */
function batch(cx: GradContext): string {
  let b = cx.memo.get('batch');
  if (!b) {
    b = op(cx, 'Gather', [op(cx, 'Shape', [cx.seed]), ints(cx, [0])], { axis: 0 });
    cx.memo.set('batch', b);
  }
  return b;
}

/** `t` broadcast to [B, ...dims] (B from the seed). */
export function expandB(cx: GradContext, t: string, dims: readonly number[]): string {
  const shape = op(cx, 'Concat', [batch(cx), ints(cx, [...dims], 'shape')], { axis: 0 });
  return op(cx, 'Expand', [t, shape]);
}

/** Zeros of shape [B, ...dims]. */
export const zeros = (cx: GradContext, dims: readonly number[]) => expandB(cx, scalar(cx, 0), dims);

/** Broadcasts a derivative [B, ...Sa] (or a primal Sa) up to [B, ...dims]. */
export function expandTo(cx: GradContext, t: string, dims: readonly number[]): string {
  return op(cx, 'Expand', [t, ints(cx, [1, ...dims], 'shape')]);
}

/** A derivative [B, ...Sa] reshaped to rank 1 + `rank` by inserting 1s after B (numpy alignment). */
export function lift(cx: GradContext, d: string, sa: readonly number[], rank: number): string {
  return sa.length === rank ? d : reshapeB(cx, d, [...Array<number>(rank - sa.length).fill(1), ...sa]);
}

/**
 * A derivative [B, ...So] summed down to [B, ...Sa] over the axes where Sa was broadcast to So
 * (the adjoint of numpy broadcasting).
 */
export function unbroadcast(cx: GradContext, g: string, so: readonly number[], sa: readonly number[]): string {
  const lead = so.length - sa.length;
  const axes: number[] = [];
  for (let i = 0; i < so.length; i++) if (i < lead || (sa[i - lead] === 1 && so[i] !== 1)) axes.push(i + 1);
  if (!axes.length) return lead ? reshapeB(cx, g, sa) : g;
  return reshapeB(cx, reduce(cx, 'ReduceSum', g, axes, true), sa);
}

/** Same shapes? */
export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** A rule's view of a node: names of inputs and outputs ('' when absent). */
export const inputOf = (node: NodeLike, i: number) => node.input?.[i] ?? '';
export const outputOf = (node: NodeLike, i: number) => node.output?.[i] ?? '';

/** Normalises an axis of a rank-r tensor to [0, r). */
export const axisOf = (a: number, r: number) => (a < 0 ? a + r : a);

/** A node's attributes as writer values (to emit a copy of the op on derivatives). */
export function copyAttrs(node: NodeLike): NonNullable<NodeSpec['attrs']> {
  const out: NonNullable<NodeSpec['attrs']> = {};
  for (const a of node.attribute ?? []) {
    switch (a.type) {
      case 1: out[a.name!] = { float: a.f ?? 0 }; break;
      case 2: out[a.name!] = Number(a.i ?? 0); break;
      case 3: out[a.name!] = new TextDecoder().decode(a.s ?? new Uint8Array()); break;
      case 6: out[a.name!] = { floats: a.floats ?? [] }; break;
      case 7: out[a.name!] = (a.ints ?? []).map(Number); break;
      default: throw new RangeError(`cannot copy attribute ${a.name} of node ${node.name}`);
    }
  }
  return out;
}
