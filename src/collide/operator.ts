// A_img: the whole first layer at the real input size as a LinearOperator on the model-space
// image (flattened CHW), plus the figures collide reports about it — shape, window overlap,
// inputs no window reads, a lower bound on nullity, ‖A‖₂ and, when the bound is 0, σ_min.
// See DESIGN.md §1: exact image-space collisions are ker(A_img), not ker(W).
import type { LinearOperator } from '../linalg/operator.js';
import { windowsOverlap, outputSize } from '../linalg/geometry.js';
import { convOperator } from '../linalg/conv.js';
import { denseOperator } from '../linalg/dense-operator.js';
import { opNorm } from '../linalg/project.js';
import { inputShape, type FirstLayerSpec } from './layer.js';

/** A_img and the layer it was built from. */
export interface ImageOperator {
  layer: FirstLayerSpec;
  /** A_img: model-space CHW image (cols) → first-layer output without bias (rows) */
  op: LinearOperator;
  rows: number;
  cols: number;
  /** image channels, height, width */
  c: number; h: number; w: number;
  /** output height/width (conv) or 1×m (dense) */
  outC: number; oh: number; ow: number;
  /** some input entry is read by two windows (always false for a dense layer: one window) */
  overlap: boolean;
  /** input entries (of cols) that no window reads with a non-zero weight: free directions of ker(A_img) */
  freeInputs: Uint8Array;
  freeCount: number;
  /** nullity(A_img) ≥ freeCount + max(0, (cols − freeCount) − rows) */
  nullityLowerBound: number;
}

/**
 * Builds A_img for a first layer.
 * @param layer conv weight [outC, c/groups, kh, kw] with its geometry, or dense W (m, n)
 * @returns the operator and its structural figures (no iterative work yet; see analyse())
 */
export function imageOperator(layer: FirstLayerSpec): ImageOperator {
  const { c, h, w } = inputShape(layer);
  let op: LinearOperator;
  let absOp: LinearOperator;
  let outC: number; let oh: number; let ow: number; let overlap: boolean;
  if (layer.kind === 'conv') {
    op = convOperator(layer.weight, layer.geometry);
    absOp = convOperator(layer.weight.map(Math.abs), layer.geometry);
    ({ oh, ow } = outputSize(layer.geometry));
    outC = layer.geometry.outC;
    overlap = windowsOverlap(layer.geometry);
  } else {
    op = denseOperator(layer.weight, layer.m, layer.n);
    absOp = denseOperator(layer.weight.map(Math.abs), layer.m, layer.n);
    outC = layer.m; oh = 1; ow = 1; overlap = false;
  }
  // An input entry no window reads (with a non-zero weight) has a zero column in A_img: |A|ᵀ·1 = 0 there.
  const reach = absOp.applyT(new Float64Array(op.rows).fill(1));
  const freeInputs = new Uint8Array(op.cols);
  let freeCount = 0;
  for (let i = 0; i < reach.length; i++) if (reach[i] === 0) { freeInputs[i] = 1; freeCount++; }
  const nullityLowerBound = freeCount + Math.max(0, op.cols - freeCount - op.rows);
  return { layer, op, rows: op.rows, cols: op.cols, c, h, w, outC, oh, ow, overlap, freeInputs, freeCount, nullityLowerBound };
}

/** ‖A_img‖₂ (Lanczos/power estimate from the solver module). */
export function operatorNorm(a: ImageOperator): number {
  return opNorm(a.op);
}
