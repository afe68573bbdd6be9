// The null-space basis of the first layer's window matrix W, group by group, with the patch
// shape its vectors have (Conv: C/g×kh×kw; Gemm/MatMul: the image's C×H×W when it is flattened
// into the layer, else 1×1×in).
import { nullSpace, type NullSpaceOptions, type NullSpaceResult } from '../linalg/nullspace.js';
import { EPS32 } from '../linalg/tolerance.js';
import type { FirstLayer } from '../onnx/first-layer.js';
import { outInMatrix, weightLayout } from './layout.js';
import type { ToleranceOptions } from './report.js';

/** One group's window matrix and its kernel: nullSpace's basis, nullity k, rank and tolerance. */
export interface WindowKernel extends Omit<NullSpaceResult, 's'> {
  group: number;
  /** W_g (m, n) row-major */
  m: number; n: number;
}

/**
 * ker(W_g) for each of `groups` window matrices, W_g (m, n) row-major as [out, in] (`block(g)`).
 * The tolerance rule is the caller's: the census counts at float32's, collide needs float64's.
 */
export function groupKernels(groups: number, m: number, n: number, block: (g: number) => Float64Array, opts: NullSpaceOptions): WindowKernel[] {
  return Array.from({ length: groups }, (_, group) => {
    const r = nullSpace(block(group), m, n, opts);
    return { group, m, n, basis: r.basis, k: r.k, rank: r.rank, tol: r.tol };
  });
}

export interface WindowBasis {
  groups: number;
  inDim: number;
  outDim: number;
  /** shape of one vector as an image patch: [c, kh, kw] */
  patch: [number, number, number];
  /** per group: rank, nullity k, tolerance used; vectors (k, inDim) row-major, orthonormal rows */
  perGroup: { rank: number; k: number; tol: number; vectors: Float64Array }[];
}

/** Null-space bases of W per group at the census tolerance (σmax·max(m, n)·eps32 unless rtol/atol). */
export function windowBasis(fl: FirstLayer, where: string, tol: ToleranceOptions = {}): WindowBasis {
  const l = weightLayout(fl.operand, fl.ref.node, where);
  const dims = fl.operand.weight.dims;
  let patch: [number, number, number];
  if (fl.operand.kind === 'Conv') patch = dims.length === 4 ? [dims[1]!, dims[2]!, dims[3]!] : [dims[1]!, 1, dims.slice(2).reduce((a, b) => a * b, 1)];
  else {
    const img = fl.inputShape;
    patch = img && img.length === 4 && img[1]! * img[2]! * img[3]! === l.inDim ? [img[1]!, img[2]!, img[3]!] : [1, 1, l.inDim];
  }
  const perGroup = groupKernels(l.groups, l.outDim, l.inDim, (g) => outInMatrix(fl.operand.weight.data, l, g), { rtol: tol.rtol, atol: tol.atol, eps: EPS32 })
    .map((r) => ({ rank: r.rank, k: r.k, tol: r.tol, vectors: r.basis }));
  return { groups: l.groups, inDim: l.inDim, outDim: l.outDim, patch, perGroup };
}
