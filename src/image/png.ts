// PNG ↔ Image. Decoding validates the file with PngScanner (signature, CRCs, critical chunks, size
// limits), inflates the image data once with an output cap to check its exact size, and only then lets
// pngjs decode; the channel layout the PNG declares is recovered from IHDR (pngjs always hands back RGBA).
// Encoding writes gray / gray+alpha / RGB / RGBA at 8 or 16 bits. Browser-safe given pngjs's own
// requirements (a Buffer and a zlib shim in bundles).
import pngjs from 'pngjs';
// The same 'zlib' pngjs itself requires (Node's, or the bundler's shim in a browser).
import { inflateSync } from 'zlib';
import { InputError, invalidParameter } from '../core/errors.js';
import { checkImage, hasAlpha, type Channels, type Image } from './image.js';
import { PngScanner, inflatedSize, type PngLimits } from './png-chunks.js';

const { PNG } = pngjs;

/** Options of decodePng. */
export interface DecodePngOptions extends PngLimits {
  /** Names the input in error messages ("a.png", "stdin:image 3"); default "png". */
  location?: string;
}

/** Options of encodePng. */
export interface EncodePngOptions {
  /** Sample depth written; default image.bitDepth. */
  bitDepth?: 8 | 16;
  /** zlib level 0–9; default 6 (9 is ~2× slower for a few % smaller files). */
  deflateLevel?: number;
}

/** PNG colour type written for each channel count. */
const COLOR_TYPE: Readonly<Record<Channels, 0 | 2 | 4 | 6>> = Object.freeze({ 1: 0, 2: 4, 3: 2, 4: 6 });

/** Returns bytes without the chunk at [offset, offset + length). */
function withoutChunk(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(bytes.length - length);
  out.set(bytes.subarray(0, offset));
  out.set(bytes.subarray(offset + length), offset);
  return out;
}

/**
 * Inflates the IDAT stream once with an output cap and checks it has exactly the size IHDR implies. pngjs
 * does not: for Adam7 images it inflates without a limit (a small IDAT could expand without bound), and a
 * short stream is padded with uninitialized memory instead of being refused.
 */
function checkInflatedSize(bytes: Uint8Array, scanner: PngScanner, location: string): void {
  const header = scanner.header!;
  const expected = inflatedSize(header);
  const total = scanner.idat.reduce((a, c) => a + c.length, 0);
  // a Buffer, because the browser's zlib shim (browserify-zlib) accepts nothing else
  const z = Buffer.alloc(total);
  let at = 0;
  for (const c of scanner.idat) { z.set(bytes.subarray(c.offset, c.offset + c.length), at); at += c.length; }
  let size: number;
  try {
    size = inflateSync(z, { maxOutputLength: expected }).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InputError(`${location}: image data inflates to more than the ${expected} bytes a ${header.width}×${header.height} image needs`);
    }
    throw new InputError(`${location}: cannot decode PNG (${(err as Error).message})`, { cause: err });
  }
  if (size < expected) throw new InputError(`${location}: image data is too short (inflates to ${size} of ${expected} bytes)`);
}

/**
 * Decodes one PNG file.
 *
 * Returns an Image with the PNG's own layout: colour type 0 → 1 channel, 4 → 2, 2 → 3, 6 → 4, palette →
 * 3 (or 4 when tRNS gives palette alpha). Values are k / (2^depth − 1): bit depths 1, 2, 4 and 8 land
 * exactly on the k/255 grid (bitDepth 8), 16-bit samples on k/65535 (bitDepth 16).
 *
 * Notes: a tRNS colour key on a gray or RGB image is ignored (pngjs would zero the keyed pixels' colour,
 * which is not the image's data); gAMA and colour profiles are not applied — samples are used as stored.
 *
 * @throws InputError "<location>: …" for anything malformed: not a PNG, bad CRC, unknown critical chunk,
 * truncated data, bytes after IEND, width × height above maxPixels (checked before inflating), bad zlib data.
 */
export function decodePng(bytes: Uint8Array, options: DecodePngOptions = {}): Image {
  const location = options.location ?? 'png';
  const scanner = new PngScanner(location, options);
  const end = scanner.scan(bytes, bytes.length);
  if (end < 0) throw scanner.truncated(bytes.length);
  if (end < bytes.length) {
    throw new InputError(`${location}: ${bytes.length - end} bytes after the IEND chunk (several PNGs in one file? read it as a stream)`);
  }
  const header = scanner.header!;
  checkInflatedSize(bytes, scanner, location);
  let input = bytes;
  if (scanner.trns && header.colorType !== 3) input = withoutChunk(bytes, scanner.trns.offset, scanner.trns.length);

  // CRCs were verified by the scanner; pngjs need not recompute them.
  let decoded: { data: Uint8Array | Uint16Array };
  try {
    decoded = PNG.sync.read(Buffer.from(input.buffer, input.byteOffset, input.byteLength), { skipRescale: true, checkCRC: false }) as unknown as { data: Uint8Array | Uint16Array };
  } catch (err) {
    throw new InputError(`${location}: cannot decode PNG (${(err as Error).message})`, { cause: err });
  }

  const { width, height, bitDepth, colorType } = header;
  const channels: Channels = colorType === 0 ? 1 : colorType === 4 ? 2 : colorType === 2 ? 3
    : colorType === 6 ? 4 : scanner.trns ? 4 : 3;
  const src = decoded.data;
  const n = width * height;
  if (src.length < 4 * n) throw new InputError(`${location}: cannot decode PNG (pixel data too short)`);
  const data = new Float64Array(n * channels);
  // Low depths: k·(255 / (2^d − 1)) is an integer, so dividing by 255 gives the k/255 grid value itself.
  const stretch = colorType === 3 || bitDepth === 16 ? 1 : 255 / (2 ** bitDepth - 1);
  const max = bitDepth === 16 ? 65535 : 255;
  for (let p = 0, o = 0; p < n; p++) {
    const s = 4 * p;
    if (channels <= 2) {
      data[o++] = (src[s]! * stretch) / max;
      if (channels === 2) data[o++] = (src[s + 3]! * stretch) / max;
    } else {
      data[o++] = (src[s]! * stretch) / max;
      data[o++] = (src[s + 1]! * stretch) / max;
      data[o++] = (src[s + 2]! * stretch) / max;
      if (channels === 4) data[o++] = (src[s + 3]! * stretch) / max;
    }
  }
  return { width, height, channels, bitDepth: bitDepth === 16 ? 16 : 8, data };
}

/**
 * Encodes an Image as PNG: 1/2/3/4 channels become colour types 0/4/2/6, at bitDepth 8 or 16.
 *
 * Rounding: sample = Math.round(v · (2^depth − 1)) (round half up), so every value already on the grid
 * (k/255, k/65535) is written exactly; values outside [0, 1] are clamped — clip explicitly beforehand and
 * measure it with clipFraction if that matters.
 *
 * @throws TypeError/RangeError for a malformed image, a bad option, or a non-finite sample.
 */
export function encodePng(image: Image, options: EncodePngOptions = {}): Uint8Array {
  checkImage('image', image);
  const bitDepth = options.bitDepth ?? image.bitDepth;
  if (bitDepth !== 8 && bitDepth !== 16) throw invalidParameter('bitDepth', 'one of 8, 16', bitDepth, RangeError);
  const level = options.deflateLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw invalidParameter('deflateLevel', 'an integer between 0 and 9', level, RangeError);
  const { width, height, channels, data } = image;
  const max = bitDepth === 16 ? 65535 : 255;
  const samples = bitDepth === 16 ? new Uint16Array(data.length) : new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`image.data contains a non-finite value (${v}) at index ${i}`);
    const q = Math.round(v * max);
    samples[i] = q < 0 ? 0 : q > max ? max : q;
  }
  const colorType = COLOR_TYPE[channels];
  const buffer = Buffer.from(samples.buffer, 0, samples.byteLength);
  const png = { width, height, data: buffer };
  return PNG.sync.write(png as unknown as InstanceType<typeof PNG>, {
    bitDepth, colorType, inputColorType: colorType, inputHasAlpha: hasAlpha(image), deflateLevel: level,
  });
}
