// The window matrix W of the first layer (DESIGN.md §1) and its kernel, per group: a Conv weight
// [O, C/g, kh, kw] gives g matrices (O/g, C/g·kh·kw); a dense layer is one window (m, n).
// ker(W) is what the paper's Table 1 counts and what --method patch and --basis K fold.
import { EPS64 } from '../linalg/tolerance.js';
import { groupKernels, type WindowKernel } from '../census/window-basis.js';
import type { FirstLayerSpec } from './layer.js';

export type { WindowKernel };

/** Largest dense window (m·n entries) whose SVD we attempt: beyond it patch mode is unavailable. */
export const MAX_WINDOW_ENTRIES = 8_000_000;

/**
 * ker(W_g) for every group of the layer.
 * @returns one record per group (one for a dense layer), or undefined when W is too large to factor
 * Notes: a float64 Jacobi SVD (src/linalg/nullspace.ts) with the float64 rule σ₁·max(m, n)·eps64:
 * a collision is exact only if W v vanishes to float64 rounding, so float32's looser rule would
 * admit vectors that move the first layer by ~1e-7.
 */
export function windowKernels(layer: FirstLayerSpec): WindowKernel[] | undefined {
  if (layer.kind === 'dense') {
    if (layer.m * layer.n > MAX_WINDOW_ENTRIES) return undefined;
    return groupKernels(1, layer.m, layer.n, () => layer.weight, { eps: EPS64 });
  }
  const g = layer.geometry;
  const m = g.outC / g.groups;
  const n = (g.c / g.groups) * g.kh * g.kw;
  return groupKernels(g.groups, m, n, (gi) => layer.weight.subarray(gi * m * n, (gi + 1) * m * n), { eps: EPS64 });
}
