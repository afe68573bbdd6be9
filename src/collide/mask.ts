// --mask M.png: per-pixel multipliers (mask size = input size) or per-window multipliers (mask
// size = the first layer's output grid). Multiplying a null vector by a mask leaves ker(A_img),
// so operator mode projects onto ker(A_img) ∩ {δ = 0 where the mask is 0} (a column subset of
// A_img) with the multipliers shaping the seed; patch mode applies them as the paper would and
// reports the residual that results.
import { InputError } from '../core/errors.js';
import type { ImageOperator } from './operator.js';
import { foldWindows } from './patch.js';

/** A decoded mask image: values in [0, 1], (height, width, channels) row-major. */
export interface MaskImage { width: number; height: number; channels: number; data: Float64Array }

/** The mask resolved against A_img. */
export interface Mask {
  kind: 'pixel' | 'window';
  /** per model-space entry multipliers (CHW, replicated over channels) */
  weights: Float64Array;
  /** 1 where δ may be non-zero */
  keep: Uint8Array;
  /** per-window multipliers (oh·ow) for patch mode, when kind = 'window' */
  perWindow?: Float64Array;
  /** share of entries kept */
  keptFraction: number;
}

/** Gray value of a mask pixel: mean of the colour channels (alpha ignored). */
function grayPlane(m: MaskImage): Float64Array {
  const colours = m.channels === 2 || m.channels === 4 ? m.channels - 1 : m.channels;
  const out = new Float64Array(m.width * m.height);
  for (let p = 0; p < out.length; p++) {
    let s = 0;
    for (let k = 0; k < colours; k++) s += m.data[p * m.channels + k]!;
    out[p] = s / colours;
  }
  return out;
}

/**
 * Resolves a mask image against the operator's input and output sizes.
 * @throws InputError when the mask's size is neither the input size nor the window grid
 */
export function resolveMask(m: MaskImage, a: ImageOperator, source = 'mask'): Mask {
  const plane = a.h * a.w;
  const gray = grayPlane(m);
  let pixel: Float64Array;
  let kind: 'pixel' | 'window';
  let perWindow: Float64Array | undefined;
  if (m.height === a.h && m.width === a.w) {
    kind = 'pixel';
    pixel = gray;
  } else if (a.layer.kind === 'conv' && m.height === a.oh && m.width === a.ow) {
    kind = 'window';
    perWindow = gray;
    // a pixel's weight: the mean multiplier of the windows that read it (0 if none reads it)
    const g = a.layer.geometry;
    const ones = Array.from({ length: g.groups }, () => new Float64Array((g.c / g.groups) * g.kh * g.kw).fill(1));
    const num = foldWindows(a.layer, ones, gray);
    const den = foldWindows(a.layer, ones);
    pixel = new Float64Array(plane);
    for (let p = 0; p < plane; p++) {
      let s = 0; let d = 0;
      for (let c = 0; c < a.c; c++) { s += num[c * plane + p]!; d += den[c * plane + p]!; }
      pixel[p] = d > 0 ? s / d : 0;
    }
  } else {
    const grid = a.layer.kind === 'conv' ? ` or the first layer's window grid ${a.oh}×${a.ow}` : '';
    throw new InputError(`${source}: mask is ${m.height}×${m.width} but must be the input size ${a.h}×${a.w}${grid}`);
  }
  const weights = new Float64Array(a.c * plane);
  const keep = new Uint8Array(a.c * plane);
  let kept = 0;
  for (let c = 0; c < a.c; c++) {
    for (let p = 0; p < plane; p++) {
      const v = pixel[p]!;
      weights[c * plane + p] = v;
      if (v > 0) { keep[c * plane + p] = 1; kept++; }
    }
  }
  return { kind, weights, keep, perWindow, keptFraction: kept / weights.length };
}
