// Structural facts about a convolution's whole-layer operator A_img (DESIGN.md §1), proved from
// its geometry and small SVDs, with no iteration on A_img itself. Used by the census (inspect's
// operator nullity) and by collide (is ker(A_img) trivial?).
//
// The block-triangular argument. Order the outputs (i, j) in raster order and call a pixel (y, x)
// *new* at output (i, j) when i is the first output row that reads row y and j the first output
// column that reads column x. Every pixel output (i, j) reads is new at some (i', j') with i' ≤ i
// and j' ≤ j, and its own new pixels are read by no earlier output. So, with M(i, j) = the rows of
// output (i, j) restricted to its new pixels (W at the taps that land on them, per group):
// - forward substitution in raster order recovers every read pixel from A x when every M(i, j)
//   has full column rank: A_img is injective on the read pixels;
// - back substitution in reverse order shows yᵀA = 0 ⇒ y = 0 when every M(i, j) has full row
//   rank: A_img has full row rank.
// The same holds with "last" for "first" on either axis (the axis read backwards). Both are
// sufficient conditions: when no orientation works the facts stay undecided and the caller falls
// back (Lanczos, counting). Disjoint windows are the special case where every read pixel is new.
// Caveat: the facts are about exact rank (each block's numerical rank taken as its exact rank).
// They give no lower bound on σ_min(A_img): substitution through a chain of off-diagonal blocks can
// amplify, and a random 3←3 layer with a block of condition 2e-3 had σ_min/σ_max(A_img) ≈ 3e-14
// (test/linalg/conv-structure.test.ts checks the facts in exact arithmetic for that reason).
import { assertLength } from '../core/errors.js';
import type { ConvGeometry } from './geometry.js';
import { checkGeometry } from './im2col.js';
import { matrixRank } from './rank.js';
import { convReads, newTaps, tapPatterns, type ConvReads } from './conv-reads.js';

/** Tolerance of each diagonal block's rank, as matrixRank: σ > atol ?? rtol·σmax ?? σmax·max(m, n)·eps. */
export interface ConvStructureOptions {
  rtol?: number;
  atol?: number;
  /** eps of the default rule (default EPS32, the census's; collide passes EPS64 for float64 exactness) */
  eps?: number;
}

/** The argument behind a proven fact. */
export interface TriangularProof {
  /** the output order: 'top-down/left-right', 'bottom-up/right-left', … */
  order: string;
  /** 'column': every diagonal block has full column rank; 'row': full row rank */
  rank: 'column' | 'row';
  /** distinct non-empty diagonal blocks */
  blocks: number;
  /** rows of a block (outC/groups) and columns of the largest one, per group */
  rows: number;
  cols: number;
}

/** The read pattern of ConvReads plus what the block-triangular argument established. */
export interface ConvStructure extends ConvReads {
  /**
   * A_img restricted to the read pixels is injective: true when proven, false when impossible by
   * counting (more read pixels than outputs), undefined when not established.
   */
  injectiveOnRead?: boolean;
  /** A_img has full row rank: true when proven, false when impossible (more outputs than read pixels), else undefined */
  fullRowRank?: boolean;
  /** the proof, when one of the facts above is true */
  proof?: TriangularProof;
  /** σ_min/σ_max of each diagonal block of the proof (pattern by pattern, group by group); empty without a proof */
  blockConditions: number[];
  /** one sentence: the argument, or why it did not apply */
  method: string;
}

const ORDER = { first: ['top-down', 'left-right'], last: ['bottom-up', 'right-left'] } as const;

/**
 * The structure of A_img for a convolution weight at its input size.
 * @param weight [outC, c/groups, kh, kw] row-major
 * @param g the geometry at the real input size
 * @throws TypeError/RangeError for a bad geometry or a weight of the wrong length
 *
 * Notes: a wide operator (outDim < read pixels) is tested for full row rank, a tall one for
 * injectivity on the read pixels, a square one for both (either makes it invertible there). Each
 * of the four output orders (rows and columns each read forwards or backwards) is tried; each
 * distinct diagonal block is an (outC/groups) × (c/groups · new taps) piece of W whose rank is
 * taken with matrixRank at the given tolerance.
 */
export function convStructure(weight: Float64Array, g: ConvGeometry, opts: ConvStructureOptions = {}): ConvStructure {
  checkGeometry(g);
  assertLength('weight', weight, g.outC * (g.c / g.groups) * g.kh * g.kw);
  const reads = convReads(g);
  const { outDim, readPixels } = reads;
  const modes: ('row' | 'column')[] = outDim < readPixels ? ['row'] : outDim > readPixels ? ['column'] : ['row', 'column'];
  const facts = {
    injectiveOnRead: outDim < readPixels ? false : undefined as boolean | undefined,
    fullRowRank: outDim > readPixels ? false : undefined as boolean | undefined,
  };
  for (const mode of modes) {
    const found = tryOrientations(weight, g, reads, mode, opts);
    if (!found) continue;
    const { proof, conditions } = found;
    if (mode === 'row') facts.fullRowRank = true; else facts.injectiveOnRead = true;
    if (outDim === readPixels) { facts.fullRowRank = true; facts.injectiveOnRead = true; }
    const blocks = proof.blocks === 1
      ? `its diagonal block (${proof.rows}×${proof.cols} per group) has`
      : `its ${proof.blocks} distinct diagonal blocks (largest ${proof.rows}×${proof.cols} per group) have`;
    return {
      ...reads, ...facts, proof, blockConditions: conditions,
      method: `A_img is block-triangular (outputs in ${proof.order} order, each with the pixels it reads first); ${blocks} ` +
        `full ${mode} rank, so A_img is ${mode === 'row' ? 'of full row rank' : 'injective on the read pixels'}`,
    };
  }
  return {
    ...reads, ...facts, blockConditions: [],
    method: `not block-triangular with full-${modes.join('- or full-')}-rank diagonal blocks in any of the four output orders`,
  };
}

/** The first output order whose diagonal blocks all have full rank, with their conditions. */
function tryOrientations(weight: Float64Array, g: ConvGeometry, r: ConvReads, mode: 'row' | 'column', opts: ConvStructureOptions):
  { proof: TriangularProof; conditions: number[] } | null {
  const rows = g.outC / g.groups;
  const cg = g.c / g.groups;
  const size = rows * cg * g.kh * g.kw;
  const full = (cols: number[], conditions: number[]): boolean => {
    const n = cols.length;
    // no new pixels: nothing to recover (injective), but no private column either (row rank)
    if (n === 0) return mode === 'column';
    if (mode === 'row' ? n < rows : n > rows) return false;
    for (let gi = 0; gi < g.groups; gi++) {
      const block = weight.subarray(gi * size, (gi + 1) * size);
      const m0 = new Float64Array(rows * n);
      for (let i = 0; i < rows; i++) for (let c = 0; c < n; c++) m0[i * n + c] = block[i * cg * g.kh * g.kw + cols[c]!]!;
      const k = matrixRank(m0, rows, n, { rtol: opts.rtol, atol: opts.atol, eps: opts.eps });
      conditions.push(k.sigmaMax > 0 ? k.sigmaMin / k.sigmaMax : 0);
      if (k.rank !== (mode === 'row' ? rows : n)) return false;
    }
    return true;
  };
  orientations: for (const oy of ['first', 'last'] as const) for (const ox of ['first', 'last'] as const) {
    const ph = tapPatterns(newTaps(g.h, g.padTop, g.kh, g.sh, g.dh, r.oh, oy));
    const pw = tapPatterns(newTaps(g.w, g.padLeft, g.kw, g.sw, g.dw, r.ow, ox));
    const conditions: number[] = [];
    let biggest = 0, blocks = 0;
    for (const a of ph) for (const b of pw) {
      const cols: number[] = [];
      for (let ci = 0; ci < cg; ci++) for (const th of a.taps) for (const tw of b.taps) cols.push(ci * g.kh * g.kw + th * g.kw + tw);
      if (!full(cols, conditions)) continue orientations;
      if (cols.length) { blocks++; biggest = Math.max(biggest, cols.length); }
    }
    if (blocks > 0) return { proof: { order: `${ORDER[oy][0]}/${ORDER[ox][1]}`, rank: mode, blocks, rows, cols: biggest }, conditions };
  }
  return null;
}
