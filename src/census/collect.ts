// The distinct trainable weights of a graph: every constant weight operand of Conv,
// ConvTranspose, Gemm, MatMul and their quantized forms, once per tensor, with its users.
import type { GraphIndex, NodeRef } from '../onnx/graph.js';
import { weightOperand, TRAINABLE_OPS, type WeightOperand, type WeightReader } from '../onnx/weights.js';
import { weightLayout, type WeightLayout } from './layout.js';

/** A distinct weight tensor and the nodes that use it. */
export interface WeightUse {
  operand: WeightOperand;
  layout: WeightLayout;
  refs: NodeRef[];
}

/**
 * The distinct constant weights of trainable nodes, in topological order of first use.
 * @throws InputError when a weight's shape does not fit its op
 */
export function collectWeights(idx: GraphIndex, reader: WeightReader, where: string): WeightUse[] {
  const byKey = new Map<string, WeightUse>();
  for (const ref of idx.order) {
    if (!TRAINABLE_OPS.has(ref.node.opType ?? '')) continue;
    const operand = weightOperand(ref, reader, where);
    if (!operand) continue;
    const seen = byKey.get(operand.weight.key);
    if (seen) { seen.refs.push(ref); continue; }
    byKey.set(operand.weight.key, { operand, layout: weightLayout(operand, ref.node, `${where}:node ${ref.label}`), refs: [ref] });
  }
  return [...byKey.values()];
}
