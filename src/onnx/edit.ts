// Small helpers for editing a decoded ModelProto in place: reading node attributes, ordering nodes
// topologically, turning writer-style node specs into NodeProto messages, and the opset version.
// Graph rewrites (src/runtime/lower-f64.ts, src/runtime/expose.ts) build on these.
import type onnxProto from 'onnx-proto';
import { onnx, type ModelProto, type NodeProto } from './proto.js';
import { graphProto, type NodeSpec } from './writer.js';

/** Message shapes as protobufjs types nested fields (plain interfaces, not classes). */
export type NodeLike = onnxProto.onnx.INodeProto;
export type GraphLike = onnxProto.onnx.IGraphProto;
export type TensorLike = onnxProto.onnx.ITensorProto;

/** A protobuf int64 (number or Long) as a JS number. */
export function int(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

// Graph rewrites read attributes through this module; the reader itself is shared with the rest of src/onnx.
export { attrInt, attrFloat, attrInts, attrString, hasAttr } from './attributes.js';

/** The version of the default ("" or "ai.onnx") opset the model imports. */
export function opsetVersion(model: ModelProto): number {
  const o = (model.opsetImport ?? []).find((x) => !x.domain || x.domain === 'ai.onnx');
  return o ? int(o.version) : 1;
}

/** NodeProto messages for writer-style node specs (names are kept; attributes encoded as the writer does). */
export function nodesFromSpecs(specs: NodeSpec[]): NodeProto[] {
  return graphProto({ inputs: [], outputs: [], nodes: specs }).node as NodeProto[];
}

/**
 * Nodes of a graph in a topological order (producers before consumers), stable with respect to
 * the stored order. Real models are not always stored sorted; a cycle throws RangeError.
 */
export function topoOrder(graph: GraphLike): NodeLike[] {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => { if (o) producer.set(o, i); }));
  const state = new Uint8Array(nodes.length); // 0 new, 1 on stack, 2 done
  const order: NodeLike[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root]) continue;
    // iterative DFS: each frame is (node index, next input position)
    const stack: { i: number; k: number }[] = [{ i: root, k: 0 }];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ins = nodes[top.i]!.input ?? [];
      if (top.k < ins.length) {
        const p = producer.get(ins[top.k++]!);
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1) throw new RangeError(`graph has a cycle through node ${nodes[p]!.name ?? p}`);
        state[p] = 1;
        stack.push({ i: p, k: 0 });
      } else {
        state[top.i] = 2;
        order.push(nodes[top.i]!);
        stack.pop();
      }
    }
  }
  return order;
}
