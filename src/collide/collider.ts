// The collide engine in model space: set up once per (model, input size) — A_img, its norm,
// ker(W), the nullity analysis, a projector (restricted to a mask when given) or the smallest
// singular vectors — then, per image, build δ, scale it, optionally fit it to the pixel box.
// Pixels, PNG rounding and the report live in pipeline.ts.
import { opNorm } from '../linalg/project.js';
import { convPreconditioner } from '../linalg/preconditioner.js';
import { invalidParameter } from '../core/errors.js';
import { restrictColumns } from '../linalg/restrict-columns.js';
import { imageOperator, type ImageOperator } from './operator.js';
import { windowKernels, type WindowKernel } from './window.js';
import { analyse, type Analysis } from './analyse.js';
import { projector, seedDirection, type Direction, type Projector } from './search.js';
import { approximateBasis, approximateDirection, type ApproximateBasis } from './approximate.js';
import { foldWindows, windowVectors } from './patch.js';
import { resolveAlpha } from './strength.js';
import { fitToBox } from './fit.js';
import { modelBoxOf, pixelRms, type ChannelAffine } from './space.js';
import { resolveMask, type Mask, type MaskImage } from './mask.js';
import type { FirstLayerSpec } from './layer.js';

/** collide's method names → internal values (closed set, one resolver). */
export const METHODS = Object.freeze({ operator: 'operator', patch: 'patch' } as const);
export type Method = keyof typeof METHODS;

/** @throws RangeError listing the valid names */
export function resolveMethod(name: string): Method {
  if (!Object.hasOwn(METHODS, name)) throw invalidParameter('method', 'one of "operator", "patch"', name, RangeError);
  return name as Method;
}

export interface ColliderOptions {
  method?: Method;
  /** direction kind; a target tensor comes per image */
  direction?: 'noise' | 'target' | 'basis';
  /** --basis K */
  basisIndex?: number;
  alpha?: number;
  psnr?: number;
  fit?: boolean;
  fitIter?: number;
  allowApproximate?: boolean;
  seed?: number;
  /** solver tolerance on ‖Aδ‖/(‖A‖‖δ‖) (default 1e-13) */
  tol?: number;
  maxIter?: number;
  /** smallest singular vectors to use in approximate mode (default 4) */
  approxK?: number;
  /** Lanczos product cap for them (default 800); Ritz vectors of a shorter run still predict exactly */
  approxIter?: number;
  /** a resolved mask, or the mask image to resolve against A_img's sizes */
  mask?: Mask;
  maskImage?: MaskImage;
  affine: ChannelAffine;
}

/** What set-up found and built. */
export interface Collider {
  image: ImageOperator;
  kernels: WindowKernel[] | undefined;
  analysis: Analysis;
  norm: number;
  /** 'exact' when ker(A_img) (or the patch fold) is used, 'approximate' for singular vectors */
  mode: 'exact' | 'approximate';
  /** approximate mode: the smallest singular triplets used */
  approx?: ApproximateBasis;
  settings: Required<Pick<ColliderOptions, 'method' | 'direction' | 'seed' | 'tol'>> & ColliderOptions;
  /** set-up time in ms */
  setupMs: number;
  collide(x: Float64Array, index: number, target?: Float64Array): ModelCollision;
}

/** One collision in model space. */
export interface ModelCollision {
  /** δ_m (CHW, model space), scaled (and fitted) — x'_m = x_m + δ_m */
  delta: Float64Array;
  alpha: number;
  seed: number;
  captured?: number;
  solver?: { iterations: number; converged: boolean };
  /** --fit: rounds, whether x' ended inside the box before the last clip, the violation left (model units), the shrink γ applied after, share clipped at the end, share outside the box before fitting */
  fit?: { iterations: number; converged: boolean; violation: number; gamma: number; clipped: number; outsideBefore: number };
  /** approximate mode: ‖A δ‖ predicted from σ (before any fit) */
  predictedNorm?: number;
}

/** An honest negative: ker(A_img) is trivial and approximate mode was not allowed. */
export class NoExactCollision extends Error {
  override name = 'NoExactCollision';
  constructor(readonly analysis: Analysis, detail: string) {
    super(`no exact collision exists at this layer for this input size (${detail}); pass --allow-approximate for the best approximate one`);
  }
}

/**
 * Set-up for one (model, input size).
 * @throws NoExactCollision when ker(A_img) is trivial and allowApproximate is off (method operator)
 */
export function prepareCollider(layer: FirstLayerSpec, options: ColliderOptions): Collider {
  const t0 = performance.now();
  const settings = { method: 'operator' as Method, direction: 'noise' as const, seed: 0, tol: 1e-13, ...options };
  const image = imageOperator(layer);
  const norm = opNorm(image.op);
  const kernels = windowKernels(layer);
  const analysis = analyse(image, kernels, { norm, k: settings.approxK, seed: settings.seed, wantVectors: settings.allowApproximate, maxIter: settings.approxIter });
  if (!settings.mask && settings.maskImage) settings.mask = resolveMask(settings.maskImage, image, 'mask');
  const mask = settings.mask;
  if (settings.method === 'patch') {
    if (!kernels) throw new RangeError('--method patch needs ker(W), but the window matrix is too large to factor');
    if (kernels.every((k) => k.k === 0)) throw new NoExactCollision(analysis, `every window matrix W (${kernels[0]!.m}×${kernels[0]!.n}) has a trivial kernel, so the per-window fold has nothing to fold`);
    if (settings.direction === 'target') throw new RangeError('--target needs --method operator (the per-window fold has no target)');
    if (settings.fit) throw new RangeError('--fit needs --method operator (it projects onto ker(A_img))');
  }
  if (settings.direction === 'basis') {
    if (!kernels) throw new RangeError('--basis needs ker(W), but the window matrix is too large to factor');
    // checks the index against every group now, before any image arrives
    windowVectors(kernels, settings.basisIndex ?? 0, settings.seed);
  }
  let mode: 'exact' | 'approximate' = 'exact';
  let proj: Projector | undefined;
  let approx: ApproximateBasis | undefined;
  let approxGather: ((v: Float64Array) => Float64Array) | undefined;
  let approxScatter: ((v: Float64Array) => Float64Array) | undefined;
  if (settings.method === 'operator') {
    if (analysis.figures.trivial) {
      const f = analysis.figures;
      const detail = f.certificate?.injective
        ? `A_img is ${f.rows}×${f.cols} (${f.shape}): ${f.certificate.reason}`
        : `A_img is ${f.rows}×${f.cols} (${f.shape}), σ_min/‖A‖ ≈ ${f.sigmaMinRelative!.toExponential(2)} > tol ${f.tol.toExponential(2)}` +
          (f.lanczos && !f.lanczos.converged ? ` (Lanczos after ${f.lanczos.iterations} products, not converged: an upper bound, so a smaller σ_min is not ruled out)` : '');
      if (!settings.allowApproximate) throw new NoExactCollision(analysis, detail);
      mode = 'approximate';
      if (mask) {
        const sub = restrictColumns(image.op, mask.keep);
        approx = approximateBasis(sub.op, { k: settings.approxK, seed: settings.seed, maxIter: settings.approxIter });
        approxGather = sub.gather; approxScatter = sub.scatter;
      } else approx = analysis.smallest ?? approximateBasis(image.op, { k: settings.approxK, seed: settings.seed, maxIter: settings.approxIter });
    } else {
      // block-Jacobi M ≈ (A Aᵀ)⁻¹ for a conv: ~40% fewer CG iterations on PP-OCR (scratch/solver-notes.md)
      const preconditioner = layer.kind === 'conv' ? convPreconditioner(layer.weight, layer.geometry) : undefined;
      proj = projector(image.op, { tol: settings.tol, maxIter: settings.maxIter, keep: mask?.keep, norm, preconditioner });
    }
  }
  const plane = image.h * image.w;
  const box = modelBoxOf(settings.affine);

  const collide = (x: Float64Array, index: number, target?: Float64Array): ModelCollision => {
    const seed = settings.seed + index;
    let delta: Float64Array;
    const out: Omit<ModelCollision, 'delta' | 'alpha'> = { seed };
    const dir: Direction = settings.direction === 'target'
      ? { kind: 'target', target: target ?? fail('--target needs a target image') }
      : settings.direction === 'basis' ? { kind: 'basis', index: settings.basisIndex ?? 0 } : { kind: 'noise' };
    if (settings.method === 'patch') {
      const vectors = windowVectors(kernels!, settings.direction === 'basis' ? settings.basisIndex ?? 0 : undefined, seed);
      delta = foldWindows(layer, vectors, mask?.kind === 'window' ? mask.perWindow : undefined);
      if (mask?.kind === 'pixel') for (let i = 0; i < delta.length; i++) delta[i]! *= mask.weights[i]!;
    } else {
      const v = seedDirection(dir, layer, kernels, x, seed, dir.kind === 'target' ? maskKeep(mask) : mask?.weights);
      if (mode === 'exact') {
        const p = proj!.project(v);
        delta = p.delta;
        out.captured = p.captured;
        out.solver = { iterations: p.iterations, converged: p.converged };
      } else {
        const ad = approximateDirection(approx!, approxGather ? approxGather(v) : v);
        delta = approxScatter ? approxScatter(ad.delta) : ad.delta;
        out.captured = ad.captured;
        out.predictedNorm = ad.predictedNorm;
      }
    }
    const raw = pixelRms(delta, settings.affine, plane);
    const { alpha, scale } = resolveAlpha({ alpha: settings.alpha, psnr: settings.psnr, target: dir.kind === 'target' }, raw);
    for (let i = 0; i < delta.length; i++) delta[i]! *= scale;
    if (out.predictedNorm !== undefined) out.predictedNorm *= Math.abs(scale);
    if (settings.fit) {
      let outside = 0;
      for (let c = 0; c < box.lo.length; c++) {
        for (let i = c * plane; i < (c + 1) * plane; i++) { const v = x[i]! + delta[i]!; if (v < box.lo[c]! || v > box.hi[c]!) outside++; }
      }
      const project = mode === 'exact'
        ? (c: Float64Array) => proj!.project(c).delta
        : (c: Float64Array) => {
          const d = approximateDirection(approx!, approxGather ? approxGather(c) : c).delta;
          return approxScatter ? approxScatter(d) : d;
        };
      const f = fitToBox(x, delta, project, box, plane, { maxIter: settings.fitIter });
      delta = f.delta;
      out.fit = { iterations: f.iterations, converged: f.converged, violation: f.violation, gamma: f.gamma, clipped: f.clipped / x.length, outsideBefore: outside / x.length };
    }
    return { delta, alpha, ...out };
  };
  return { image, kernels, analysis, norm, mode, approx, settings, setupMs: performance.now() - t0, collide };
}

function fail(msg: string): never { throw new RangeError(msg); }

/** The target seed is t − x inside the mask, 0 outside (multipliers would distort the target). */
function maskKeep(mask: Mask | undefined): Float64Array | undefined {
  if (!mask) return undefined;
  return Float64Array.from(mask.keep);
}

