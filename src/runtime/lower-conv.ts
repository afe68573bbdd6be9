// Float64 lowerings of the window ops (Conv, ConvTranspose, AveragePool, GlobalAverage/MaxPool)
// into Pad/Slice/Gather + Mul/MatMul/Sum/Reduce ops that onnxruntime runs in double:
//   Conv, depthwise or dense with constant weights — Pad, a (blocks, stride) view and one Slice
//     per kernel tap, multiplied by the tap's weights (Mul per channel, or MatMul) and summed;
//   ConvTranspose with stride = kernel — one MatMul and a Transpose that interleaves the taps;
//   other ConvTranspose — whichever of two costs less (elements gathered plus multiply-adds):
//     columns first, a MatMul by the transposed weight per group then a col2im Gather + ReduceSum
//     (each output reads only the ≈ (k/s)² entries that land on it; the adjoint of a strided stem
//     conv, 7×7/2 64←3, gathers ~70× less than the direct plan), or the direct plan below;
//   other grouped Conv, ConvTranspose — Reshape + (Concat zero) + Gather with precomputed im2col
//     indices, then MatMul by the weight viewed as (groups, out/groups, in/groups·taps);
//   AveragePool — the same Gather, ReduceSum, Mul by 1/count; GlobalAveragePool — ReduceMean;
//   GlobalMaxPool — ReduceMax.
// Internal: everything except the exported lowerings.
import { InputError } from '../core/errors.js';
import { attrInt, attrInts, attrString, hasAttr, type NodeLike } from '../onnx/edit.js';
import { autoPads, col2imGather, convGather, convTransposeGather, poolCounts, windowOutput, type GatherPlan, type WindowGeometry } from './gather-index.js';
import { binary, reduceSum, reshape, scalar, sum, where, type LowerContext, type Lowering } from './lower-emit.js';

/** Input and geometry of a 1-D or 2-D window op, normalised to 2-D. */
interface Window {
  n: number; c: number;
  geom: WindowGeometry;
  /** spatial rank of the original op (1 or 2) */
  rank: number;
}

function windowOf(node: NodeLike, cx: LowerContext, kernel: number[], transpose: boolean): Window {
  const xd = cx.dims(node.input![0]!);
  const rank = xd.length - 2;
  if (rank !== 1 && rank !== 2) throw new InputError(`${where(node)}: ${node.opType} with ${rank} spatial dimensions is not supported in float64 (1-D and 2-D are)`);
  const two = (v: number[], fill: number) => (rank === 1 ? [fill, v[0] ?? fill] : [v[0] ?? fill, v[1] ?? fill]);
  const [h, w] = rank === 1 ? [1, xd[2]!] : [xd[2]!, xd[3]!];
  const [kh, kw] = two(kernel, 1);
  const [sh, sw] = two(attrInts(node, 'strides', []), 1);
  const [dh, dw] = two(attrInts(node, 'dilations', []), 1);
  const p = attrInts(node, 'pads', []);
  let [pt, pl] = two(p.slice(0, rank), 0);
  let [pb, pr] = two(p.slice(rank), 0);
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  if (auto !== 'NOTSET') {
    if (transpose) throw new InputError(`${where(node)}: ConvTranspose with auto_pad=${auto} is not supported in float64 (explicit pads are)`);
    const y = autoPads(auto, h, kh!, sh!, dh!);
    const x = autoPads(auto, w, kw!, sw!, dw!);
    [pt, pb, pl, pr] = rank === 1 ? [0, 0, x.begin, x.end] : [y.begin, y.end, x.begin, x.end];
  }
  return { n: xd[0]!, c: xd[1]!, rank, geom: { h, w, kh: kh!, kw: kw!, sh: sh!, sw: sw!, dh: dh!, dw: dw!, pt: pt!, pl: pl!, pb: pb!, pr: pr! } };
}

function checkOutput(node: NodeLike, cx: LowerContext, expected: number[]): void {
  const got = cx.dims(node.output![0]!);
  if (got.join() !== expected.join()) throw new RangeError(`${where(node)}: float64 lowering computed output dims [${expected}] but onnxruntime reports [${got}]`);
}

/** The im2col tensor (n, c, taps, l) of a gather plan, or the input itself as (n, c, l) for pointwise windows. */
function columns(cx: LowerContext, x: string, win: Window, plan: GatherPlan, identity: boolean): string {
  const { n, c, geom } = win;
  const flat = reshape(cx, x, [n, c, geom.h * geom.w]);
  if (identity) return flat;
  let src = flat;
  if (plan.usesZero) {
    src = cx.fresh(`${x}_z`);
    cx.emit({ op: 'Concat', inputs: [flat, cx.f64('zero', new Float64Array(n * c), [n, c, 1])], outputs: [src], attrs: { axis: 2 } });
  }
  const cols = cx.fresh(`${x}_cols`);
  cx.emit({ op: 'Gather', inputs: [src, cx.i64('im2col', plan.index, [plan.taps, plan.ho * plan.wo])], outputs: [cols], attrs: { axis: 2 } });
  return cols;
}

function outDims(win: Window, channels: number, plan: { ho: number; wo: number }): number[] {
  return win.rank === 1 ? [win.n, channels, plan.wo] : [win.n, channels, plan.ho, plan.wo];
}

/**
 * Window taps without a gather: pad the input, view each spatial axis as (blocks, stride) and
 * take one strided Slice per tap (a, b) — the input pixels tap (a, b) reads for every output,
 * as a (n, c, ho, 1, wo, 1) tensor. Several times faster than an element-wise Gather in
 * onnxruntime's float64 kernels, and valid at every opset (Slice without steps).
 */
function tapSlices(cx: LowerContext, x: string, win: Window, ho: number, wo: number): string[] {
  const { n, c, geom: g } = win;
  const need = (k: number, d: number, s: number, o: number) => Math.floor(((k - 1) * d) / s) + o;
  const hq = Math.max(Math.ceil((g.h + g.pt) / g.sh), need(g.kh, g.dh, g.sh, ho));
  const wq = Math.max(Math.ceil((g.w + g.pl) / g.sw), need(g.kw, g.dw, g.sw, wo));
  const pads = [0, 0, g.pt, g.pl, 0, 0, hq * g.sh - g.h - g.pt, wq * g.sw - g.w - g.pl];
  let src = win.rank === 1 ? reshape(cx, x, [n, c, 1, g.w]) : x;
  if (pads.some((p) => p !== 0)) {
    const padded = cx.fresh(`${x}_pad`);
    if (cx.opset >= 11) cx.emit({ op: 'Pad', inputs: [src, cx.i64('pads', pads, [8])], outputs: [padded] });
    else cx.emit({ op: 'Pad', inputs: [src], outputs: [padded], attrs: { pads } });
    src = padded;
  }
  const blocks = reshape(cx, src, [n, c, hq, g.sh, wq, g.sw]);
  const taps: string[] = [];
  for (let a = 0; a < g.kh; a++) for (let b = 0; b < g.kw; b++) {
    const ya = a * g.dh, xb = b * g.dw;
    const starts = [Math.floor(ya / g.sh), ya % g.sh, Math.floor(xb / g.sw), xb % g.sw];
    const ends = [starts[0]! + ho, starts[1]! + 1, starts[2]! + wo, starts[3]! + 1];
    const y = cx.fresh(`${x}_tap`);
    if (cx.opset >= 10) cx.emit({ op: 'Slice', inputs: [blocks, cx.i64('starts', starts, [4]), cx.i64('ends', ends, [4]), cx.i64('axes', [2, 3, 4, 5], [4])], outputs: [y] });
    else cx.emit({ op: 'Slice', inputs: [blocks], outputs: [y], attrs: { axes: [2, 3, 4, 5], starts, ends } });
    taps.push(y);
  }
  return taps;
}

export const conv: Lowering = (node, cx) => {
  const [x, w, b] = (node.input ?? []) as string[];
  const wd = cx.dims(w!);
  const kernel = attrInts(node, 'kernel_shape', wd.slice(2));
  const win = windowOf(node, cx, kernel, false);
  const g = attrInt(node, 'group', 1);
  const o = wd[0]!;
  const cg = win.c / g, og = o / g;
  if (!Number.isInteger(cg) || !Number.isInteger(og) || wd[1] !== cg) throw new InputError(`${where(node)}: weight dims [${wd}] do not match ${win.c} input channels in ${g} groups`);
  const geom = win.geom;
  const ho = windowOutput(geom.h, geom.kh, geom.sh, geom.dh, geom.pt, geom.pb);
  const wo = windowOutput(geom.w, geom.kw, geom.sw, geom.dw, geom.pl, geom.pr);
  const taps = geom.kh * geom.kw, l = ho * wo;
  const out = win.rank === 1 ? [win.n, o, wo] : [win.n, o, ho, wo];
  checkOutput(node, cx, out);
  const pointwise = taps === 1 && geom.sh === 1 && geom.sw === 1 && geom.pt + geom.pl + geom.pb + geom.pr === 0;
  const weights = cx.constant(w!);
  const depthwise = cg === 1 && og === 1;
  let y: string;
  if (!pointwise && weights && (depthwise || g === 1)) {
    // per tap: depthwise multiplies by the tap's weight per channel, a dense conv by the tap's (o, c) matrix
    const slices = tapSlices(cx, x!, win, ho, wo);
    const terms = slices.map((s, t) => {
      if (depthwise) return binary(cx, 'Mul', s, cx.f64('wtap', Float64Array.from({ length: o }, (_, k) => weights[k * taps + t]!), [o, 1, 1, 1, 1]));
      const wt = Float64Array.from({ length: o * win.c }, (_, k) => weights[k * taps + t]!); // (o, c) at tap t
      return binary(cx, 'MatMul', cx.f64('wtap', wt, [o, win.c]), reshape(cx, s, [win.n, win.c, l]));
    });
    y = sum(cx, terms);
    if (b) y = binary(cx, 'Add', y, reshape(cx, b, depthwise ? [o, 1, 1, 1, 1] : [o, 1]));
  } else {
    // general grouped conv (or dynamic weights): im2col by Gather, then a batched MatMul per group
    const plan = pointwise ? { index: new BigInt64Array(0), taps: 1, ho, wo, usesZero: false } : convGather(geom);
    const cols = columns(cx, x!, win, plan, pointwise);
    y = binary(cx, 'MatMul', reshape(cx, w!, [g, og, cg * taps]), reshape(cx, cols, [win.n, g, cg * taps, l]));
    if (b) y = binary(cx, 'Add', y, reshape(cx, b, [g, og, 1]));
  }
  reshape(cx, y, out, node.output![0]!);
};

export const convTranspose: Lowering = (node, cx) => {
  const [x, w, b] = (node.input ?? []) as string[];
  const wd = cx.dims(w!);
  if (hasAttr(node, 'output_shape')) throw new InputError(`${where(node)}: ConvTranspose with output_shape is not supported in float64 (pads and output_padding are)`);
  const kernel = attrInts(node, 'kernel_shape', wd.slice(2));
  const win = windowOf(node, cx, kernel, true);
  const g = attrInt(node, 'group', 1);
  const cg = win.c / g, og = wd[1]!, o = og * g;
  if (wd[0] !== win.c || !Number.isInteger(cg)) throw new InputError(`${where(node)}: weight dims [${wd}] do not match ${win.c} input channels in ${g} groups`);
  const op = attrInts(node, 'output_padding', []);
  const [oph, opw] = win.rank === 1 ? [0, op[0] ?? 0] : [op[0] ?? 0, op[1] ?? 0];
  const geom = win.geom;
  if (g === 1 && oph === 0 && opw === 0 && geom.sh === geom.kh && geom.sw === geom.kw && geom.dh === 1 && geom.dw === 1 && geom.pt + geom.pl + geom.pb + geom.pr === 0) {
    // stride = kernel, no padding: every output pixel gets exactly one tap, so one MatMul
    // (o·kh·kw, c)·(c, h·w) followed by interleaving the taps into the output plane
    const { n, c, geom: { h, w: wi, kh, kw } } = win;
    const out = win.rank === 1 ? [n, o, wi * kw] : [n, o, h * kh, wi * kw];
    checkOutput(node, cx, out);
    const wt = cx.fresh(`${w}_t`);
    cx.emit({ op: 'Transpose', inputs: [reshape(cx, w!, [c, o * kh * kw])], outputs: [wt], attrs: { perm: [1, 0] } });
    let y = binary(cx, 'MatMul', wt, reshape(cx, x!, [n, c, h * wi]));
    if (b) y = binary(cx, 'Add', y, biasPerTap(cx, b, o, kh * kw));
    const spread = cx.fresh(`${x}_spread`);
    cx.emit({ op: 'Transpose', inputs: [reshape(cx, y, [n, o, kh, kw, h, wi])], outputs: [spread], attrs: { perm: [0, 1, 4, 2, 5, 3] } });
    reshape(cx, spread, out, node.output![0]!);
    return;
  }
  const taps = geom.kh * geom.kw;
  const lIn = geom.h * geom.w;
  const scatter = col2imGather(geom, oph, opw);
  const lOut = scatter.ho * scatter.wo;
  const direct = win.c * taps * lOut + o * cg * taps * lOut;
  const columnsFirst = o * taps * cg * lIn + (scatter.identity ? 0 : o * scatter.slots * lOut);
  if (columnsFirst <= direct) {
    const { n } = win;
    const out = outDims(win, o, scatter);
    checkOutput(node, cx, out);
    // weight (c, og, kh, kw) → (g, og·taps, cg); columns (n, g, og·taps, h·w) = (n, o, taps·h·w)
    const wt = cx.fresh(`${w}_t`);
    cx.emit({ op: 'Transpose', inputs: [reshape(cx, w!, [g, cg, og * taps])], outputs: [wt], attrs: { perm: [0, 2, 1] } });
    let y = reshape(cx, binary(cx, 'MatMul', wt, reshape(cx, x!, [n, g, cg, lIn])), [n, o, taps * lIn]);
    if (!scatter.identity) {
      if (scatter.usesZero) {
        const z = cx.fresh(`${x}_z`);
        cx.emit({ op: 'Concat', inputs: [y, cx.f64('zero', new Float64Array(n * o), [n, o, 1])], outputs: [z], attrs: { axis: 2 } });
        y = z;
      }
      const gathered = cx.fresh(`${x}_col2im`);
      cx.emit({ op: 'Gather', inputs: [y, cx.i64('col2im', scatter.index, [lOut, scatter.slots])], outputs: [gathered], attrs: { axis: 2 } });
      y = reduceSum(cx, gathered, 3);
    }
    if (b) y = binary(cx, 'Add', y, reshape(cx, b, [o, 1]));
    reshape(cx, y, out, node.output![0]!);
    return;
  }
  const plan = convTransposeGather(geom, oph, opw);
  const l = plan.ho * plan.wo;
  const out = outDims(win, o, plan);
  checkOutput(node, cx, out);
  const cols = reshape(cx, columns(cx, x!, win, plan, false), [win.n, g, cg * taps, l]);
  // weight (c, og, kh, kw) → (g, og, cg·taps): in-channel and tap become the contraction axis
  const wt = cx.fresh(`${w}_t`);
  cx.emit({ op: 'Transpose', inputs: [reshape(cx, w!, [g, cg, og, taps])], outputs: [wt], attrs: { perm: [0, 2, 1, 3] } });
  let y = binary(cx, 'MatMul', reshape(cx, wt, [g, og, cg * taps]), cols);
  if (b) y = binary(cx, 'Add', y, reshape(cx, b, [g, og, 1]));
  reshape(cx, y, out, node.output![0]!);
};

/** A bias (o) repeated for each of `taps` kernel taps as an (o·taps, 1) column. */
function biasPerTap(cx: LowerContext, b: string, o: number, taps: number): string {
  const rep = cx.fresh(`${b}_rep`);
  cx.emit({ op: 'Expand', inputs: [reshape(cx, b, [o, 1]), cx.i64('shape', [o, taps], [2])], outputs: [rep] });
  return reshape(cx, rep, [o * taps, 1]);
}

export const averagePool: Lowering = (node, cx) => {
  const win = windowOf(node, cx, attrInts(node, 'kernel_shape', []), false);
  const plan = convGather(win.geom, attrInt(node, 'ceil_mode', 0) === 1);
  const out = outDims(win, win.c, plan);
  checkOutput(node, cx, out);
  const counts = poolCounts(win.geom, plan, attrInt(node, 'count_include_pad', 0) === 1);
  const sum = reduceSum(cx, columns(cx, node.input![0]!, win, plan, false), 2);
  const inv = counts.every((c) => c === counts[0]) ? scalar(cx, 1 / counts[0]!) : cx.f64('invcount', counts.map((c) => 1 / c), [counts.length]);
  reshape(cx, binary(cx, 'Mul', sum, inv), out, node.output![0]!);
};

export const globalAveragePool: Lowering = (node, cx) => {
  const rank = cx.dims(node.input![0]!).length;
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  if (cx.opset >= 18) cx.emit({ op: 'ReduceMean', inputs: [node.input![0]!, cx.i64('axes', axes, [axes.length])], outputs: [node.output![0]!], attrs: { keepdims: 1 } });
  else cx.emit({ op: 'ReduceMean', inputs: [node.input![0]!], outputs: [node.output![0]!], attrs: { axes, keepdims: 1 } });
};

export const globalMaxPool: Lowering = (node, cx) => {
  const rank = cx.dims(node.input![0]!).length;
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  if (cx.opset >= 18) cx.emit({ op: 'ReduceMax', inputs: [node.input![0]!, cx.i64('axes', axes, [axes.length])], outputs: [node.output![0]!], attrs: { keepdims: 1 } });
  else cx.emit({ op: 'ReduceMax', inputs: [node.input![0]!], outputs: [node.output![0]!], attrs: { axes, keepdims: 1 } });
};

