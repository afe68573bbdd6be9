// One attack on one image, and its record: success, top-1 before and after (of the float64 result
// and of the PNG as written), the margin, ‖r‖ L2 / L∞ / RMS in pixel units (8-bit levels, as
// collide reports), PSNR, steps and model queries, time. Methods: pgd (pgd.ts), lbfgs (szegedy.ts),
// square (square.ts, gradient-free).
import { invalidParameter } from '../core/errors.js';
import { colorChannels, type Image } from '../image/image.js';
import { deltaStats, psnr, type DeltaStats } from '../image/metrics.js';
import { decodePng, encodePng } from '../image/png.js';
import { argmax, pgd, type AttackNorm } from './pgd.js';
import type { SessionBackend } from '../runtime/session.js';
import type { Classifier } from './classifier.js';
import { squareAttack } from './square.js';
import { szegedy } from './szegedy.js';

const METHODS = Object.freeze({ pgd: 'pgd', lbfgs: 'lbfgs', square: 'square' } as const);
export type AttackMethod = keyof typeof METHODS;

export function resolveMethod(m: unknown): AttackMethod {
  if (typeof m !== 'string' || !(m in METHODS)) throw invalidParameter('method', `one of ${Object.keys(METHODS).join(', ')}`, m);
  return m as AttackMethod;
}

export interface AttackSettings {
  method: AttackMethod;
  norm: AttackNorm;
  eps: number;
  steps: number;
  stepSize?: number;
  label?: number;
  randomStart: boolean;
  seed: number;
  bitDepth: 8 | 16;
  /** lbfgs: values of c tried, and the first c */
  searchSteps?: number;
  c?: number;
  /** square: most model queries per image (clean image and start included; default 10000) */
  queries?: number;
  /** square: first fraction of pixels per window (default 0.05 L∞, 0.1 L2) */
  pInit?: number;
}

export interface AttackRecord {
  source: string;
  index: number;
  method: AttackMethod;
  success: boolean;
  /** pgd without --label: leave `label` (the clean top-1); lbfgs without --label: reach the runner-up */
  goal: { kind: 'untargeted' | 'targeted' | 'runner-up'; label: number };
  /** lbfgs: the c of the result (null when no c reached the target) */
  c?: number | null;
  top1: { before: number; after: number; stored: number };
  /** after: z[top-1] − z[runner-up] of the logits (positive: the top-1 wins by this much) */
  margin: { before: number; after: number };
  delta: DeltaStats;
  psnr: number;
  /** pgd: gradient steps; lbfgs: L-BFGS iterations over all c; square: random-search iterations */
  steps: number;
  /** model evaluations by the attack (forward passes and gradients; not the check of the stored PNG) */
  queries: number;
  ms: number;
  seed: number;
  /** where the model ran (forward passes; gradients on the same backend) */
  backend: SessionBackend;
  outputs?: { png?: string; npy?: string };
}

function margin(z: ArrayLike<number>): number {
  const k = argmax(z);
  let second = -Infinity;
  for (let i = 0; i < z.length; i++) if (i !== k) second = Math.max(second, z[i]!);
  return z[k]! - second;
}

/** The image without alpha (attacks perturb colour channels only). */
export function colorsOnly(image: Image): Image {
  const k = colorChannels(image);
  if (k === image.channels) return image;
  const plane = image.width * image.height;
  const data = new Float64Array(plane * k);
  for (let p = 0; p < plane; p++) for (let c = 0; c < k; c++) data[p * k + c] = image.data[p * image.channels + c]!;
  return { ...image, channels: k, data };
}

/**
 * Attacks one image (its size must be the classifier's).
 * @returns the adversarial image (float64), its PNG at the settings' bit depth, and the record
 */
export async function attackImage(c: Classifier, image: Image, s: AttackSettings, index: number, source: string): Promise<{ adversarial: Image; png: Uint8Array; record: AttackRecord }> {
  const t0 = performance.now();
  const x = colorsOnly(image);
  const q0 = c.queries;
  const seed = s.seed + index;
  const lb = s.method === 'lbfgs' ? await szegedy(c, x.data, { label: s.label, iterations: s.steps, searchSteps: s.searchSteps, c: s.c }) : undefined;
  const r = lb ?? (s.method === 'square'
    ? await squareAttack(c, x.data, { norm: s.norm, eps: s.eps, queries: s.queries ?? 10000, pInit: s.pInit, label: s.label, seed, height: x.height, width: x.width, channels: x.channels })
    : await pgd(c, x.data, { norm: s.norm, eps: s.eps, steps: s.steps, stepSize: s.stepSize, label: s.label, randomStart: s.randomStart, seed }));
  const queries = c.queries - q0;
  const adversarial: Image = { ...x, bitDepth: s.bitDepth, data: r.adversarial };
  const png = encodePng(adversarial, { bitDepth: s.bitDepth });
  const storedTop1 = argmax(await c.logits(colorsOnly(decodePng(png)).data));
  const delta = Float64Array.from(r.adversarial, (v, i) => v - x.data[i]!);
  const before = argmax(r.before);
  return {
    adversarial, png,
    record: {
      source, index, method: s.method, success: r.success,
      goal: lb ? { kind: s.label === undefined ? 'runner-up' : 'targeted', label: lb.label } : s.label === undefined ? { kind: 'untargeted', label: before } : { kind: 'targeted', label: s.label },
      ...(lb ? { c: lb.c } : {}),
      top1: { before, after: argmax(r.after), stored: storedTop1 },
      margin: { before: margin(r.before), after: margin(r.after) },
      delta: deltaStats(delta), psnr: psnr(x.data, r.adversarial), steps: r.steps, queries,
      ms: performance.now() - t0, seed, backend: c.backend,
    },
  };
}
