// Flag parsing for `nullspace collide` (and the demo): turns yargs' argv into PipelineOptions,
// validating every value eagerly with the house message shape. Internal to src/cli.
import { invalidParameter } from '../core/errors.js';
import { resolvePreset, type Normalization } from '../image/tensor.js';
import { resolveMethod } from '../collide/collider.js';
import type { PipelineOptions } from '../collide/pipeline.js';
import { parseSize } from './inspect.js';

export interface CollideArgs {
  model: string;
  images?: string[];
  method: string;
  direction?: string;
  target?: string;
  basis?: number;
  alpha?: number;
  psnr?: number;
  mask?: string;
  fit?: boolean;
  fitIter?: number;
  allowApproximate?: boolean;
  seed: number;
  bitDepth: number;
  format: string;
  npyDir?: string;
  outDir: string;
  size?: string;
  resize?: boolean;
  mean?: string;
  std?: string;
  preset?: string;
  bgr?: boolean;
  report?: string;
  maxPixels: number;
  tol: number;
  maxIter?: number;
  approxK: number;
  approxIter?: number;
  json?: boolean;
  debug?: boolean;
  /** --shard i/n | auto[/n] (shard.ts) */
  shard?: string;
  /** --at first-layer | TENSOR */
  at?: string;
  /** --stem-iter: primal–dual steps of the stem solver */
  stemIter?: number;
  /** --threads: worker threads for a stream of images */
  threads?: number;
}

/** "0.5" or "0.485,0.456,0.406" → numbers. */
export function parseList(name: string, s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const parts = String(s).split(',').map((x) => x.trim());
  const v = parts.map(Number);
  if (parts.some((p) => p === '') || !v.every(Number.isFinite) || (v.length !== 1 && v.length !== 3)) {
    throw invalidParameter(name, 'one number or three comma-separated numbers, e.g. 0.5,0.5,0.5', s, RangeError);
  }
  return v;
}

/** Normalisation from --preset / --mean / --std / --bgr (explicit mean/std override the preset's). */
export function parseNormalization(a: Pick<CollideArgs, 'preset' | 'mean' | 'std' | 'bgr'>): Normalization {
  const base = resolvePreset(a.preset ?? 'none');
  const mean = parseList('--mean', a.mean);
  const std = parseList('--std', a.std);
  if (std?.some((s) => !(s > 0))) throw invalidParameter('--std', 'positive numbers', a.std, RangeError);
  return { mean: mean ?? base.mean, std: std ?? base.std, bgr: !!a.bgr };
}

function finite(name: string, v: number | undefined, min = -Infinity): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw invalidParameter(name, min === -Infinity ? 'a finite number' : `a number ≥ ${min}`, v, RangeError);
}

/** Checks flag values and combinations; returns the library options (without tool/model fields). */
export function pipelineOptions(a: CollideArgs): Omit<PipelineOptions, 'tool'> {
  const method = resolveMethod(a.method);
  if (a.direction !== undefined && a.direction !== 'noise') throw invalidParameter('--direction', '"noise" (use --target T.png or --basis K for the others)', a.direction, RangeError);
  const chosen = [a.direction !== undefined && 'direction', a.target !== undefined && 'target', a.basis !== undefined && 'basis'].filter(Boolean);
  if (chosen.length > 1) throw new RangeError(`--direction, --target and --basis are exclusive, but ${chosen.map((c) => `--${c}`).join(' and ')} were given`);
  if (a.basis !== undefined && !(Number.isInteger(a.basis) && a.basis >= 0)) throw invalidParameter('--basis', 'a non-negative integer', a.basis, RangeError);
  if (a.alpha !== undefined && a.psnr !== undefined) throw new RangeError('--alpha and --psnr are exclusive');
  finite('--alpha', a.alpha);
  finite('--psnr', a.psnr, 0);
  if (a.bitDepth !== 8 && a.bitDepth !== 16) throw invalidParameter('--bit-depth', 'one of 8, 16', a.bitDepth, RangeError);
  if (a.format !== 'png' && a.format !== 'npy') throw invalidParameter('--format', 'one of "png", "npy"', a.format, RangeError);
  if (!(Number.isInteger(a.seed))) throw invalidParameter('--seed', 'an integer', a.seed, RangeError);
  if (!(Number.isInteger(a.maxPixels) && a.maxPixels > 0)) throw invalidParameter('--max-pixels', 'a positive integer', a.maxPixels, RangeError);
  if (!(a.tol > 0 && a.tol < 1)) throw invalidParameter('--tol', 'a number in (0, 1)', a.tol, RangeError);
  if (!(Number.isInteger(a.approxK) && a.approxK >= 1 && a.approxK <= 64)) throw invalidParameter('--approx-k', 'an integer between 1 and 64', a.approxK, RangeError);
  if (a.approxIter !== undefined && !(Number.isInteger(a.approxIter) && a.approxIter > 0)) throw invalidParameter('--approx-iter', 'a positive integer', a.approxIter, RangeError);
  if (a.maxIter !== undefined && !(Number.isInteger(a.maxIter) && a.maxIter > 0)) throw invalidParameter('--max-iter', 'a positive integer', a.maxIter, RangeError);
  if (a.fitIter !== undefined && !(Number.isInteger(a.fitIter) && a.fitIter >= 0)) throw invalidParameter('--fit-iter', 'a non-negative integer', a.fitIter, RangeError);
  if (a.stemIter !== undefined && !(Number.isInteger(a.stemIter) && a.stemIter >= 0)) throw invalidParameter('--stem-iter', 'a non-negative integer', a.stemIter, RangeError);
  if (a.threads !== undefined && !(Number.isInteger(a.threads) && a.threads >= 1 && a.threads <= 256)) throw invalidParameter('--threads', 'an integer from 1 to 256', a.threads, RangeError);
  if (a.at !== undefined && (typeof a.at !== 'string' || a.at === '')) throw invalidParameter('--at', '"first-layer" or a tensor name', a.at, RangeError);
  return {
    at: a.at, stemIterations: a.stemIter,
    method,
    direction: a.target !== undefined ? 'target' : a.basis !== undefined ? 'basis' : 'noise',
    basisIndex: a.basis,
    alpha: a.alpha, psnr: a.psnr,
    fit: a.fit, fitIter: a.fitIter,
    allowApproximate: !!a.allowApproximate,
    seed: a.seed, tol: a.tol, maxIter: a.maxIter, approxK: a.approxK, approxIter: a.approxIter,
    normalization: parseNormalization(a),
    bitDepth: a.bitDepth,
    resize: !!a.resize,
    size: parseSize(a.size),
  };
}

/** The settings echoed into every report record. */
export function reportSettings(a: CollideArgs): Record<string, unknown> {
  return {
    method: a.method, direction: a.target !== undefined ? 'target' : a.basis !== undefined ? 'basis' : 'noise',
    target: a.target, basis: a.basis, alpha: a.alpha, psnr: a.psnr, mask: a.mask, fit: a.fit ?? a.method !== 'patch', fitIter: a.fitIter,
    allowApproximate: !!a.allowApproximate, seed: a.seed, bitDepth: a.bitDepth, format: a.format, size: a.size,
    resize: !!a.resize, preset: a.preset, mean: a.mean, std: a.std, bgr: !!a.bgr, tol: a.tol, maxIter: a.maxIter, approxK: a.approxK, approxIter: a.approxIter,
    at: a.at ?? 'auto', stemIter: a.stemIter,
  };
}
