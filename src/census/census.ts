// The census of a model's trainable weights (the paper's Table 1) and its first layer.
// Each distinct weight tensor is analysed once, group by group, on a RankEngine (threads).
import { InputError } from '../core/errors.js';
import { indexGraph, type GraphIndex } from '../onnx/graph.js';
import type { GraphProto, ModelProto } from '../onnx/proto.js';
import type { DecodeOptions } from '../onnx/tensor-data.js';
import { weightReader, type WeightReader } from '../onnx/weights.js';
import { firstLayer } from '../onnx/first-layer.js';
import { collectWeights, type WeightUse } from './collect.js';
import { operatorNullity } from './operator-nullity.js';
import type { RankEngine, GroupRank } from './rank-engine.js';
import type { FirstLayerReport, ModelReport, ModelSummary, ToleranceOptions, WeightReport } from './report.js';

export interface CensusOptions extends ToleranceOptions, DecodeOptions {
  /** file name used in messages and in the report */
  path: string;
  sha256: string;
  /** H×W for a dynamic image input */
  size?: { h: number; w: number };
  /** called after each weight is done (progress) */
  onProgress?: (done: number, total: number) => void;
  /** receives every weight with its record after the census (e.g. to dump them) */
  onWeights?: (uses: WeightUse[], records: WeightReport[]) => void;
}

/** Combines group ranks into one weight record (one pass: a depthwise weight has hundreds). */
function weightRecord(u: WeightUse, ranks: GroupRank[]): WeightReport {
  const l = u.layout;
  let rank = Infinity, rankF64 = Infinity, sumRank = 0, sigmaMax = -Infinity, sigmaMin = Infinity, tolerance = -Infinity;
  let rankDeficient = false;
  const paths = new Set<string>();
  for (const r of ranks) {
    rank = Math.min(rank, r.rank);
    rankF64 = Math.min(rankF64, r.rankF64);
    sumRank += r.rank;
    sigmaMax = Math.max(sigmaMax, r.sigmaMax);
    sigmaMin = Math.min(sigmaMin, r.sigmaMin);
    tolerance = Math.max(tolerance, r.tol);
    if (r.rank < Math.min(l.inDim, l.outDim)) rankDeficient = true;
    paths.add(r.path);
  }
  const ref = u.refs[0]!;
  return {
    name: u.operand.weight.source,
    op: ref.node.opType ?? '',
    node: ref.label,
    shape: u.operand.weight.dims,
    dtype: u.operand.weight.dtype,
    groups: l.groups,
    inDim: l.inDim,
    outDim: l.outDim,
    rank,
    rankF64,
    nullity: l.inDim - rank,
    wide: l.inDim > l.outDim,
    rankDeficient,
    sigmaMax,
    sigmaMin,
    tolerance,
    consumers: u.refs.length,
    path: [...paths].join('+'),
    via: u.operand.weight.via,
    totals: { inDim: l.groups * l.inDim, outDim: l.groups * l.outDim, rank: sumRank, nullity: l.groups * l.inDim - sumRank },
  };
}

function summarize(ws: WeightReport[]): ModelSummary {
  const n = ws.length;
  const rd = ws.filter((w) => w.rankDeficient).length;
  const wide = ws.filter((w) => w.wide).length;
  const pct = (x: number) => (n ? Math.round((1000 * x) / n) / 10 : 0);
  return { weights: n, rankDeficient: rd, wide, rankDeficientPct: pct(rd), widePct: pct(wide) };
}

/** The tolerance rule in words, for reports. */
export function toleranceRule(o: ToleranceOptions): string {
  if (o.atol !== undefined) return `atol=${o.atol}`;
  if (o.rtol !== undefined) return `rtol=${o.rtol}·σmax`;
  return 'σmax·max(m,n)·eps(float32)';
}

/**
 * Takes the census of a decoded model.
 * @throws InputError for malformed weights, unsafe external data, or a model without trainable weights
 */
export async function census(model: ModelProto, engine: RankEngine, opts: CensusOptions): Promise<ModelReport> {
  const where = opts.path;
  const idx = indexGraph(model.graph as GraphProto, where);
  const reader = weightReader(idx, { ...opts, where });
  const uses = collectWeights(idx, reader, where);
  if (uses.length === 0) throw new InputError(`${where}: no trainable weights (no Conv, ConvTranspose, Gemm or MatMul with a constant weight)`);
  const tolOpts: ToleranceOptions = { rtol: opts.rtol, atol: opts.atol };
  let done = 0;
  // Largest matrices first, so that the threads finish together.
  const order = uses.map((u, i) => ({ u, i, cost: u.layout.rows * u.layout.cols * Math.min(u.layout.rows, u.layout.cols) * u.layout.groups }))
    .sort((a, b) => b.cost - a.cost);
  const records = new Array<WeightReport>(uses.length);
  await Promise.all(order.map(async ({ u, i }) => {
    const ranks = await engine.rankGroups(u.operand.weight.data, u.layout.groups, u.layout.rows, u.layout.cols, tolOpts);
    records[i] = weightRecord(u, ranks);
    opts.onProgress?.(++done, uses.length);
  }));
  opts.onWeights?.(uses, records);
  const input = await firstLayerReport(idx, reader, uses, records, engine, tolOpts, opts);
  return {
    path: opts.path,
    sha256: opts.sha256,
    input: input.input,
    weights: records,
    summary: summarize(records),
    firstLayer: input.report,
    tolerance: toleranceRule(tolOpts),
  };
}

async function firstLayerReport(idx: GraphIndex, reader: WeightReader, uses: WeightUse[], records: WeightReport[],
  engine: RankEngine, tolOpts: ToleranceOptions, opts: CensusOptions): Promise<{ input: ModelReport['input']; report: FirstLayerReport | null }> {
  let fl;
  try {
    fl = firstLayer(idx, reader, opts.path, opts.size);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const v = (idx.graph.input ?? []).find((x) => !idx.constants.has(x.name ?? ''));
    return { input: { name: v?.name ?? '', shape: [] }, report: null };
  }
  const i = uses.findIndex((u) => u.operand.weight.key === fl.operand.weight.key);
  const rec = records[i]!;
  const operator = await operatorNullity(fl, uses[i]!.layout, rec, engine, tolOpts);
  const report: FirstLayerReport = {
    weight: rec.name, op: fl.ref.node.opType ?? '', node: fl.ref.label, between: fl.between,
    windowNullity: rec.nullity, operator: operator.report,
  };
  const note = operator.note ?? fl.note;
  if (note) report.note = note;
  return { input: fl.input, report };
}
