// Graph walks: a topological order (real models are not always sorted), who produces and who
// consumes each value, and the constants (initializers and Constant nodes), including those of
// subgraphs (If/Loop/Scan bodies). Internal: subgraphsOf, outerNames.
import { InputError } from '../core/errors.js';
import { onnx, type GraphProto, type NodeProto, type TensorProto } from './proto.js';

/** A node with its position in the topological order and the graph it belongs to. */
export interface NodeRef {
  node: NodeProto;
  /** position in GraphIndex.order */
  index: number;
  /** "" for the main graph, "Loop_3/body" for a subgraph */
  scope: string;
  /** display name: the node's name, or op#index when it has none */
  label: string;
}

/** One use of a value: node and input slot. */
export interface Use { ref: NodeRef; slot: number }

/** A constant value: an initializer or the output of a Constant node. */
export interface ConstantSource {
  kind: 'initializer' | 'constant';
  tensor: TensorProto;
  /** the Constant node, when kind is 'constant' */
  ref?: NodeRef;
}

export interface GraphIndex {
  graph: GraphProto;
  /** every node, main graph first in topological order, then subgraph nodes after their parent */
  order: NodeRef[];
  producer: Map<string, NodeRef>;
  consumers: Map<string, Use[]>;
  constants: Map<string, ConstantSource>;
}

function subgraphsOf(n: NodeProto): { name: string; graph: GraphProto }[] {
  const out: { name: string; graph: GraphProto }[] = [];
  for (const a of n.attribute ?? []) {
    if (a.g) out.push({ name: a.name ?? 'g', graph: a.g as GraphProto });
    for (const [i, g] of (a.graphs ?? []).entries()) out.push({ name: `${a.name}[${i}]`, graph: g as GraphProto });
  }
  return out;
}

/** Names a node reads, including those its subgraphs read from enclosing scopes. */
function outerNames(n: NodeProto): string[] {
  const names = [...(n.input ?? [])];
  for (const { graph } of subgraphsOf(n)) {
    const local = new Set<string>([...(graph.input ?? []).map((v) => v.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
    for (const m of graph.node ?? []) for (const o of m.output ?? []) local.add(o);
    for (const m of (graph.node ?? []) as NodeProto[]) for (const x of outerNames(m)) if (!local.has(x)) names.push(x);
  }
  return names.filter((x) => x !== '');
}

/** Kahn's algorithm over one graph; throws on a cycle. */
function topoSort(g: GraphProto, where: string): NodeProto[] {
  const nodes = (g.node ?? []) as NodeProto[];
  const producedBy = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => { if (o) producedBy.set(o, i); }));
  const pending = new Int32Array(nodes.length);
  const waiting = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const x of new Set(outerNames(n))) {
      const p = producedBy.get(x);
      if (p === undefined || p === i) continue;
      pending[i]++;
      if (!waiting.has(p)) waiting.set(p, []);
      waiting.get(p)!.push(i);
    }
  });
  const ready: number[] = [];
  nodes.forEach((_, i) => { if (pending[i] === 0) ready.push(i); });
  const out: NodeProto[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k]!;
    out.push(nodes[i]!);
    for (const j of waiting.get(i) ?? []) if (--pending[j] === 0) ready.push(j);
  }
  if (out.length !== nodes.length) throw new InputError(`${where}: the graph has a cycle (${nodes.length - out.length} nodes never become ready)`);
  return out;
}

function constantTensor(n: NodeProto): TensorProto | undefined {
  const name = n.output?.[0] ?? '';
  for (const a of n.attribute ?? []) {
    if (a.name === 'value' && a.t) return onnx.TensorProto.create({ ...a.t, name });
    if (a.name === 'value_float') return onnx.TensorProto.create({ name, dataType: 1, dims: [], floatData: [a.f ?? 0] });
    if (a.name === 'value_floats') return onnx.TensorProto.create({ name, dataType: 1, dims: [a.floats?.length ?? 0], floatData: a.floats ?? [] });
    if (a.name === 'value_int') return onnx.TensorProto.create({ name, dataType: 7, dims: [], int64Data: [a.i ?? 0] });
    if (a.name === 'value_ints') return onnx.TensorProto.create({ name, dataType: 7, dims: [a.ints?.length ?? 0], int64Data: a.ints ?? [] });
  }
  return undefined;
}

/**
 * Indexes a graph and its subgraphs.
 * @throws InputError when a graph has a cycle
 */
export function indexGraph(graph: GraphProto, where = 'model'): GraphIndex {
  const idx: GraphIndex = { graph, order: [], producer: new Map(), consumers: new Map(), constants: new Map() };
  const visit = (g: GraphProto, scope: string) => {
    for (const t of g.initializer ?? []) if (t.name && !idx.constants.has(t.name)) idx.constants.set(t.name, { kind: 'initializer', tensor: t as TensorProto });
    for (const node of topoSort(g, scope ? `${where}:${scope}` : where)) {
      const index = idx.order.length;
      const ref: NodeRef = { node, index, scope, label: node.name || `${node.opType}#${index}` };
      idx.order.push(ref);
      for (const o of node.output ?? []) if (o) idx.producer.set(o, ref);
      (node.input ?? []).forEach((x, slot) => {
        if (!x) return;
        if (!idx.consumers.has(x)) idx.consumers.set(x, []);
        idx.consumers.get(x)!.push({ ref, slot });
      });
      if (node.opType === 'Constant' && (node.domain ?? '') === '') {
        const t = constantTensor(node);
        if (t && node.output?.[0] && !idx.constants.has(node.output[0])) idx.constants.set(node.output[0], { kind: 'constant', tensor: t, ref });
      }
      for (const sg of subgraphsOf(node)) visit(sg.graph, `${scope ? scope + '/' : ''}${ref.label}/${sg.name}`);
    }
  };
  visit(graph, '');
  return idx;
}
