// Float64 lowerings of the activations onnxruntime lacks in double, into Mul/Add/Max/Min/Sum:
// HardSigmoid, HardSwish, Clip (opsets < 13, attribute or input bounds), LeakyRelu, PRelu, Mean.
import { attrFloat, hasAttr } from '../onnx/edit.js';
import { binary, scalar, type LowerContext, type Lowering } from './lower-emit.js';

function hardSigmoidInto(cx: LowerContext, x: string, alpha: number, beta: number, out?: string): string {
  const t = binary(cx, 'Add', binary(cx, 'Mul', x, scalar(cx, alpha)), scalar(cx, beta));
  return binary(cx, 'Min', binary(cx, 'Max', t, scalar(cx, 0)), scalar(cx, 1), out);
}

export const hardSigmoid: Lowering = (node, cx) => {
  hardSigmoidInto(cx, node.input![0]!, attrFloat(node, 'alpha', 0.2), attrFloat(node, 'beta', 0.5), node.output![0]!);
};

export const hardSwish: Lowering = (node, cx) => {
  binary(cx, 'Mul', node.input![0]!, hardSigmoidInto(cx, node.input![0]!, 1 / 6, 0.5), node.output![0]!);
};

export const clip: Lowering = (node, cx) => {
  let lo: string | undefined, hi: string | undefined;
  if (cx.opset < 11) {
    if (hasAttr(node, 'min')) lo = scalar(cx, attrFloat(node, 'min', 0));
    if (hasAttr(node, 'max')) hi = scalar(cx, attrFloat(node, 'max', 0));
  } else {
    lo = node.input![1] || undefined;
    hi = node.input![2] || undefined;
  }
  const x = node.input![0]!, y = node.output![0]!;
  if (!lo && !hi) { cx.emit({ op: 'Identity', inputs: [x], outputs: [y] }); return; }
  const mid = lo ? binary(cx, 'Max', x, lo, hi ? undefined : y) : x;
  if (hi) binary(cx, 'Min', mid, hi, y);
};

export const leakyRelu: Lowering = (node, cx) => {
  const x = node.input![0]!;
  const neg = binary(cx, 'Mul', binary(cx, 'Min', x, scalar(cx, 0)), scalar(cx, attrFloat(node, 'alpha', 0.01)));
  binary(cx, 'Add', binary(cx, 'Max', x, scalar(cx, 0)), neg, node.output![0]!);
};

export const prelu: Lowering = (node, cx) => {
  const x = node.input![0]!;
  const neg = binary(cx, 'Mul', binary(cx, 'Min', x, scalar(cx, 0)), node.input![1]!);
  binary(cx, 'Add', binary(cx, 'Max', x, scalar(cx, 0)), neg, node.output![0]!);
};

export const mean: Lowering = (node, cx) => {
  const ins = (node.input ?? []).filter(Boolean);
  const sum = ins.length === 1 ? ins[0]! : cx.fresh('mean_sum');
  if (ins.length > 1) cx.emit({ op: 'Sum', inputs: ins, outputs: [sum] });
  binary(cx, 'Mul', sum, scalar(cx, 1 / ins.length), node.output![0]!);
};

