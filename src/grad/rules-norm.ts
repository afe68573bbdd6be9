// Derivative rules of the normalising ops: Softmax, LogSoftmax, LayerNormalization. Their Jacobians
// are symmetric projections scaled per slice (softmax: diag(y) − yyᵀ; layer norm: (I − 11ᵀ/n −
// x̂x̂ᵀ/n)/σ), so one formula serves both modes. Softmax before opset 13 normalises over all axes
// from `axis` on (the 2-D coercion), from opset 13 over `axis` alone.
import { attrFloat, attrInt, type NodeLike } from '../onnx/edit.js';
import { add, axisOf, div, inputOf, mul, op, outputOf, reduce, scalar, sub, type GradContext } from './context.js';
import type { Rule } from './rule.js';

function softmaxAxes(node: NodeLike, cx: GradContext): number[] {
  const r = cx.shape(inputOf(node, 0)).length;
  const axis = axisOf(attrInt(node, 'axis', cx.opset >= 13 ? -1 : 1), r);
  return cx.opset >= 13 ? [axis + 1] : Array.from({ length: r - axis }, (_, i) => axis + i + 1);
}

/** y·(t − Σ y·t) over the softmax axes. */
function softmaxJ(node: NodeLike, cx: GradContext, t: string): string {
  const y = outputOf(node, 0);
  return mul(cx, y, sub(cx, t, reduce(cx, 'ReduceSum', mul(cx, y, t), softmaxAxes(node, cx), true)));
}

export const softmax: Rule = {
  tangent: (node, cx, d) => [d[0] && softmaxJ(node, cx, d[0])],
  adjoint: (node, cx, g) => [g[0] && softmaxJ(node, cx, g[0])],
};

export const logSoftmax: Rule = {
  // y = x − logΣexp(x): J = I − 1·pᵀ with p = exp(y)
  tangent: (node, cx, d) => [d[0] && sub(cx, d[0], reduce(cx, 'ReduceSum', mul(cx, op(cx, 'Exp', [outputOf(node, 0)]), d[0]), softmaxAxes(node, cx), true))],
  adjoint: (node, cx, g) => [g[0] && sub(cx, g[0], mul(cx, op(cx, 'Exp', [outputOf(node, 0)]), reduce(cx, 'ReduceSum', g[0], softmaxAxes(node, cx), true)))],
};

/** x̂ and 1/σ of a LayerNormalization's input, recomputed from x (primal tensors). */
function normalised(node: NodeLike, cx: GradContext): { xhat: string; inv: string; axes: number[] } {
  const x = inputOf(node, 0);
  const r = cx.shape(x).length;
  const axis = axisOf(attrInt(node, 'axis', -1), r);
  const axes = Array.from({ length: r - axis }, (_, i) => axis + i);
  const xc = sub(cx, x, reduce(cx, 'ReduceMean', x, axes, true));
  const variance = reduce(cx, 'ReduceMean', mul(cx, xc, xc), axes, true);
  const inv = div(cx, scalar(cx, 1), op(cx, 'Sqrt', [add(cx, variance, scalar(cx, attrFloat(node, 'epsilon', 1e-5)))]));
  return { xhat: mul(cx, xc, inv), inv, axes: axes.map((a) => a + 1) };
}

/** (t − mean(t) − x̂·mean(x̂·t))/σ over the normalised axes. */
function layerNormJ(cx: GradContext, n: { xhat: string; inv: string; axes: number[] }, t: string): string {
  const mean = reduce(cx, 'ReduceMean', t, n.axes, true);
  const proj = mul(cx, n.xhat, reduce(cx, 'ReduceMean', mul(cx, n.xhat, t), n.axes, true));
  return mul(cx, sub(cx, sub(cx, t, mean), proj), n.inv);
}

export const layerNorm: Rule = {
  refuse: (_n, _cx, active) => (active[1] || active[2] ? 'LayerNormalization with scale or bias that depend on the image has no rule' : undefined),
  tangent: (node, cx, d) => [d[0] && mul(cx, layerNormJ(cx, normalised(node, cx), d[0]), inputOf(node, 1)), undefined, undefined],
  adjoint: (node, cx, g) => [g[0] && layerNormJ(cx, normalised(node, cx), mul(cx, g[0], inputOf(node, 1))), undefined, undefined],
};
