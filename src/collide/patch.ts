// The paper's per-window mode: one vector of ker(W_g) per group (a chosen basis vector or a
// seeded combination) placed in every window and summed into the image (a col2im fold).
// Exact only when windows are disjoint (DESIGN.md §1); callers report the true residual.
import { conv2dAdjoint } from '../linalg/conv.js';
import { rng } from '../linalg/random.js';
import { invalidParameter } from '../core/errors.js';
import { outputSize } from '../linalg/geometry.js';
import type { FirstLayerSpec } from './layer.js';
import type { WindowKernel } from './window.js';

/**
 * One window vector per group: basis row `index` of ker(W_g), or (index undefined) a seeded
 * Gaussian combination of all rows, normalised to unit length. A group with a trivial kernel
 * gets a zero vector.
 * @throws RangeError when index is not a row of some group's non-trivial ker(W_g)
 * @returns per group a vector of length n = C/g·kh·kw (dense: the whole input)
 */
export function windowVectors(kernels: WindowKernel[], index: number | undefined, seed: number): Float64Array[] {
  const r = rng(seed);
  return kernels.map((kg) => {
    const v = new Float64Array(kg.n);
    if (kg.k === 0) return v;
    if (index !== undefined) {
      if (!Number.isInteger(index) || index < 0 || index >= kg.k) throw invalidParameter('basis', `an integer between 0 and ${kg.k - 1} (ker(W) of group ${kg.group} has dimension ${kg.k})`, index, RangeError);
      v.set(kg.basis.subarray(index * kg.n, (index + 1) * kg.n));
      return v;
    }
    for (let j = 0; j < kg.k; j++) {
      const cj = r.normal();
      const row = kg.basis.subarray(j * kg.n, (j + 1) * kg.n);
      for (let i = 0; i < kg.n; i++) v[i]! += cj * row[i]!;
    }
    let s = 0;
    for (let i = 0; i < kg.n; i++) s += v[i]! * v[i]!;
    s = Math.sqrt(s) || 1;
    for (let i = 0; i < kg.n; i++) v[i]! /= s;
    return v;
  });
}

/**
 * Folds the per-group window vectors into every window of the image (col2im of the column
 * matrix whose every column holds them), optionally weighting window p by perWindow[p].
 * @param perWindow (oh·ow) multipliers, or undefined for 1 everywhere
 * @returns the model-space image (c·h·w, CHW)
 * Notes: the fold is the adjoint of a convolution with one output channel per group whose filter
 * is that group's vector, applied to a map of window weights — col2im + GEMM in the WASM core.
 */
export function foldWindows(layer: FirstLayerSpec, vectors: Float64Array[], perWindow?: Float64Array): Float64Array {
  if (layer.kind === 'dense') return Float64Array.from(vectors[0]!);
  const g = layer.geometry;
  const n = vectors[0]!.length;
  const weight = new Float64Array(g.groups * n);
  vectors.forEach((v, gi) => weight.set(v, gi * n));
  const fg = { ...g, outC: g.groups };
  const { oh, ow } = outputSize(g);
  const y = new Float64Array(g.groups * oh * ow);
  for (let gi = 0; gi < g.groups; gi++) {
    if (perWindow) y.set(perWindow, gi * oh * ow);
    else y.fill(1, gi * oh * ow, (gi + 1) * oh * ow);
  }
  return conv2dAdjoint(y, weight, fg);
}

