// Image ↔ .npy: the lossless form of x' (float64, H×W×C, values on the [0, 1] scale). Browser-safe.
import { InputError } from '../core/errors.js';
import { DEFAULT_MAX_PIXELS } from './png-chunks.js';
import { checkImage, type Channels, type Image } from './image.js';
import { readNpy, writeNpy } from './npy.js';

/** Serializes an image as a float64 .npy array of shape (height, width, channels), values as stored. */
export function imageToNpy(image: Image): Uint8Array {
  checkImage('image', image);
  return writeNpy(image.data, [image.height, image.width, image.channels]);
}

/**
 * Reads a .npy array as an Image: shape (H, W) is gray, (H, W, C) with C ∈ {1, 2, 3, 4} keeps C channels.
 * Float arrays are taken as [0, 1] values unchanged (bitDepth 16); '|u1' is divided by 255 (bitDepth 8),
 * '<u2' by 65535 (bitDepth 16).
 *
 * @throws InputError "<location>: …" for a bad file, a shape that is not an image, more than maxPixels
 * pixels, or a non-finite value.
 */
export function npyToImage(bytes: Uint8Array, location = 'npy', maxPixels = DEFAULT_MAX_PIXELS): Image {
  const { data, shape, dtype } = readNpy(bytes, location);
  const [height, width, c = 1] = shape;
  if ((shape.length !== 2 && shape.length !== 3) || ![1, 2, 3, 4].includes(c) || !height || !width) {
    throw new InputError(`${location}: .npy shape (${shape.join(', ')}) is not an image (expected (H, W) or (H, W, C) with C in 1..4)`);
  }
  if (height * width > maxPixels) throw new InputError(`${location}: ${width}×${height} exceeds --max-pixels ${maxPixels}`);
  const scale = dtype === '|u1' ? 255 : dtype === '<u2' ? 65535 : 1;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new InputError(`${location}: .npy array holds a non-finite value (${v}) at index ${i}`);
    out[i] = scale === 1 ? v : v / scale;
  }
  return { width, height, channels: c as Channels, bitDepth: dtype === '|u1' ? 8 : 16, data: out };
}
