// Pixels ↔ model tensor. Pixel values x ∈ [0, 1] (the PNG sample scaled by 1/255 or 1/65535) map to the
// model's NCHW input through the per-channel affine t = (x − mean) / std, optionally with channels
// reversed (BGR models); the inverse x = t·std + mean maps a model-space point or perturbation back
// exactly (to rounding). Presets are a frozen table with one resolver. Browser-safe.
import { InputError, invalidParameter } from '../core/errors.js';
import { checkImage, colorChannels, hasAlpha, type Image } from './image.js';

/** Per-channel normalization. mean and std are listed in R, G, B order (one value = all channels). */
export interface Normalization {
  mean: number | readonly number[];
  std: number | readonly number[];
  /** The model takes channels as B, G, R (OpenCV-trained models). The mean/std lists stay in RGB order. */
  bgr?: boolean;
}

/** Normalization plus the model's channel count (3 by default). */
export interface ModelInputOptions extends Normalization {
  channels?: 1 | 3;
}

/** Built-in presets (applied after scaling pixels to [0, 1]). */
export const PRESETS = Object.freeze({
  imagenet: Object.freeze({ mean: Object.freeze([0.485, 0.456, 0.406]), std: Object.freeze([0.229, 0.224, 0.225]) }),
  paddle: Object.freeze({ mean: Object.freeze([0.5, 0.5, 0.5]), std: Object.freeze([0.5, 0.5, 0.5]) }),
  none: Object.freeze({ mean: Object.freeze([0, 0, 0]), std: Object.freeze([1, 1, 1]) }),
});

/** Names accepted by resolvePreset. */
export type PresetName = keyof typeof PRESETS;

/** Maps a user-facing preset name to its Normalization (bgr false). @throws RangeError listing the valid names. */
export function resolvePreset(name: string): Normalization {
  if (typeof name !== 'string' || !Object.hasOwn(PRESETS, name)) {
    const valid = Object.keys(PRESETS).map((k) => `"${k}"`).join(', ');
    throw invalidParameter('preset', `one of ${valid}`, name, typeof name === 'string' ? RangeError : TypeError);
  }
  const p = PRESETS[name as PresetName];
  return { mean: p.mean, std: p.std, bgr: false };
}

/** Per model channel c: its mean, std and which RGB channel (0–2) it carries. */
interface ChannelMap { mean: Float64Array; std: Float64Array; rgb: Int32Array }

function values(name: string, v: number | readonly number[], channels: number): number[] {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? [...v] : undefined;
  if (!list || (list.length !== 1 && list.length !== channels) || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalidParameter(name, channels === 1 ? 'a finite number or a list of 1 finite number' : `a finite number or a list of 1 or ${channels} finite numbers`, v);
  }
  return list.length === 1 ? new Array<number>(channels).fill(list[0]!) : list;
}

/** Resolves mean/std to per-model-channel arrays. @throws TypeError/RangeError for bad options. */
function channelMap(o: ModelInputOptions): ChannelMap {
  const channels = o.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw invalidParameter('channels', 'one of 1, 3', channels, RangeError);
  const mean = values('mean', o.mean, channels);
  const std = values('std', o.std, channels);
  std.forEach((s, i) => { if (!(s > 0)) throw invalidParameter(`std[${i}]`, 'a positive number', s, RangeError); });
  const map: ChannelMap = { mean: new Float64Array(channels), std: new Float64Array(channels), rgb: new Int32Array(channels) };
  for (let c = 0; c < channels; c++) {
    const rgb = channels === 3 && o.bgr ? 2 - c : c;
    map.rgb[c] = rgb; map.mean[c] = mean[rgb]!; map.std[c] = std[rgb]!;
  }
  return map;
}

/**
 * Image → model input, NCHW (1, C, H, W) row-major: t[c, y, x] = (pixel[y, x, src(c)] − mean_c) / std_c.
 *
 * Channel rules: alpha is dropped; a gray image feeding a 3-channel model is expanded (every channel reads
 * the gray value, each with its own mean/std); an RGB image cannot feed a 1-channel model (no exact
 * inverse) and is refused. With bgr, model channel c carries RGB channel 2 − c.
 *
 * @throws InputError ("<location>: …") for an RGB image and a 1-channel model; TypeError/RangeError for bad options.
 */
export function toModelTensor(image: Image, options: ModelInputOptions, location = 'image'): Float64Array {
  checkImage('image', image);
  const map = channelMap(options);
  const C = map.mean.length;
  const colors = colorChannels(image);
  if (colors === 3 && C === 1) throw new InputError(`${location}: the model takes 1 channel but the image is RGB; convert it to grayscale first`);
  const { width: W, height: H, channels: S, data } = image;
  const plane = H * W;
  const out = new Float64Array(C * plane);
  for (let c = 0; c < C; c++) {
    const src = colors === 1 ? 0 : map.rgb[c]!;
    const m = map.mean[c]!, s = map.std[c]!;
    const base = c * plane;
    for (let p = 0; p < plane; p++) out[base + p] = (data[p * S + src]! - m) / s;
  }
  return out;
}

/**
 * Model input (1, C, H, W) → Image, the exact inverse of toModelTensor per channel: pixel = t·std + mean.
 * The result has 3 colour channels when the model has 3 (even for a gray `like`: the channels may now
 * differ) and 1 otherwise; `like`'s alpha channel, if any, is copied unchanged. Size and bitDepth come from `like`.
 *
 * @throws RangeError when tensor.length is not C·H·W of `like`.
 */
export function fromModelTensor(tensor: Float64Array, options: ModelInputOptions, like: Image): Image {
  checkImage('like', like);
  const map = channelMap(options);
  const C = map.mean.length;
  const { width: W, height: H } = like;
  const plane = H * W;
  if (tensor.length !== C * plane) throw new RangeError(`Expected length ${C * plane} (1×${C}×${H}×${W}) for tensor but received length ${tensor.length}`);
  const alpha = hasAlpha(like);
  const channels = ((C === 3 ? 3 : 1) + (alpha ? 1 : 0)) as Image['channels'];
  const data = new Float64Array(plane * channels);
  for (let c = 0; c < C; c++) {
    const dst = map.rgb[c]!;
    const m = map.mean[c]!, s = map.std[c]!;
    const base = c * plane;
    for (let p = 0; p < plane; p++) data[p * channels + dst] = tensor[base + p]! * s + m;
  }
  if (alpha) {
    const from = like.channels - 1;
    for (let p = 0; p < plane; p++) data[p * channels + channels - 1] = like.data[p * like.channels + from]!;
  }
  return { width: W, height: H, channels, bitDepth: like.bitDepth, data };
}

/**
 * A model-space perturbation (1, C, H, W) → pixel-space perturbation (H, W, C) in RGB order on the [0, 1]
 * scale: δpixel = δt·std (the mean cancels).
 */
export function modelDeltaToPixelDelta(delta: Float64Array, options: ModelInputOptions, size: { width: number; height: number }): Float64Array {
  const map = channelMap(options);
  const C = map.mean.length;
  const plane = size.width * size.height;
  if (delta.length !== C * plane) throw new RangeError(`Expected length ${C * plane} for delta but received length ${delta.length}`);
  const out = new Float64Array(delta.length);
  for (let c = 0; c < C; c++) {
    const dst = map.rgb[c]!, s = map.std[c]!, base = c * plane;
    for (let p = 0; p < plane; p++) out[p * C + dst] = delta[base + p]! * s;
  }
  return out;
}

/**
 * A gradient with respect to the model input (1, C, H, W) → the gradient with respect to the pixel
 * values (H, W, K) on the [0, 1] scale, K the image's colour channels: the transpose of
 * toModelTensor's linear part, g_pixel[y, x, src(c)] += g_model[c, y, x] / std_c (a gray image
 * feeding a 3-channel model collects all three).
 */
export function modelGradientToPixelGradient(grad: Float64Array | Float32Array, options: ModelInputOptions, image: { width: number; height: number; channels: 1 | 2 | 3 | 4 }): Float64Array {
  const map = channelMap(options);
  const C = map.mean.length;
  const plane = image.width * image.height;
  if (grad.length !== C * plane) throw new RangeError(`Expected length ${C * plane} for grad but received length ${grad.length}`);
  const colors = colorChannels(image);
  const out = new Float64Array(plane * colors);
  for (let c = 0; c < C; c++) {
    const dst = colors === 1 ? 0 : map.rgb[c]!, s = map.std[c]!, base = c * plane;
    for (let p = 0; p < plane; p++) out[p * colors + dst]! += grad[base + p]! / s;
  }
  return out;
}

/**
 * The valid pixel box [0, 1] in model space, per model channel: lower_c = −mean_c/std_c, upper_c = (1 − mean_c)/std_c.
 */
export function modelBox(options: ModelInputOptions): { lower: Float64Array; upper: Float64Array } {
  const map = channelMap(options);
  const C = map.mean.length;
  const lower = new Float64Array(C), upper = new Float64Array(C);
  for (let c = 0; c < C; c++) { lower[c] = (0 - map.mean[c]!) / map.std[c]!; upper[c] = (1 - map.mean[c]!) / map.std[c]!; }
  return { lower, upper };
}
