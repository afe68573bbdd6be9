// The Image record every src/image module passes around, and its validator. Browser-safe.
import { assertInt, invalidParameter } from '../core/errors.js';

/** Samples per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
export type Channels = 1 | 2 | 3 | 4;

/**
 * A decoded image. data is (height, width, channels) row-major, interleaved, values in [0, 1]
 * (a PNG sample k of an n-bit image is exactly k / (2^n − 1), so 8-bit data sits on the k/255 grid and
 * 16-bit on k/65535). bitDepth records the source precision (8 for PNG depths 1–8 and palettes, 16 for
 * 16-bit PNGs and for .npy arrays); encoders use it only as a default.
 */
export interface Image {
  width: number;
  height: number;
  channels: Channels;
  bitDepth: 8 | 16;
  data: Float64Array;
}

/** True when the last channel is alpha (gray+alpha or RGBA). */
export function hasAlpha(image: { channels: Channels }): boolean {
  return image.channels === 2 || image.channels === 4;
}

/** Colour channels without alpha: 1 or 3. */
export function colorChannels(image: { channels: Channels }): 1 | 3 {
  return image.channels <= 2 ? 1 : 3;
}

/** Throws TypeError/RangeError unless image is a well-formed Image (sizes, channels, data length). */
export function checkImage(name: string, image: Image): void {
  if (typeof image !== 'object' || image === null) throw invalidParameter(name, 'an Image record', image);
  assertInt(`${name}.width`, image.width, 1);
  assertInt(`${name}.height`, image.height, 1);
  if (![1, 2, 3, 4].includes(image.channels)) throw invalidParameter(`${name}.channels`, 'one of 1, 2, 3, 4', image.channels, RangeError);
  if (image.bitDepth !== 8 && image.bitDepth !== 16) throw invalidParameter(`${name}.bitDepth`, 'one of 8, 16', image.bitDepth, RangeError);
  if (!(image.data instanceof Float64Array)) throw invalidParameter(`${name}.data`, 'a Float64Array', image.data);
  const n = image.width * image.height * image.channels;
  if (image.data.length !== n) {
    throw new RangeError(`Expected length ${n} (${image.height}×${image.width}×${image.channels}) for ${name}.data but received length ${image.data.length}`);
  }
}
