// Compares a model's outputs on two inputs: per output the max absolute and relative L2
// difference, plus prediction agreement — top-1/top-5 for classification outputs, the share of
// positions whose argmax agrees for dense outputs.
import { argmax, maxAbs, relativeL2, topK, type Values } from './metrics.js';

/** One output tensor (onnxruntime's Tensor and our runtime's results both fit). */
export interface OutputTensor {
  readonly dims: readonly number[];
  readonly data: Values;
}

/** Named outputs of one run. */
export type Outputs = Readonly<Record<string, OutputTensor>>;

/**
 * How an output's predictions are read.
 * - `classification`: rank ≤ 2, classes on the last axis, one prediction per row;
 * - `dense`: rank ≥ 3, one prediction per position: NCHW maps (rank 4+) use axis 1 as the class
 *   axis, sequences [N, T, C] (rank 3) the last axis. A single-channel map (class axis of size 1,
 *   e.g. a text-detection probability map) has no argmax; its positions agree when both values lie
 *   on the same side of 0.5.
 */
export type OutputKind = 'classification' | 'dense';

export interface OutputComparison {
  name: string;
  dims: number[];
  kind: OutputKind;
  /** max_i |a_i − b_i| */
  maxAbs: number;
  /** ‖a − b‖ / max(‖a‖, ‖b‖) */
  relativeL2: number;
  /** classification: share of rows whose top-1 class agrees */
  top1?: number;
  /** classification: share of rows whose top-k sets agree, k = min(5, classes) */
  top5?: number;
  /** dense: share of positions whose argmax (or 0.5-threshold for one channel) agrees */
  argmaxAgreement?: number;
  /** dense: the class axis used */
  classAxis?: number;
}

/** The kind and class axis of an output with these dims. */
export function outputKind(dims: readonly number[]): { kind: OutputKind; classAxis: number } {
  if (dims.length <= 2) return { kind: 'classification', classAxis: Math.max(0, dims.length - 1) };
  return { kind: 'dense', classAxis: dims.length === 3 ? 2 : 1 };
}

function sameSet(a: number[], b: number[]): boolean {
  const s = new Set(a);
  return a.length === b.length && b.every((x) => s.has(x));
}

/** Agreement shares along `classAxis` (outer × classes × inner layout). */
function agreement(a: Values, b: Values, dims: readonly number[], classAxis: number, k: number): { top1: number; topk: number } {
  const classes = dims.length === 0 ? 1 : dims[classAxis]!;
  const inner = dims.slice(classAxis + 1).reduce((p, q) => p * q, 1);
  const outer = dims.slice(0, classAxis).reduce((p, q) => p * q, 1);
  const positions = outer * inner;
  if (positions === 0 || classes === 0) return { top1: 1, topk: 1 };
  let same1 = 0, samek = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const off = o * classes * inner + i;
      if (classes === 1) {
        const s = (a[off]! > 0.5) === (b[off]! > 0.5);
        same1 += +s; samek += +s;
        continue;
      }
      same1 += +(argmax(a, off, classes, inner) === argmax(b, off, classes, inner));
      if (k > 1) samek += +sameSet(topK(a, k, off, classes, inner), topK(b, k, off, classes, inner));
    }
  }
  return { top1: same1 / positions, topk: k > 1 ? samek / positions : same1 / positions };
}

/**
 * Compares one output of the reference run (a) with the candidate's (b).
 * @throws RangeError when dims differ
 */
export function compareOutput(name: string, a: OutputTensor, b: OutputTensor): OutputComparison {
  if (a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    throw new RangeError(`output ${name}: dims differ (${JSON.stringify(a.dims)} and ${JSON.stringify(b.dims)})`);
  }
  const dims = [...a.dims];
  const { kind, classAxis } = outputKind(dims);
  const base = { name, dims, kind, maxAbs: maxAbs(a.data, b.data), relativeL2: relativeL2(a.data, b.data) };
  if (kind === 'classification') {
    const classes = dims.length ? dims[classAxis]! : 1;
    const { top1, topk } = agreement(a.data, b.data, dims, classAxis, Math.min(5, classes));
    return { ...base, top1, top5: topk };
  }
  const { top1 } = agreement(a.data, b.data, dims, classAxis, 1);
  return { ...base, argmaxAgreement: top1, classAxis };
}

/**
 * Compares every output of the reference run with the candidate's, in the reference's order.
 * @throws RangeError when an output is missing or its dims differ
 */
export function compareOutputs(a: Outputs, b: Outputs): OutputComparison[] {
  return Object.keys(a).map((name) => {
    const bt = b[name];
    if (!bt) throw new RangeError(`output ${name} is missing from the candidate's run`);
    return compareOutput(name, a[name]!, bt);
  });
}

/** The largest relative L2 difference over outputs (0 when there are none). */
export function worstRelative(c: readonly OutputComparison[]): number {
  return c.reduce((m, o) => (o.relativeL2 > m || Number.isNaN(o.relativeL2) ? o.relativeL2 : m), 0);
}

/** Prediction agreement over all outputs: the smallest top-1 (classification) or argmax share (dense). */
export function predictionAgreement(c: readonly OutputComparison[]): number {
  return c.reduce((m, o) => Math.min(m, o.top1 ?? o.argmaxAgreement ?? 1), 1);
}
