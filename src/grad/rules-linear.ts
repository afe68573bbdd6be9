// Derivative rules of the linear layers: MatMul, Gemm, Conv, ConvTranspose, BatchNormalization
// (inference). Forward mode applies the layer to the batch of tangents (the batch folded into the
// layer's own batch axis); reverse mode applies its transpose: MatMul by the transposed operand,
// Conv by ConvTranspose with the same weights (pads resolved from auto_pad, output_padding chosen
// so the input size comes back exactly) or, at stride 1 with constant weights, by a Conv with the
// flipped kernel; ConvTranspose by Conv. Weights must not depend on the image.
import { attrFloat, attrInt, attrInts, attrString, type NodeLike } from '../onnx/edit.js';
import {
  add, div, expandTo, inputOf, lift, mul, op, outputOf, reshapeB, reshapeTo, scalar, unbroadcast, type GradContext,
} from './context.js';
import type { Rule } from './rule.js';

const perm = (r: number, b: boolean) => {
  const p = Array.from({ length: r }, (_, i) => i);
  [p[r - 2], p[r - 1]] = [p[r - 1]!, p[r - 2]!];
  return b ? [0, ...p.map((v) => v + 1)] : p;
};
/** The last two axes swapped (of a primal tensor of rank r, or a derivative when `batched`). */
const swapLast = (cx: GradContext, t: string, r: number, batched = false) => op(cx, 'Transpose', [t], { perm: perm(r, batched) });

const weightsFixed = (what: string) => (_n: NodeLike, _cx: GradContext, active: readonly boolean[]) =>
  active.slice(1).some(Boolean) ? `${what} with weights that depend on the image has no rule` : undefined;

export const matMul: Rule = {
  refuse: (n, cx) => (cx.shape(inputOf(n, 0)).length < 2 || cx.shape(inputOf(n, 1)).length < 2 ? 'MatMul with a 1-D operand has no rule' : undefined),
  tangent(node, cx, d) {
    const [a, b] = [inputOf(node, 0), inputOf(node, 1)];
    const r = Math.max(cx.shape(a).length, cx.shape(b).length);
    const t0 = d[0] && op(cx, 'MatMul', [lift(cx, d[0], cx.shape(a), r), b]);
    const t1 = d[1] && op(cx, 'MatMul', [a, lift(cx, d[1], cx.shape(b), r)]);
    return [t0 && t1 ? add(cx, t0, t1) : t0 ?? t1];
  },
  adjoint(node, cx, g, active) {
    const [a, b] = [inputOf(node, 0), inputOf(node, 1)];
    const [sa, sb] = [cx.shape(a), cx.shape(b)];
    const so = cx.shape(outputOf(node, 0));
    if (!g[0]) return [undefined, undefined];
    // g·bᵀ has shape [B, ...batch(so), M, K]; aᵀ·g has [B, ...batch(so), K, N]
    const ga = active[0] ? unbroadcast(cx, op(cx, 'MatMul', [g[0], swapLast(cx, b, sb.length)]), [...so.slice(0, -2), sa.at(-2)!, sa.at(-1)!], sa) : undefined;
    const gb = active[1] ? unbroadcast(cx, op(cx, 'MatMul', [swapLast(cx, a, sa.length), g[0]]), [...so.slice(0, -2), sb.at(-2)!, sb.at(-1)!], sb) : undefined;
    return [ga, gb];
  },
};

/** y = α·A′B′ + β·C with A′ = transA ? Aᵀ : A, B′ likewise. */
export const gemm: Rule = {
  tangent(node, cx, d) {
    const [a, b] = [inputOf(node, 0), inputOf(node, 1)];
    const alpha = attrFloat(node, 'alpha', 1), beta = attrFloat(node, 'beta', 1);
    const tA = attrInt(node, 'transA', 0), tB = attrInt(node, 'transB', 0);
    const aP = tA ? swapLast(cx, a, 2) : a, bP = tB ? swapLast(cx, b, 2) : b;
    const terms: string[] = [];
    if (d[0]) terms.push(op(cx, 'MatMul', [tA ? swapLast(cx, d[0], 2, true) : d[0], bP]));
    if (d[1]) terms.push(op(cx, 'MatMul', [aP, tB ? swapLast(cx, d[1], 2, true) : d[1]]));
    let t = terms.length === 2 ? add(cx, terms[0]!, terms[1]!) : terms[0];
    if (t && alpha !== 1) t = mul(cx, t, scalar(cx, alpha));
    if (d[2]) {
      const c = mul(cx, lift(cx, d[2], cx.shape(inputOf(node, 2)), 2), scalar(cx, beta));
      t = t ? add(cx, t, c) : expandTo(cx, c, cx.shape(outputOf(node, 0)));
    }
    return [t];
  },
  adjoint(node, cx, g, active) {
    if (!g[0]) return [undefined, undefined, undefined];
    const [a, b] = [inputOf(node, 0), inputOf(node, 1)];
    const alpha = attrFloat(node, 'alpha', 1), beta = attrFloat(node, 'beta', 1);
    const tA = attrInt(node, 'transA', 0), tB = attrInt(node, 'transB', 0);
    const ga0 = g[0] && alpha !== 1 ? mul(cx, g[0], scalar(cx, alpha)) : g[0];
    let ga: string | undefined, gb: string | undefined, gc: string | undefined;
    if (active[0]) {
      const gaP = op(cx, 'MatMul', [ga0, tB ? b : swapLast(cx, b, 2)]); // α·g·B′ᵀ, [B, M, K]
      ga = tA ? swapLast(cx, gaP, 2, true) : gaP;
    }
    if (active[1]) {
      const gbP = op(cx, 'MatMul', [tA ? a : swapLast(cx, a, 2), ga0]); // α·A′ᵀ·g, [B, K, N]
      gb = tB ? swapLast(cx, gbP, 2, true) : gbP;
    }
    if (active[2]) gc = unbroadcast(cx, beta !== 1 ? mul(cx, g[0], scalar(cx, beta)) : g[0], cx.shape(outputOf(node, 0)), cx.shape(inputOf(node, 2)));
    return [ga, gb, gc];
  },
};

/** Explicit begin/end pads per spatial axis (auto_pad resolved against the probed sizes). */
export function resolvePads(node: NodeLike, inSp: number[], outSp: number[], kEff: number[], strides: number[]): { begin: number[]; end: number[] } {
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  const k = inSp.length;
  if (auto === 'NOTSET') {
    const p = attrInts(node, 'pads', Array<number>(2 * k).fill(0));
    return { begin: p.slice(0, k), end: p.slice(k) };
  }
  if (auto === 'VALID') return { begin: Array<number>(k).fill(0), end: Array<number>(k).fill(0) };
  const begin: number[] = [], end: number[] = [];
  for (let i = 0; i < k; i++) {
    const total = Math.max(0, (outSp[i]! - 1) * strides[i]! + kEff[i]! - inSp[i]!);
    const lo = auto === 'SAME_LOWER' ? Math.ceil(total / 2) : Math.floor(total / 2);
    begin.push(lo);
    end.push(total - lo);
  }
  return { begin, end };
}

/** Geometry of a convolution-like node from its probed input/output sizes. */
export function geometry(node: NodeLike, cx: GradContext, kernel: number[]) {
  const sx = cx.shape(inputOf(node, 0)), sy = cx.shape(outputOf(node, 0));
  const k = sx.length - 2;
  const strides = attrInts(node, 'strides', Array<number>(k).fill(1));
  const dilations = attrInts(node, 'dilations', Array<number>(k).fill(1));
  const kEff = kernel.map((v, i) => (v - 1) * dilations[i]! + 1);
  return { sx, sy, k, strides, dilations, kEff };
}

/**
 * The transpose of a strided window map from input size `inSp` to output `outSp`, as ConvTranspose
 * attributes: the same pads at the start, the end pad extended when the last window reaches past it
 * (ceil_mode), and the output_padding that restores the input size.
 */
export function transposeAttrs(inSp: number[], outSp: number[], kEff: number[], strides: number[], pads: { begin: number[]; end: number[] }) {
  const end = pads.end.map((e, i) => Math.max(e, (outSp[i]! - 1) * strides[i]! + kEff[i]! - inSp[i]! - pads.begin[i]!));
  const outputPadding = inSp.map((h, i) => h - ((outSp[i]! - 1) * strides[i]! + kEff[i]! - pads.begin[i]! - end[i]!));
  return { pads: [...pads.begin, ...end], output_padding: outputPadding };
}

/** The tensor [B·N, C, ...] for a derivative [B, N, C, ...]. */
const merged = (cx: GradContext, t: string, s: number[]) => reshapeTo(cx, t, [-1, ...s.slice(1)]);

export const conv: Rule = {
  refuse: weightsFixed('Conv'),
  tangent(node, cx, d) {
    if (!d[0]) return [undefined];
    const sx = cx.shape(inputOf(node, 0));
    const y = cx.fresh('conv_t');
    cx.emit({ op: 'Conv', inputs: [merged(cx, d[0], sx), inputOf(node, 1)], outputs: [y], attrs: convAttrs(node, cx) });
    return [reshapeB(cx, y, cx.shape(outputOf(node, 0)))];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const w = cx.shape(inputOf(node, 1));
    const { sx, sy, strides, dilations, kEff } = geometry(node, cx, w.slice(2));
    const pads = resolvePads(node, sx.slice(2), sy.slice(2), kEff, strides);
    const flipped = strides.every((v) => v === 1) ? flippedConv(node, cx, g[0], w, sx, sy, dilations, kEff, pads) : undefined;
    if (flipped) return [flipped];
    const t = transposeAttrs(sx.slice(2), sy.slice(2), kEff, strides, pads);
    const y = cx.fresh('conv_adj');
    cx.emit({ op: 'ConvTranspose', inputs: [merged(cx, g[0], sy), inputOf(node, 1)], outputs: [y], attrs: { kernel_shape: w.slice(2), strides, dilations, group: attrInt(node, 'group', 1), pads: t.pads, output_padding: t.output_padding } });
    return [reshapeB(cx, y, sx)];
  },
};

/**
 * The adjoint of a stride-1 Conv with constant weights as a Conv: the kernel flipped in space, its
 * in- and out-channels swapped within each group, pads (k − 1)·d − p. onnxruntime's Conv kernels
 * (fused, NCHWc) are much faster than its ConvTranspose, grouped and depthwise ones above all, and
 * the float64 lowering takes its tap-slice path. Undefined when it does not apply (image-dependent
 * weights; a pad wider than the kernel's span, which would need a negative pad).
 */
function flippedConv(node: NodeLike, cx: GradContext, g: string, w: number[], sx: number[], sy: number[], dilations: number[], kEff: number[], pads: { begin: number[]; end: number[] }): string | undefined {
  const weights = cx.constant(inputOf(node, 1));
  if (!weights) return undefined;
  const begin = pads.begin.map((p, i) => kEff[i]! - 1 - p), end = pads.end.map((p, i) => kEff[i]! - 1 - p);
  if ([...begin, ...end].some((p) => p < 0)) return undefined;
  if (sx.slice(2).some((n, i) => sy[i + 2]! + begin[i]! + end[i]! - (kEff[i]! - 1) !== n)) return undefined;
  const group = attrInt(node, 'group', 1);
  const [o, cg] = [w[0]!, w[1]!];
  const og = o / group, taps = w.slice(2).reduce((a, b) => a * b, 1);
  // W′[gi·cg + ci, oi, t′] = W[gi·og + oi, ci, taps − 1 − t′]: reversing the flat spatial index flips every spatial axis
  const data = new Float32Array(cg * group * og * taps);
  for (let gi = 0; gi < group; gi++) for (let oi = 0; oi < og; oi++) for (let ci = 0; ci < cg; ci++) {
    const from = ((gi * og + oi) * cg + ci) * taps, to = ((gi * cg + ci) * og + oi) * taps;
    for (let t = 0; t < taps; t++) data[to + taps - 1 - t] = weights[from + t]!;
  }
  const wf = cx.init({ base: 'conv_flipped', dims: [cg * group, og, ...w.slice(2)], data });
  const y = cx.fresh('conv_adj');
  cx.emit({ op: 'Conv', inputs: [merged(cx, g, sy), wf], outputs: [y], attrs: { kernel_shape: w.slice(2), strides: w.slice(2).map(() => 1), dilations, group, pads: [...begin, ...end] } });
  return reshapeB(cx, y, sx);
}

/** Conv attributes with auto_pad resolved (the merged batch does not change spatial sizes). */
function convAttrs(node: NodeLike, cx: GradContext) {
  const w = cx.shape(inputOf(node, 1));
  const { sx, sy, strides, dilations, kEff } = geometry(node, cx, w.slice(2));
  const pads = resolvePads(node, sx.slice(2), sy.slice(2), kEff, strides);
  return { kernel_shape: w.slice(2), strides, dilations, group: attrInt(node, 'group', 1), pads: [...pads.begin, ...pads.end] };
}

export const convTranspose: Rule = {
  refuse: (n, cx, active) => weightsFixed('ConvTranspose')(n, cx, active)
    ?? (attrString(n, 'auto_pad', 'NOTSET') !== 'NOTSET' || attrInts(n, 'output_shape') ? 'ConvTranspose with auto_pad or output_shape has no rule (explicit pads and output_padding have)' : undefined),
  tangent(node, cx, d) {
    if (!d[0]) return [undefined];
    const w = cx.shape(inputOf(node, 1));
    const sx = cx.shape(inputOf(node, 0));
    const k = sx.length - 2;
    const y = cx.fresh('convT_t');
    cx.emit({ op: 'ConvTranspose', inputs: [merged(cx, d[0], sx), inputOf(node, 1)], outputs: [y], attrs: {
      kernel_shape: w.slice(2), strides: attrInts(node, 'strides', Array<number>(k).fill(1)), dilations: attrInts(node, 'dilations', Array<number>(k).fill(1)),
      group: attrInt(node, 'group', 1), pads: attrInts(node, 'pads', Array<number>(2 * k).fill(0)), output_padding: attrInts(node, 'output_padding', Array<number>(k).fill(0)),
    } });
    return [reshapeB(cx, y, cx.shape(outputOf(node, 0)))];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const w = cx.shape(inputOf(node, 1));
    const sx = cx.shape(inputOf(node, 0)), sy = cx.shape(outputOf(node, 0));
    const k = sx.length - 2;
    const y = cx.fresh('convT_adj');
    cx.emit({ op: 'Conv', inputs: [merged(cx, g[0], sy), inputOf(node, 1)], outputs: [y], attrs: {
      kernel_shape: w.slice(2), strides: attrInts(node, 'strides', Array<number>(k).fill(1)), dilations: attrInts(node, 'dilations', Array<number>(k).fill(1)),
      group: attrInt(node, 'group', 1), pads: attrInts(node, 'pads', Array<number>(2 * k).fill(0)),
    } });
    return [reshapeB(cx, y, sx)];
  },
};

/** BatchNormalization at inference: a per-channel scale s/√(var + ε), shaped [C, 1, …]. */
function bnFactor(node: NodeLike, cx: GradContext): string {
  const r = cx.shape(inputOf(node, 0)).length;
  const c = cx.shape(inputOf(node, 0))[1]!;
  const scale = cx.constant(inputOf(node, 1)), variance = cx.constant(inputOf(node, 4));
  const own = (name: string, v: Float64Array | undefined) => (v ? cx.init({ base: 'bn_param', dims: cx.shape(name), data: Float32Array.from(v) }) : name);
  const f = div(cx, own(inputOf(node, 1), scale), op(cx, 'Sqrt', [add(cx, own(inputOf(node, 4), variance), scalar(cx, attrFloat(node, 'epsilon', 1e-5)))]));
  return reshapeTo(cx, f, [c, ...Array<number>(r - 2).fill(1)]);
}

export const batchNorm: Rule = {
  refuse: (n, cx, active) => weightsFixed('BatchNormalization')(n, cx, active) ?? (attrInt(n, 'training_mode', 0) ? 'BatchNormalization in training mode has no rule' : undefined),
  tangent: (node, cx, d) => [d[0] && mul(cx, d[0], bnFactor(node, cx))],
  adjoint: (node, cx, g, active) => [active[0] && g[0] ? mul(cx, g[0], bnFactor(node, cx)) : undefined],
};
