// The nullity of the whole first layer A_img at the input size (DESIGN.md §1):
// - Gemm/MatMul on a flattened or token input: A_img = (I_T ⊗ W)·P, nullity = T·nullity(W), exact;
// - Conv with disjoint windows: A_img is block-diagonal with one copy of W (its in-bounds columns)
//   per window, so rank(A_img) = Σ_windows rank(W restricted); exact;
// - Conv with overlapping windows: rank ≤ min(outDim, read pixels); Lanczos on A_img decides
//   whether that bound is attained (full row rank when wide, injective on read pixels when tall);
//   first by the exact block-triangular argument of triangular.ts, else by a Lanczos estimate;
//   otherwise the count inDim − min(outDim, read) is reported as a labelled lower bound.
// Internal: axisTaps, restrictToRead.
import { convOperator } from '../linalg/conv.js';
import { outputSize, type ConvGeometry } from '../linalg/geometry.js';
import type { LinearOperator } from '../linalg/operator.js';
import { sigmaMinEstimate } from '../linalg/lanczos.js';
import { EPS32 } from '../linalg/tolerance.js';
import type { FirstLayer } from '../onnx/first-layer.js';
import { attrInt, attrInts } from '../onnx/weights.js';
import { groupBlock, type WeightLayout } from './layout.js';
import { newTaps, tapPatterns } from './triangular.js';
import type { RankEngine } from './rank-engine.js';
import type { OperatorReport, ToleranceOptions, WeightReport } from './report.js';

/** For one axis: for each output index, the kernel taps that land inside the input; and how often each input index is read. */
export function axisTaps(size: number, pad: number, k: number, stride: number, dil: number, out: number): { taps: number[][]; reads: Int32Array } {
  const reads = new Int32Array(size);
  const taps: number[][] = [];
  for (let i = 0; i < out; i++) {
    const t: number[] = [];
    for (let j = 0; j < k; j++) {
      const x = i * stride - pad + j * dil;
      if (x >= 0 && x < size) { t.push(j); reads[x]++; }
    }
    taps.push(t);
  }
  return { taps, reads };
}

/** A_img restricted to the read pixels (columns of unread pixels dropped). */
function restrictToRead(op: LinearOperator, read: Int32Array): LinearOperator {
  const full = new Float64Array(op.cols);
  return {
    rows: op.rows,
    cols: read.length,
    apply(x, out) {
      full.fill(0);
      for (let i = 0; i < read.length; i++) full[read[i]!] = x[i]!;
      return op.apply(full, out);
    },
    applyT(y, out) {
      const z = op.applyT(y);
      const r = out ?? new Float64Array(read.length);
      for (let i = 0; i < read.length; i++) r[i] = z[read[i]!]!;
      return r;
    },
  };
}

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
  const { oh, ow } = outputSize(g);
  const inDim = g.c * g.h * g.w;
  const outDim = g.outC * oh * ow;
  const H = axisTaps(g.h, g.padTop, g.kh, g.sh, g.dh, oh);
  const W = axisTaps(g.w, g.padLeft, g.kw, g.sw, g.dw, ow);
  const overlapping = H.reads.some((r) => r > 1) || W.reads.some((r) => r > 1);
  const readRows = H.reads.reduce((a, r) => a + (r > 0 ? 1 : 0), 0);
  const readCols = W.reads.reduce((a, r) => a + (r > 0 ? 1 : 0), 0);
  const readDim = g.c * readRows * readCols;
  const unreadPixels = inDim - readDim;
  const base = { inputShape, inDim, outDim, overlapping, unreadPixels };
  const data = fl.operand.weight.data;
  if (!overlapping) {
    // Block-diagonal: one block per window and group, W_g restricted to the taps inside the image.
    const patterns = new Map<string, { th: number[]; tw: number[]; count: number }>();
    for (const th of H.taps) for (const tw of W.taps) {
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
  const countBound = inDim - Math.min(outDim, readDim);
  const side = outDim <= readDim ? 'rows' : 'cols';
  const what = side === 'rows' ? 'full row rank' : 'injective on the read pixels';
  const exact = await blockTriangular(g, oh, ow, side === 'rows' ? 'rows' : 'injective', layout, data, engine, tol);
  if (exact) {
    return { ...base, nullity: countBound, nullityIsExact: true,
      method: `analytic: A_img is block-triangular (outputs in ${exact.order} order, each with the pixels it reads first); ` +
        `${exact.blocks === 1 ? `its diagonal block (${exact.rows}×${exact.cols} per group) has` : `its ${exact.blocks} distinct diagonal blocks (largest ${exact.rows}×${exact.cols} per group) have`} full ${side === 'rows' ? 'row' : 'column'} rank, ` +
        `so A_img is ${side === 'rows' ? 'of full row rank' : 'injective on the read pixels'}` };
  }
  const full = convOperator(data, g);
  let op = full;
  if (unreadPixels > 0) {
    const read = new Int32Array(readDim);
    let k = 0;
    for (let c = 0; c < g.c; c++) for (let y = 0; y < g.h; y++) for (let x = 0; x < g.w; x++) {
      if (H.reads[y]! > 0 && W.reads[x]! > 0) read[k++] = (c * g.h + y) * g.w + x;
    }
    op = restrictToRead(full, read);
  }
  const est = sigmaMinEstimate(op, side, { seed: 1 });
  // A_img's entries are the weights, so its rounding perturbation is the window matrix's: the
  // float32 rule is applied with W's dimensions, not with A_img's (which would be ~1000× looser).
  const threshold = tol.atol ?? (tol.rtol !== undefined ? tol.rtol * est.sigmaMax : est.sigmaMax * Math.max(layout.rows, layout.cols) * EPS32);
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

/** The block-triangular proof of triangular.ts: when it applies and every diagonal block has full rank. */
async function blockTriangular(g: ConvGeometry, oh: number, ow: number, mode: 'rows' | 'injective',
  layout: WeightLayout, data: Float64Array, engine: RankEngine, tol: ToleranceOptions): Promise<{ order: string; blocks: number; rows: number; cols: number } | null> {
  const rows = layout.rows;
  const cg = g.c / g.groups;
  const full = async (n: number, cols: number[]): Promise<boolean> => {
    // no new pixels: nothing to recover (injective) but no private column either (rows)
    if (n === 0) return mode === 'injective';
    if (mode === 'rows' ? n < rows : n > rows) return false;
    for (let gi = 0; gi < g.groups; gi++) {
      const block = groupBlock(data, layout, gi);
      const m0 = new Float64Array(rows * n);
      for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) m0[r * n + c] = block[r * layout.cols + cols[c]!]!;
      if ((await engine.rank({ a: m0, m: rows, n }, tol)).rank !== (mode === 'rows' ? rows : n)) return false;
    }
    return true;
  };
  orientations: for (const oy of ['first', 'last'] as const) for (const ox of ['first', 'last'] as const) {
    const ph = tapPatterns(newTaps(g.h, g.padTop, g.kh, g.sh, g.dh, oh, oy));
    const pw = tapPatterns(newTaps(g.w, g.padLeft, g.kw, g.sw, g.dw, ow, ox));
    let biggest = 0, blocks = 0;
    for (const a of ph) for (const b of pw) {
      const cols: number[] = [];
      for (let ci = 0; ci < cg; ci++) for (const th of a.taps) for (const tw of b.taps) cols.push(ci * g.kh * g.kw + th * g.kw + tw);
      if (!(await full(cols.length, cols))) continue orientations;
      if (cols.length) { blocks++; biggest = Math.max(biggest, cols.length); }
    }
    if (blocks > 0) return { order: `${oy === 'first' ? 'top-down' : 'bottom-up'}/${ox === 'first' ? 'left-right' : 'right-left'}`, blocks, rows, cols: biggest };
  }
  return null;
}
