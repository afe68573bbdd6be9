// Derivative rules of elementwise ops. Unary ops multiply by f′(x) in both modes (a diagonal
// Jacobian is its own transpose); binary ops follow numpy broadcasting forwards and sum it back
// (unbroadcast) in reverse. Kinks take one side, the same in both modes: the derivative of the
// branch ONNX selects by a strict comparison — ReLU, Clip and HardSigmoid/HardSwish count their
// breakpoints as flat (0), LeakyRelu and PRelu count 0 as the identity branch (1).
import { attrFloat, attrString, hasAttr, type NodeLike } from '../onnx/edit.js';
import {
  add, div, expandTo, inputOf, lift, mask, mul, neg, op, outputOf, scalar, sub, unbroadcast, type GradContext,
} from './context.js';
import type { Rule } from './rule.js';

type Factor = (node: NodeLike, cx: GradContext, x: string, y: string) => string;

/** A unary op: derivative = d·f′(x). */
function unary(factor: Factor): Rule {
  const f = (node: NodeLike, cx: GradContext, t: string | undefined) => (t ? [mul(cx, t, factor(node, cx, inputOf(node, 0), outputOf(node, 0)))] : [undefined]);
  return { tangent: (node, cx, d) => f(node, cx, d[0]), adjoint: (node, cx, g) => f(node, cx, g[0]) };
}

/** The identity: derivative passes through (Identity, Dropout at inference, float Cast). */
export const passThrough: Rule = { tangent: (_n, _cx, d) => [d[0]], adjoint: (_n, _cx, g) => [g[0]] };

const gt = (cx: GradContext, a: string, b: string) => mask(cx, op(cx, 'Greater', [a, b]));
const lt = (cx: GradContext, a: string, b: string) => mask(cx, op(cx, 'Less', [a, b]));

/** Clip bounds as tensor names (inputs from opset 11, attributes before), undefined when absent. */
function clipBounds(node: NodeLike, cx: GradContext): [string | undefined, string | undefined] {
  if (cx.opset >= 11) return [inputOf(node, 1) || undefined, inputOf(node, 2) || undefined];
  return [hasAttr(node, 'min') ? scalar(cx, attrFloat(node, 'min', 0)) : undefined, hasAttr(node, 'max') ? scalar(cx, attrFloat(node, 'max', 0)) : undefined];
}

/** 1 where 0 < αx + β < 1 (HardSigmoid's sloped part), else 0. */
function hardMask(cx: GradContext, x: string, alpha: number, beta: number): string {
  const z = add(cx, mul(cx, x, scalar(cx, alpha)), scalar(cx, beta));
  return mul(cx, gt(cx, z, scalar(cx, 0)), lt(cx, z, scalar(cx, 1)));
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_2PI = 0.3989422804014327;

export const UNARY: Readonly<Record<string, Rule>> = Object.freeze({
  // read from the output: y > 0 ⇔ x > 0 (the same side at 0), and with the pre-activation unused
  // onnxruntime can still fuse the primal Conv (+ BatchNormalization) + Relu into one FusedConv
  Relu: unary((_n, cx, _x, y) => gt(cx, y, scalar(cx, 0))),
  LeakyRelu: unary((n, cx, x) => op(cx, 'Where', [op(cx, 'Less', [x, scalar(cx, 0)]), scalar(cx, attrFloat(n, 'alpha', 0.01)), scalar(cx, 1)])),
  Clip: unary((n, cx, x) => {
    const [lo, hi] = clipBounds(n, cx);
    const a = lo ? gt(cx, x, lo) : undefined, b = hi ? lt(cx, x, hi) : undefined;
    return a && b ? mul(cx, a, b) : a ?? b ?? scalar(cx, 1);
  }),
  HardSigmoid: unary((n, cx, x) => { const alpha = attrFloat(n, 'alpha', 0.2); return mul(cx, hardMask(cx, x, alpha, attrFloat(n, 'beta', 0.5)), scalar(cx, alpha)); }),
  HardSwish: unary((_n, cx, x) => {
    const hs = op(cx, 'Min', [op(cx, 'Max', [add(cx, mul(cx, x, scalar(cx, 1 / 6)), scalar(cx, 0.5)), scalar(cx, 0)]), scalar(cx, 1)]);
    return add(cx, hs, mul(cx, x, mul(cx, hardMask(cx, x, 1 / 6, 0.5), scalar(cx, 1 / 6))));
  }),
  // σ(x)·σ(−x), not y(1 − y): no cancellation where σ saturates (float32 would return 0)
  Sigmoid: unary((_n, cx, x, y) => mul(cx, y, op(cx, 'Sigmoid', [neg(cx, x)]))),
  Tanh: unary((_n, cx, _x, y) => sub(cx, scalar(cx, 1), mul(cx, y, y))),
  Exp: unary((_n, _cx, _x, y) => y),
  Log: unary((_n, cx, x) => div(cx, scalar(cx, 1), x)),
  Sqrt: unary((_n, cx, _x, y) => div(cx, scalar(cx, 0.5), y)),
  Reciprocal: unary((_n, cx, _x, y) => neg(cx, mul(cx, y, y))),
  Erf: unary((_n, cx, x) => mul(cx, op(cx, 'Exp', [neg(cx, mul(cx, x, x))]), scalar(cx, TWO_OVER_SQRT_PI))),
  Neg: { tangent: (_n, cx, d) => [d[0] && neg(cx, d[0])], adjoint: (_n, cx, g) => [g[0] && neg(cx, g[0])] },
});

/** Gelu (opset 20, approximate none): Φ(x) + x·φ(x). */
export const gelu: Rule = {
  refuse: (node) => (attrString(node, 'approximate', 'none') === 'none' ? undefined : 'Gelu with approximate=tanh has no rule'),
  ...unary((_n, cx, x) => {
    const cdf = mul(cx, add(cx, op(cx, 'Erf', [mul(cx, x, scalar(cx, Math.SQRT1_2))]), scalar(cx, 1)), scalar(cx, 0.5));
    const pdf = mul(cx, op(cx, 'Exp', [mul(cx, mul(cx, x, x), scalar(cx, -0.5))]), scalar(cx, INV_SQRT_2PI));
    return add(cx, cdf, mul(cx, x, pdf));
  }),
};

/** PRelu with a constant slope: Where(x < 0, slope, 1). */
export const prelu: Rule = {
  refuse: (_n, _cx, active) => (active[1] ? 'PRelu with a slope that depends on the image has no rule' : undefined),
  ...unary((n, cx, x) => op(cx, 'Where', [op(cx, 'Less', [x, scalar(cx, 0)]), inputOf(n, 1), scalar(cx, 1)])),
};

/** Lifted tangent of input i, aligned to the output's rank. */
const lifted = (node: NodeLike, cx: GradContext, d: string, i: number) => lift(cx, d, cx.shape(inputOf(node, i)), cx.shape(outputOf(node, 0)).length);

/** Makes sure a tangent covers the whole output shape (a broadcast input alone may not). */
function full(node: NodeLike, cx: GradContext, t: string, shapes: number[][]): string {
  const so = cx.shape(outputOf(node, 0));
  return shapes.some((s) => s.length === so.length && s.every((v, k) => v === so[k])) ? t : expandTo(cx, t, so);
}

/** Add, Sub and Sum: signs per input (Sub: +, −). */
function linearSum(signs: (i: number) => number): Rule {
  return {
    tangent(node, cx, d) {
      let acc: string | undefined;
      const shapes: number[][] = [];
      d.forEach((t, i) => {
        if (!t) return;
        const term = lifted(node, cx, t, i);
        shapes.push(cx.shape(inputOf(node, i)));
        const s = signs(i);
        acc = acc ? (s > 0 ? add(cx, acc, term) : sub(cx, acc, term)) : s > 0 ? term : neg(cx, term);
      });
      return [acc && full(node, cx, acc, shapes)];
    },
    adjoint(node, cx, g, active) {
      const so = cx.shape(outputOf(node, 0));
      return active.map((a, i) => {
        if (!a || !g[0]) return undefined;
        const r = unbroadcast(cx, g[0], so, cx.shape(inputOf(node, i)));
        return signs(i) > 0 ? r : neg(cx, r);
      });
    },
  };
}

export const BINARY: Readonly<Record<string, Rule>> = Object.freeze({
  Add: linearSum(() => 1),
  Sum: linearSum(() => 1),
  Sub: linearSum((i) => (i === 0 ? 1 : -1)),
  Mul: {
    tangent(node, cx, d) {
      const [a, b] = [inputOf(node, 0), inputOf(node, 1)];
      const terms = [d[0] && mul(cx, lifted(node, cx, d[0], 0), b), d[1] && mul(cx, lifted(node, cx, d[1], 1), a)].filter((t): t is string => !!t);
      return [terms.length === 2 ? add(cx, terms[0]!, terms[1]!) : terms[0]];
    },
    adjoint(node, cx, g, active) {
      const so = cx.shape(outputOf(node, 0));
      return [0, 1].map((i) => (active[i] && g[0] ? unbroadcast(cx, mul(cx, g[0], inputOf(node, 1 - i)), so, cx.shape(inputOf(node, i))) : undefined));
    },
  },
  Div: {
    // y = a/b: dy = da/b − db·y/b
    tangent(node, cx, d) {
      const [b, y] = [inputOf(node, 1), outputOf(node, 0)];
      const t0 = d[0] && div(cx, lifted(node, cx, d[0], 0), b);
      const t1 = d[1] && mul(cx, lifted(node, cx, d[1], 1), div(cx, y, b));
      return [t0 && t1 ? sub(cx, t0, t1) : t0 ?? (t1 && neg(cx, t1))];
    },
    adjoint(node, cx, g, active) {
      const [a, b, y] = [inputOf(node, 0), inputOf(node, 1), outputOf(node, 0)];
      const so = cx.shape(y);
      if (!g[0]) return [undefined, undefined];
      return [
        active[0] ? unbroadcast(cx, div(cx, g[0], b), so, cx.shape(a)) : undefined,
        active[1] ? unbroadcast(cx, neg(cx, mul(cx, g[0], div(cx, y, b))), so, cx.shape(b)) : undefined,
      ];
    },
  },
  Pow: {
    refuse: (_n, _cx, active) => (active[1] ? 'Pow with an exponent that depends on the image has no rule' : undefined),
    tangent(node, cx, d) {
      return [d[0] && mul(cx, lifted(node, cx, d[0], 0), powFactor(node, cx))];
    },
    adjoint(node, cx, g, active) {
      return [active[0] && g[0] ? unbroadcast(cx, mul(cx, g[0], powFactor(node, cx)), cx.shape(outputOf(node, 0)), cx.shape(inputOf(node, 0))) : undefined, undefined];
    },
  },
});

/** e·x^(e−1) for Pow(x, e). */
function powFactor(node: NodeLike, cx: GradContext): string {
  const [x, e] = [inputOf(node, 0), inputOf(node, 1)];
  const c = cx.constant(e);
  if (c && c.length === 1 && c[0] === 2) return mul(cx, x, scalar(cx, 2));
  if (c && c.length === 1 && c[0] === 1) return scalar(cx, 1);
  return mul(cx, op(cx, 'Pow', [x, sub(cx, e, scalar(cx, 1))]), e);
}
