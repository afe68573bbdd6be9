// Derivative rules of pooling and reductions. AveragePool and GlobalAveragePool are linear: forward
// mode pools the tangents, reverse mode spreads each cotangent over its window (a depthwise
// ConvTranspose with a ones kernel, divided by the window's count as onnxruntime counts it).
// MaxPool follows the arg-max that onnxruntime reports through MaxPool's Indices output (ties: the
// first maximum in the window, as onnxruntime picks it): forward mode gathers the tangent there,
// reverse mode scatters back one kernel tap at a time (a mask per tap, stacked into channels, one
// grouped ConvTranspose with one-hot kernels), so overlapping windows add up. Resize (nearest,
// linear) applies its per-axis interpolation matrix R forwards and Rᵀ in reverse.
import { attrInt, attrInts, type NodeLike } from '../onnx/edit.js';
import {
  axisOf, copyAttrs, div, expandTo, floats, inputOf, mask, mul, op, outputOf, reduce, reshapeB, reshapeTo, scalar, type GradContext,
} from './context.js';
import { resizeMatrices } from '../runtime/lower-resize.js';
import type { Rule } from './rule.js';
import { geometry, resolvePads, transposeAttrs } from './rules-linear.js';

const merged = (cx: GradContext, t: string, s: number[]) => reshapeTo(cx, t, [-1, ...s.slice(1)]);

export const globalAveragePool: Rule = {
  tangent(node, cx, d) {
    const r = cx.shape(inputOf(node, 0)).length;
    return [d[0] && reduce(cx, 'ReduceMean', d[0], Array.from({ length: r - 2 }, (_, i) => i + 3), true)];
  },
  adjoint(node, cx, g) {
    const sx = cx.shape(inputOf(node, 0));
    const count = sx.slice(2).reduce((a, b) => a * b, 1);
    return [g[0] && expandTo(cx, div(cx, g[0], scalar(cx, count)), sx)];
  },
};

/** Per output position, how many taps onnxruntime divides by (inside the image, or inside the padded image). */
function counts(inSp: number[], outSp: number[], kernel: number[], strides: number[], pads: { begin: number[]; end: number[] }, includePad: boolean): Float32Array {
  const perAxis = inSp.map((h, i) => Array.from({ length: outSp[i]! }, (_, o) => {
    const start = o * strides[i]! - pads.begin[i]!;
    const lo = includePad ? -pads.begin[i]! : 0, hi = includePad ? h + pads.end[i]! : h;
    return Math.max(0, Math.min(start + kernel[i]!, hi) - Math.max(start, lo));
  }));
  const total = outSp.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  for (let p = 0; p < total; p++) {
    let rest = p, c = 1;
    for (let i = outSp.length - 1; i >= 0; i--) { c *= perAxis[i]![rest % outSp[i]!]!; rest = Math.floor(rest / outSp[i]!); }
    out[p] = c;
  }
  return out;
}

export const averagePool: Rule = {
  refuse: (n) => (attrInts(n, 'dilations', []).some((v) => v !== 1) ? 'AveragePool with dilations has no rule' : undefined),
  tangent(node, cx, d) {
    if (!d[0]) return [undefined];
    const sx = cx.shape(inputOf(node, 0));
    const y = cx.fresh('avgpool_t');
    cx.emit({ op: 'AveragePool', inputs: [merged(cx, d[0], sx)], outputs: [y], attrs: copyAttrs(node) });
    return [reshapeB(cx, y, cx.shape(outputOf(node, 0)))];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const kernel = attrInts(node, 'kernel_shape', []);
    const { sx, sy, strides, kEff } = geometry(node, cx, kernel);
    const pads = resolvePads(node, sx.slice(2), sy.slice(2), kEff, strides);
    const count = counts(sx.slice(2), sy.slice(2), kernel, strides, pads, attrInt(node, 'count_include_pad', 0) === 1);
    const c = sx[1]!;
    const scaled = div(cx, merged(cx, g[0], sy), cx.init({ base: 'count', dims: sy.slice(2), data: count }));
    const ones = cx.init({ base: 'ones', dims: [c, 1, ...kernel], data: new Float32Array(c * kernel.reduce((a, b) => a * b, 1)).fill(1) });
    const t = transposeAttrs(sx.slice(2), sy.slice(2), kEff, strides, pads);
    const y = cx.fresh('avgpool_adj');
    cx.emit({ op: 'ConvTranspose', inputs: [scaled, ones], outputs: [y], attrs: { kernel_shape: kernel, strides, group: c, pads: t.pads, output_padding: t.output_padding } });
    return [reshapeB(cx, y, sx)];
  },
};

export const maxPool: Rule = {
  refuse: (n, cx) => (cx.shape(inputOf(n, 0)).length !== 4 ? 'MaxPool other than 2-D has no rule' : attrInt(n, 'storage_order', 0) ? 'MaxPool with storage_order=1 has no rule' : undefined),
  prepare(node, cx) {
    if (!node.output?.[1]) node.output = [node.output![0]!, cx.fresh('maxpool_indices')];
  },
  tangent(node, cx, d) {
    if (!d[0]) return [undefined];
    const sx = cx.shape(inputOf(node, 0)), sy = cx.shape(outputOf(node, 0));
    const n = sx.reduce((a, b) => a * b, 1), m = sy.reduce((a, b) => a * b, 1);
    const y = op(cx, 'Gather', [reshapeB(cx, d[0], [n]), reshapeTo(cx, outputOf(node, 1), [m])], { axis: 1 });
    return [reshapeB(cx, y, sy)];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const kernel = attrInts(node, 'kernel_shape', []);
    const { sx, sy, strides, dilations, kEff } = geometry(node, cx, kernel);
    const pads = resolvePads(node, sx.slice(2), sy.slice(2), kEff, strides);
    const [N, C, H, W] = sx as [number, number, number, number];
    const [, , Ho, Wo] = sy as [number, number, number, number];
    const taps = kernel[0]! * kernel[1]!;
    const parts: string[] = [];
    for (let a = 0; a < kernel[0]!; a++) for (let e = 0; e < kernel[1]!; e++) {
      // the flat input index tap (a, e) of each window reads (−1 where it reads padding)
      const where = new BigInt64Array(N * C * Ho * Wo);
      for (let nc = 0, p = 0; nc < N * C; nc++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++, p++) {
        const y = i * strides[0]! - pads.begin[0]! + a * dilations[0]!, x = j * strides[1]! - pads.begin[1]! + e * dilations[1]!;
        where[p] = y >= 0 && y < H && x >= 0 && x < W ? BigInt((nc * H + y) * W + x) : -1n;
      }
      const hit = mask(cx, op(cx, 'Equal', [outputOf(node, 1), cx.init({ base: 'tap', dims: sy, data: where, dtype: 'int64' })]));
      parts.push(reshapeTo(cx, mul(cx, g[0], hit), [-1, C, 1, Ho, Wo]));
    }
    const stacked = reshapeTo(cx, op(cx, 'Concat', parts, { axis: 2 }), [-1, C * taps, Ho, Wo]);
    const oneHot = new Float32Array(C * taps * taps);
    for (let c = 0; c < C; c++) for (let t = 0; t < taps; t++) oneHot[(c * taps + t) * taps + t] = 1;
    const w = cx.init({ base: 'onehot', dims: [C * taps, 1, ...kernel], data: oneHot });
    const t = transposeAttrs(sx.slice(2), sy.slice(2), kEff, strides, pads);
    const y = cx.fresh('maxpool_adj');
    cx.emit({ op: 'ConvTranspose', inputs: [stacked, w], outputs: [y], attrs: { kernel_shape: kernel, strides, dilations, group: C, pads: t.pads, output_padding: t.output_padding } });
    return [reshapeB(cx, y, sx)];
  },
};

/** The axes a ReduceMean/ReduceSum node reduces (attribute, or constant input), normalised. */
export function reduceAxes(node: NodeLike, cx: GradContext): number[] | undefined {
  const r = cx.shape(inputOf(node, 0)).length;
  const fromInput = node.opType === 'ReduceSum' ? cx.opset >= 13 : cx.opset >= 18;
  let axes: number[] | undefined;
  if (fromInput) {
    const name = inputOf(node, 1);
    if (name) { const c = cx.constant(name); if (!c) return undefined; axes = Array.from(c); }
  } else axes = attrInts(node, 'axes');
  if (!axes || !axes.length) return attrInt(node, 'noop_with_empty_axes', 0) ? [] : Array.from({ length: r }, (_, i) => i);
  return axes.map((a) => axisOf(a, r));
}

function reduction(mean: boolean): Rule {
  return {
    refuse: (n, cx) => (reduceAxes(n, cx) ? undefined : `${n.opType} with axes computed from the image has no rule`),
    tangent(node, cx, d) {
      const axes = reduceAxes(node, cx)!;
      return [d[0] && reduce(cx, mean ? 'ReduceMean' : 'ReduceSum', d[0], axes.map((a) => a + 1), attrInt(node, 'keepdims', 1) === 1)];
    },
    adjoint(node, cx, g) {
      if (!g[0]) return [undefined];
      const sx = cx.shape(inputOf(node, 0));
      const axes = new Set(reduceAxes(node, cx)!);
      const kept = sx.map((v, i) => (axes.has(i) ? 1 : v));
      const count = sx.reduce((acc, v, i) => (axes.has(i) ? acc * v : acc), 1);
      const spread = expandTo(cx, reshapeB(cx, g[0], kept), sx);
      return [mean ? div(cx, spread, scalar(cx, count)) : spread];
    },
  };
}

export const reduceMean = reduction(true);
export const reduceSum = reduction(false);

/** Resize/Upsample (nearest, linear): per resized axis a fixed matrix R, applied along that axis. */
function resizeRule(upsample: boolean): Rule {
  const mats = (node: NodeLike, cx: GradContext) => {
    const scalesName = upsample ? (cx.opset >= 9 ? inputOf(node, 1) : '') : inputOf(node, cx.opset >= 11 ? 2 : 1);
    const given = scalesName ? cx.constant(scalesName) : undefined;
    return resizeMatrices(node, cx.opset, upsample, cx.shape(inputOf(node, 0)), cx.shape(outputOf(node, 0)), given && given.length ? given : undefined);
  };
  /** t [B, ...] with matrix M (rows × cols, cols = the axis' current size) applied along axis a: t·Mᵀ there. */
  const along = (cx: GradContext, t: string, a: number, r: number, m: Float64Array, rows: number, cols: number, transposed: boolean) => {
    // MatMul contracts the last axis: move axis a+1 there, multiply, move it back
    const perm = Array.from({ length: r + 1 }, (_, i) => i);
    [perm[a + 1], perm[r]] = [perm[r]!, perm[a + 1]!];
    const last = a === r - 1;
    const moved = last ? t : op(cx, 'Transpose', [t], { perm });
    // y = x·Mᵀ (tangent: M is nOut × nIn) or y = x·M (adjoint, M as given)
    const mt = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mt[j * rows + i] = m[i * cols + j]!;
    const y = op(cx, 'MatMul', [moved, transposed ? floats(cx, m, [rows, cols], 'resize') : floats(cx, mt, [cols, rows], 'resize')]);
    return last ? y : op(cx, 'Transpose', [y], { perm });
  };
  return {
    refuse(node, cx, active) {
      if (active.slice(1).some(Boolean)) return `${node.opType} with scales or sizes that depend on the image has no rule`;
      try { mats(node, cx); return undefined; } catch (e) { return (e as Error).message.replace(/^node [^:]*: /, ''); }
    },
    tangent(node, cx, d) {
      if (!d[0]) return [undefined];
      const r = cx.shape(inputOf(node, 0)).length;
      let t = d[0];
      for (const m of mats(node, cx)) t = along(cx, t, m.axis, r, m.matrix, m.nOut, m.nIn, false);
      return [t];
    },
    adjoint(node, cx, g) {
      if (!g[0]) return [undefined];
      const r = cx.shape(inputOf(node, 0)).length;
      let t = g[0];
      for (const m of mats(node, cx).reverse()) t = along(cx, t, m.axis, r, m.matrix, m.nOut, m.nIn, true);
      return [t];
    },
  };
}

export const resize = resizeRule(false);
export const upsample = resizeRule(true);
