// Derivative rules of the ops that only move values: Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Concat, Split, Slice, Pad (constant mode). Derivatives move the same way with the batch
// axis in front (shapes are the probed ones, so Reshape targets computed from Shape ops need no
// rule); reverse mode moves them back (Concat ↔ Split, Slice ↔ Pad). Starts, ends and pads must be
// fixed for the input size (constants or shape arithmetic).
import { attrInt, attrInts, attrString, type NodeLike } from '../onnx/edit.js';
import { axisOf, inputOf, ints, op, outputOf, reshapeB, zeros, type GradContext } from './context.js';
import type { Rule } from './rule.js';

/** Reshape-like ops: the derivative takes the output's (probed) shape and back. */
export const reshapeLike: Rule = {
  tangent: (node, cx, d) => [d[0] && reshapeB(cx, d[0], cx.shape(outputOf(node, 0)))],
  adjoint: (node, cx, g) => [g[0] && reshapeB(cx, g[0], cx.shape(inputOf(node, 0)))],
};

export const transpose: Rule = {
  tangent(node, cx, d) {
    const r = cx.shape(inputOf(node, 0)).length;
    const p = attrInts(node, 'perm', Array.from({ length: r }, (_, i) => r - 1 - i));
    return [d[0] && op(cx, 'Transpose', [d[0]], { perm: [0, ...p.map((v) => v + 1)] })];
  },
  adjoint(node, cx, g) {
    const r = cx.shape(inputOf(node, 0)).length;
    const p = attrInts(node, 'perm', Array.from({ length: r }, (_, i) => r - 1 - i));
    const inv = Array<number>(r);
    p.forEach((v, i) => (inv[v] = i));
    return [g[0] && op(cx, 'Transpose', [g[0]], { perm: [0, ...inv.map((v) => v + 1)] })];
  },
};

function split(cx: GradContext, t: string, axis: number, sizes: number[]): string[] {
  const outs = sizes.map(() => cx.fresh('split'));
  if (cx.opset >= 13) cx.emit({ op: 'Split', inputs: [t, ints(cx, sizes, 'split')], outputs: outs, attrs: { axis } });
  else cx.emit({ op: 'Split', inputs: [t], outputs: outs, attrs: { axis, split: sizes } });
  return outs;
}

export const concat: Rule = {
  tangent(node, cx, d) {
    if (!d.some(Boolean)) return [undefined];
    const axis = axisOf(attrInt(node, 'axis', 0), cx.shape(outputOf(node, 0)).length) + 1;
    return [op(cx, 'Concat', d.map((t, i) => t ?? zeros(cx, cx.shape(inputOf(node, i)))), { axis })];
  },
  adjoint(node, cx, g, active) {
    if (!g[0]) return active.map(() => undefined);
    const r = cx.shape(outputOf(node, 0)).length;
    const axis = axisOf(attrInt(node, 'axis', 0), r);
    const parts = split(cx, g[0], axis + 1, (node.input ?? []).map((n) => cx.shape(n)[axis]!));
    return parts.map((p, i) => (active[i] ? p : undefined));
  },
};

export const splitRule: Rule = {
  tangent(node, cx, d) {
    if (!d[0]) return (node.output ?? []).map(() => undefined);
    const axis = axisOf(attrInt(node, 'axis', 0), cx.shape(inputOf(node, 0)).length);
    return split(cx, d[0], axis + 1, (node.output ?? []).map((n) => cx.shape(n)[axis]!));
  },
  adjoint(node, cx, g) {
    const axis = axisOf(attrInt(node, 'axis', 0), cx.shape(inputOf(node, 0)).length);
    if (!g.some(Boolean)) return [undefined];
    return [op(cx, 'Concat', (node.output ?? []).map((n, j) => g[j] ?? zeros(cx, cx.shape(n))), { axis: axis + 1 })];
  },
};

/** A Slice's effective begin and step per axis (normalised against the input shape), or a reason. */
function sliceSpec(node: NodeLike, cx: GradContext): { axes: number[]; begins: number[]; steps: number[] } | string {
  const sx = cx.shape(inputOf(node, 0));
  let starts: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (cx.opset < 10) {
    starts = attrInts(node, 'starts', []);
    axes = attrInts(node, 'axes');
  } else {
    const read = (i: number) => (inputOf(node, i) ? cx.constant(inputOf(node, i)) : undefined);
    const s = read(1);
    if (!s || (inputOf(node, 3) && !read(3)) || (inputOf(node, 4) && !read(4))) return 'Slice with starts, axes or steps computed from the image has no rule';
    starts = Array.from(s);
    axes = read(3) && Array.from(read(3)!);
    steps = read(4) && Array.from(read(4)!);
  }
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => axisOf(a, sx.length));
  const st = steps ?? ax.map(() => 1);
  const begins = starts.map((s, i) => {
    const dim = sx[ax[i]!]!;
    const v = s < 0 ? s + dim : s;
    return st[i]! > 0 ? Math.min(Math.max(v, 0), dim) : Math.min(Math.max(v, -1), dim - 1);
  });
  return { axes: ax, begins, steps: st };
}

/** Emits Slice on a derivative [B, ...] (axes shifted by one), in the opset's signature. */
export function sliceB(cx: GradContext, t: string, axes: number[], starts: number[], ends: number[], steps?: number[]): string {
  const a = axes.map((v) => v + 1);
  if (cx.opset < 10) return op(cx, 'Slice', [t], { axes: a, starts, ends });
  return op(cx, 'Slice', [t, ints(cx, starts), ints(cx, ends), ints(cx, a), ...(steps ? [ints(cx, steps)] : [])]);
}

/** Emits Pad (constant zeros) on a derivative [B, ...] with per-axis begin/end pads of the primal axes. */
export function padB(cx: GradContext, t: string, begins: number[], ends: number[]): string {
  const pads = [0, ...begins, 0, ...ends];
  if (cx.opset < 11) return op(cx, 'Pad', [t], { pads, mode: 'constant', value: { float: 0 } });
  return op(cx, 'Pad', [t, ints(cx, pads, 'pads')], { mode: 'constant' });
}

export const slice: Rule = {
  refuse(node, cx) {
    const s = sliceSpec(node, cx);
    return typeof s === 'string' ? s : undefined;
  },
  tangent(node, cx, d) {
    if (!d[0]) return [undefined];
    const s = sliceSpec(node, cx) as Exclude<ReturnType<typeof sliceSpec>, string>;
    const so = cx.shape(outputOf(node, 0));
    // ends from the probed output size: begin + step·(count − 1) + sign(step)
    const ends = s.axes.map((a, i) => {
      const e = s.begins[i]! + s.steps[i]! * so[a]!;
      return s.steps[i]! < 0 && e < 0 ? -(2 ** 62) : e;
    });
    return [sliceB(cx, d[0], s.axes, s.begins, ends, cx.opset >= 10 ? s.steps : undefined)];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const s = sliceSpec(node, cx) as Exclude<ReturnType<typeof sliceSpec>, string>;
    const sx = cx.shape(inputOf(node, 0));
    const cur = cx.shape(outputOf(node, 0));
    let t = g[0];
    // per sliced axis: reverse (negative step), spread with step − 1 zeros between, pad to place
    s.axes.forEach((a, i) => {
      const n = cur[a]!, step = s.steps[i]!, stride = Math.abs(step);
      if (n === 0) return;
      if (step < 0) t = sliceB(cx, t, [a], [-1], [-(2 ** 62)], [-1]);
      const first = step < 0 ? s.begins[i]! + step * (n - 1) : s.begins[i]!;
      if (stride > 1) {
        const split = [...cur.slice(0, a), n, 1, ...cur.slice(a + 1)];
        const widened = padB(cx, reshapeB(cx, t, split), split.map(() => 0), split.map((_, k) => (k === a + 1 ? stride - 1 : 0)));
        const flat = [...cur.slice(0, a), n * stride, ...cur.slice(a + 1)];
        t = sliceB(cx, reshapeB(cx, widened, flat), [a], [0], [(n - 1) * stride + 1]);
      }
      const span = (n - 1) * stride + 1;
      const begins = cur.map(() => 0), ends = cur.map(() => 0);
      begins[a] = first;
      ends[a] = sx[a]! - first - span;
      t = padB(cx, t, begins, ends);
      cur[a] = sx[a]!;
    });
    return [t];
  },
};

function padSpec(node: NodeLike, cx: GradContext): number[] | string {
  if (attrString(node, 'mode', 'constant') !== 'constant') return `Pad mode=${attrString(node, 'mode', 'constant')} has no rule (constant has)`;
  if (inputOf(node, 3)) return 'Pad with axes has no rule';
  const pads = cx.opset < 11 ? attrInts(node, 'pads', []) : (inputOf(node, 1) && cx.constant(inputOf(node, 1)));
  if (!pads) return 'Pad with pads computed from the image has no rule';
  if (Array.from(pads).some((v) => v < 0)) return 'Pad with negative pads has no rule';
  return Array.from(pads);
}

export const pad: Rule = {
  refuse: (node, cx) => { const p = padSpec(node, cx); return typeof p === 'string' ? p : undefined; },
  tangent(node, cx, d) {
    const p = padSpec(node, cx) as number[];
    const r = p.length / 2;
    return [d[0] && padB(cx, d[0], p.slice(0, r), p.slice(r))];
  },
  adjoint(node, cx, g) {
    if (!g[0]) return [undefined];
    const p = padSpec(node, cx) as number[];
    const sx = cx.shape(inputOf(node, 0));
    const axes = sx.map((_, i) => i);
    return [sliceB(cx, g[0], axes, p.slice(0, sx.length), sx.map((v, i) => p[i]! + v))];
  },
};
