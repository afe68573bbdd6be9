// Emission helpers shared by the float64 lowerings (lower-ops.ts and its siblings): the context a
// lowering works in, and one-line emitters for the ops the lowerings build with. Opset-dependent
// signatures (ReduceSum axes as attribute or input) are handled here once.
import type { NodeLike } from '../onnx/edit.js';
import type { NodeSpec } from '../onnx/writer.js';

/** What a lowering may ask of the rewrite in progress. */
export interface LowerContext {
  /** default-domain opset version of the model */
  opset: number;
  /** concrete dims of a tensor (probed or constant); throws when unknown */
  dims(name: string): number[];
  /** value of a constant tensor as float64, or undefined when the tensor is not constant */
  constant(name: string): Float64Array | undefined;
  /** a fresh tensor name derived from `base` */
  fresh(base: string): string;
  /** adds a float64 initializer and returns its name */
  f64(base: string, data: Float64Array, dims: number[]): string;
  /** adds (or reuses an equal) int64 initializer and returns its name */
  i64(base: string, data: BigInt64Array | number[], dims: number[]): string;
  /** appends a node */
  emit(node: NodeSpec): void;
}

export type Lowering = (node: NodeLike, cx: LowerContext) => void;

/** Location prefix for messages about a node. */
export const where = (node: NodeLike) => `node ${node.name || node.opType}`;

/** Reshape to fixed dims (written to `out`, or a fresh name). */
export function reshape(cx: LowerContext, x: string, dims: number[], out?: string): string {
  const y = out ?? cx.fresh(`${x}_r`);
  cx.emit({ op: 'Reshape', inputs: [x, cx.i64('shape', dims, [dims.length])], outputs: [y] });
  return y;
}

/** ReduceSum over one axis without keepdims; axes as an attribute before opset 13, an input from 13. */
export function reduceSum(cx: LowerContext, x: string, axis: number, out?: string): string {
  const y = out ?? cx.fresh(`${x}_sum`);
  if (cx.opset >= 13) cx.emit({ op: 'ReduceSum', inputs: [x, cx.i64('axes', [axis], [1])], outputs: [y], attrs: { keepdims: 0 } });
  else cx.emit({ op: 'ReduceSum', inputs: [x], outputs: [y], attrs: { axes: [axis], keepdims: 0 } });
  return y;
}

/** A two-input op (Add, Mul, MatMul, Max, ...). */
export function binary(cx: LowerContext, op: string, a: string, b: string, out?: string): string {
  const y = out ?? cx.fresh(`${a}_${op.toLowerCase()}`);
  cx.emit({ op, inputs: [a, b], outputs: [y] });
  return y;
}

/** A float64 scalar initializer. */
export const scalar = (cx: LowerContext, v: number) => cx.f64('c', new Float64Array([v]), []);

/** One tensor that is the sum of `terms` (Sum of several, or the single term itself). */
export function sum(cx: LowerContext, terms: string[]): string {
  if (terms.length === 1) return terms[0]!;
  const y = cx.fresh('sum');
  cx.emit({ op: 'Sum', inputs: terms, outputs: [y] });
  return y;
}

