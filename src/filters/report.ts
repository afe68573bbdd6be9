// The filter-quality report of a model: every 2-D Conv weight (3×3 by default, as torchconvquality
// picks its layers; other kernel sizes on request) read through the census's weight reader (float16,
// quantized, Constant nodes, shared weights once), its metrics, its relative depth, the mean of
// each metric over the early, middle and late third of the layers, and the first layer's figures
// beside its window nullity at the census tolerance. Internal: kernelFilter, thirds.
import { invalidParameter } from '../core/errors.js';
import { indexGraph, type GraphIndex } from '../onnx/graph.js';
import type { GraphProto, ModelProto } from '../onnx/proto.js';
import type { DecodeOptions } from '../onnx/tensor-data.js';
import { weightReader, type WeightReader } from '../onnx/weights.js';
import { firstLayer } from '../onnx/first-layer.js';
import { collectWeights, type WeightUse } from '../census/collect.js';
import { localEngine } from '../census/rank-engine.js';
import { DEFAULT_SPARSITY_EPS, METRICS, filterQuality, type FilterQuality, type MetricName } from './metrics.js';

export interface FilterLayer extends FilterQuality {
  /** the weight's name, as `inspect` prints it */
  name: string;
  /** the first node using it */
  node: string;
  op: string;
  shape: number[];
  dtype: string;
  /** [kh, kw] */
  kernel: [number, number];
  /** position among the reported layers, 0 (first) … 1 (last) */
  depth: number;
}

export interface FilterFirstLayer {
  /** weight name of the layer the image meets first */
  name: string;
  op: string;
  kernel: number[];
  /** in − rank of the window matrix W [O/g, C/g·kh·kw] at the census tolerance (smallest group rank) */
  windowNullity: number;
  inDim: number;
  rank: number;
  /** its metrics (also when its kernel is not among the reported sizes); null for a non-Conv layer */
  metrics: FilterQuality | null;
}

export type DepthThirds = Record<'early' | 'middle' | 'late', Partial<Record<MetricName, number>> & { layers: number }>;

export interface FilterReport {
  path: string;
  sha256: string;
  settings: { eps: number; kernels: string };
  layers: FilterLayer[];
  /** mean of each metric over all layers and over the thirds of relative depth */
  summary: { layers: number; mean: Partial<Record<MetricName, number>>; byDepth: DepthThirds };
  firstLayer: FilterFirstLayer | null;
}

export interface FilterOptions extends DecodeOptions {
  /** file name for messages and the report */
  path: string;
  sha256: string;
  /** sparsity threshold relative to the layer's max |w| (default 0.01) */
  eps?: number;
  /** '3x3' (default, torchconvquality's choice), 'all', or a list like '3x3,5x5' */
  kernels?: string;
}

/** '3x3' | 'all' | 'KxK,…' → a predicate on [kh, kw]. @throws RangeError naming --kernels */
export function kernelFilter(spec: string): (kh: number, kw: number) => boolean {
  if (spec === 'all') return () => true;
  const sizes = spec.split(',').map((s) => /^(\d+)[xX×](\d+)$/.exec(s.trim()));
  if (sizes.length === 0 || sizes.some((m) => !m)) throw invalidParameter('--kernels', '"all" or kernel sizes like "3x3" or "3x3,5x5"', spec, RangeError);
  const set = new Set(sizes.map((m) => `${+m![1]!}x${+m![2]!}`));
  return (kh, kw) => set.has(`${kh}x${kw}`);
}

const mean = (xs: number[]) => {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

function thirds(layers: FilterLayer[]): DepthThirds {
  const bins = { early: [] as FilterLayer[], middle: [] as FilterLayer[], late: [] as FilterLayer[] };
  for (const l of layers) (l.depth < 1 / 3 ? bins.early : l.depth <= 2 / 3 ? bins.middle : bins.late).push(l);
  const out = {} as DepthThirds;
  for (const [k, ls] of Object.entries(bins) as ['early' | 'middle' | 'late', FilterLayer[]][]) {
    out[k] = { layers: ls.length };
    for (const m of METRICS) out[k][m] = mean(ls.map((l) => l[m]));
  }
  return out;
}

function isConv2d(u: WeightUse): boolean {
  return u.operand.kind === 'Conv' && u.operand.weight.dims.length === 4;
}

async function firstLayerFigures(idx: GraphIndex, reader: WeightReader, uses: WeightUse[], where: string, eps: number): Promise<FilterFirstLayer | null> {
  let fl;
  try { fl = firstLayer(idx, reader, where); } catch { return null; } // no image input or no trainable layer reads it
  const use = uses.find((u) => u.operand.weight.key === fl.operand.weight.key);
  if (!use) return null;
  const l = use.layout;
  const engine = localEngine();
  const ranks = await engine.rankGroups(use.operand.weight.data, l.groups, l.rows, l.cols, {});
  const rank = Math.min(...ranks.map((r) => r.rank));
  const w = use.operand.weight;
  return {
    name: w.source, op: fl.ref.node.opType ?? '', kernel: w.dims.slice(2),
    windowNullity: l.inDim - rank, inDim: l.inDim, rank,
    metrics: isConv2d(use) ? filterQuality(w.data, w.dims, eps) : null,
  };
}

/**
 * The filter-quality report of a decoded model.
 * @throws InputError for malformed weights (as the census); RangeError for a bad eps or kernels spec
 */
export async function filterReport(model: ModelProto, opts: FilterOptions): Promise<FilterReport> {
  const eps = opts.eps ?? DEFAULT_SPARSITY_EPS;
  if (!(Number.isFinite(eps) && eps >= 0)) throw invalidParameter('--eps', 'a finite non-negative number', eps, RangeError);
  const kernels = opts.kernels ?? '3x3';
  const pick = kernelFilter(kernels);
  const idx = indexGraph(model.graph as GraphProto, opts.path);
  const reader = weightReader(idx, { ...opts, where: opts.path });
  const uses = collectWeights(idx, reader, opts.path);
  const chosen = uses.filter((u) => isConv2d(u) && pick(u.operand.weight.dims[2]!, u.operand.weight.dims[3]!));
  const layers: FilterLayer[] = chosen.map((u, i) => {
    const w = u.operand.weight;
    const ref = u.refs[0]!;
    return {
      name: w.source, node: ref.label, op: ref.node.opType ?? '', shape: w.dims, dtype: w.dtype,
      kernel: [w.dims[2]!, w.dims[3]!], depth: chosen.length > 1 ? i / (chosen.length - 1) : 0,
      ...filterQuality(w.data, w.dims, eps),
    };
  });
  const overall: Partial<Record<MetricName, number>> = {};
  for (const m of METRICS) overall[m] = mean(layers.map((l) => l[m]));
  return {
    path: opts.path, sha256: opts.sha256, settings: { eps, kernels },
    layers,
    summary: { layers: layers.length, mean: overall, byDepth: thirds(layers) },
    firstLayer: await firstLayerFigures(idx, reader, uses, opts.path, eps),
  };
}
