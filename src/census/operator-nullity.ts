// The nullity of the whole first layer A_img at the input size (DESIGN.md §1):
// - Gemm/MatMul on a flattened or token input: A_img = (I_T ⊗ W)·P, nullity = T·nullity(W), exact;
// - Conv with disjoint windows: A_img is block-diagonal with one copy of W (its in-bounds columns)
//   per window, so rank(A_img) = Σ_windows rank(W restricted); exact;
// - Conv with overlapping windows: rank ≤ min(outDim, read pixels); whether that bound is attained
//   (full row rank when wide, injective on read pixels when tall) is decided first by the exact
//   block-triangular argument of src/linalg/conv-structure.ts, else by a Lanczos estimate;
//   otherwise the count inDim − min(outDim, read) is reported as a labelled lower bound.
import { convOperator } from '../linalg/conv.js';
import { convReads } from '../linalg/conv-reads.js';
import { convStructure } from '../linalg/conv-structure.js';
import type { ConvGeometry } from '../linalg/geometry.js';
import { restrictColumns } from '../linalg/restrict-columns.js';
import { sigmaMinEstimate } from '../linalg/lanczos.js';
import { EPS32, resolveTolerance } from '../linalg/tolerance.js';
import type { FirstLayer } from '../onnx/first-layer.js';
import { attrInt, attrInts } from '../onnx/attributes.js';
import { groupBlock, type WeightLayout } from './layout.js';
import type { RankEngine } from './rank-engine.js';
import type { OperatorReport, ToleranceOptions, WeightReport } from './report.js';

export interface OperatorOutcome { report: OperatorReport | null; note?: string }

/**
 * The whole-layer operator report of the first layer.
 * @param layout the weight's matrix layout; rec its census record (ranks at the same tolerance)
 */
export async function operatorNullity(fl: FirstLayer, layout: WeightLayout, rec: WeightReport, engine: RankEngine, tol: ToleranceOptions): Promise<OperatorOutcome> {
  if (!fl.inputShape || !fl.layerInputShape) return { report: null, note: fl.note };
  const inputShape = fl.inputShape;
  const kind = fl.operand.kind;
  if (kind === 'Gemm' || kind === 'MatMul') {
    const elements = fl.layerInputShape.reduce((a, b) => a * b, 1);
    const perCopy = rec.totals.inDim;
    if (elements % perCopy !== 0) return { report: null, note: `layer input ${JSON.stringify(fl.layerInputShape)} is not a whole number of ${perCopy}-vectors` };
    const t = elements / perCopy;
    return {
      report: {
        inputShape, inDim: elements, outDim: t * rec.totals.outDim, overlapping: false,
        nullity: t * rec.totals.nullity, nullityIsExact: true, unreadPixels: 0,
        method: `analytic: ${t} disjoint cop${t === 1 ? 'y' : 'ies'} of W (${kind}), nullity = ${t}·${rec.totals.nullity}`,
      },
    };
  }
  if (kind === 'ConvTranspose') {
    const l = fl.layerInputShape;
    const inDim = l.reduce((a, b) => a * b, 1);
    const k = fl.operand.weight.dims.slice(2);
    const s = attrInts(fl.ref.node, 'strides') ?? k.map(() => 1);
    const d = attrInts(fl.ref.node, 'dilations') ?? k.map(() => 1);
    const op = attrInts(fl.ref.node, 'output_padding') ?? k.map(() => 0);
    const pads = attrInts(fl.ref.node, 'pads') ?? k.map(() => 0).concat(k.map(() => 0));
    const spatial = l.slice(2).map((x, i) => s[i]! * (x - 1) + op[i]! + d[i]! * (k[i]! - 1) + 1 - pads[i]! - pads[i + k.length]!);
    const outDim = layout.outDim / k.reduce((a, b) => a * b, 1) * attrInt(fl.ref.node, 'group', 1) * spatial.reduce((a, b) => a * b, 1);
    return {
      report: {
        inputShape, inDim, outDim, overlapping: true, nullity: Math.max(0, inDim - outDim), nullityIsExact: false, unreadPixels: 0,
        method: 'lower bound by counting dimensions (ConvTranspose operator not analysed)',
      },
    };
  }
  const g = fl.geometry;
  if (!g) return { report: null, note: fl.note };
  return { report: await convNullity(g, fl, layout, engine, tol, inputShape) };
}

async function convNullity(g: ConvGeometry, fl: FirstLayer, layout: WeightLayout, engine: RankEngine, tol: ToleranceOptions, inputShape: number[]): Promise<OperatorReport> {
  const reads = convReads(g);
  const { inDim, outDim, overlapping, unreadPixels, readPixels: readDim } = reads;
  const base = { inputShape, inDim, outDim, overlapping, unreadPixels };
  const data = fl.operand.weight.data;
  if (!overlapping) {
    // Block-diagonal: one block per window and group, W_g restricted to the taps inside the image.
    const patterns = new Map<string, { th: number[]; tw: number[]; count: number }>();
    for (const th of reads.rowTaps.taps) for (const tw of reads.colTaps.taps) {
      const key = `${th.join(',')}|${tw.join(',')}`;
      const p = patterns.get(key);
      if (p) p.count++; else patterns.set(key, { th, tw, count: 1 });
    }
    const cg = g.c / g.groups;
    let rank = 0;
    for (const p of patterns.values()) {
      if (p.th.length === 0 || p.tw.length === 0) continue;
      const cols: number[] = [];
      for (let ci = 0; ci < cg; ci++) for (const jh of p.th) for (const jw of p.tw) cols.push(ci * g.kh * g.kw + jh * g.kw + jw);
      for (let gi = 0; gi < g.groups; gi++) {
        const block = groupBlock(data, layout, gi);
        const sub = new Float64Array(layout.rows * cols.length);
        for (let r = 0; r < layout.rows; r++) for (let c = 0; c < cols.length; c++) sub[r * cols.length + c] = block[r * layout.cols + cols[c]!]!;
        rank += p.count * (await engine.rank({ a: sub, m: layout.rows, n: cols.length }, tol)).rank;
      }
    }
    return {
      ...base, nullity: inDim - rank, nullityIsExact: true,
      method: `analytic: disjoint windows, A_img is block-diagonal with ${patterns.size === 1 ? 'copies of W' : `copies of W (${patterns.size} border patterns)`}` +
        `${unreadPixels ? ` plus ${unreadPixels} unread pixels` : ''}; rank ${rank}`,
    };
  }
  const countBound = reads.countBound;
  const side = outDim <= readDim ? 'rows' : 'cols';
  const what = side === 'rows' ? 'full row rank' : 'injective on the read pixels';
  // the diagonal blocks' ranks at the census tolerance (numpy's rule at eps32 unless rtol/atol)
  const structure = convStructure(data, g, { rtol: tol.rtol, atol: tol.atol, eps: EPS32 });
  if (structure.proof) return { ...base, nullity: countBound, nullityIsExact: true, method: `analytic: ${structure.method}` };
  const full = convOperator(data, g);
  const op = unreadPixels > 0 ? restrictColumns(full, reads.read).op : full;
  const est = sigmaMinEstimate(op, side, { seed: 1 });
  // A_img's entries are the weights, so its rounding perturbation is the window matrix's: the
  // float32 rule is applied with W's dimensions, not with A_img's (which would be ~1000× looser).
  const threshold = resolveTolerance(est.sigmaMax, layout.rows, layout.cols, tol);
  const numbers = `σmin ≈ ${est.sigmaMin.toPrecision(3)}, σmax ≈ ${est.sigmaMax.toPrecision(3)}, residual ${est.residual.toPrecision(2)}, ${est.iterations} iterations, tol ${threshold.toPrecision(3)}`;
  // The residual bounds the distance from σmin² to an eigenvalue of the Gram matrix (units of σ²).
  if (est.converged && est.sigmaMin ** 2 - est.residual > threshold ** 2) {
    return { ...base, nullity: countBound, nullityIsExact: true, method: `lanczos estimate: A_img is ${what} (${numbers})${unreadPixels ? `; nullity = ${unreadPixels} unread pixels + ${countBound - unreadPixels}` : ''}` };
  }
  return {
    ...base, nullity: countBound, nullityIsExact: false,
    method: `lower bound by counting dimensions and unread pixels: lanczos could not establish that A_img is ${what} (${est.converged ? '' : 'not converged, '}${numbers})`,
  };
}
