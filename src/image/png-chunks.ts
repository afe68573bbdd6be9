// Walks the chunks of one PNG file held in memory, validating it as untrusted input before anything is
// inflated: signature, chunk lengths against budgets derived from IHDR, CRC-32 of every chunk, chunk
// order, unknown critical chunks, and width × height against maxPixels. Resumable, so the stream
// splitter (png-split.ts) can feed it bytes as they arrive. Browser-safe. Internal: PngScanner.
import { InputError } from '../core/errors.js';
import { crc32 } from './crc32.js';

/** The 8-byte PNG file signature. */
export const PNG_SIGNATURE: Readonly<Uint8Array> = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Default limit on width × height (50 megapixels). */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** Default limit on the total size of ancillary chunks (text, ICC profile, Exif…) in one image. */
export const DEFAULT_MAX_ANCILLARY_BYTES = 16 * 1024 * 1024;

/** The IHDR fields. colorType: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  interlace: 0 | 1;
}

/** Limits applied to untrusted PNG input. */
export interface PngLimits {
  /** Largest accepted width × height; default 50e6. */
  maxPixels?: number;
  /** Largest accepted total of ancillary chunk payloads per image; default 16 MiB. */
  maxAncillaryBytes?: number;
}

/** Valid bit depths per colour type (PNG spec, table 11.1). */
const DEPTHS: Readonly<Record<number, readonly number[]>> = Object.freeze({
  0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
});
/** Samples per pixel per colour type. */
export const SAMPLES: Readonly<Record<number, number>> = Object.freeze({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 });

const MAX_CHUNK_LENGTH = 0x7fffffff;

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** "900", "10000", "50.3": megapixels with three significant digits. */
function megapixels(n: number): string {
  return String(Number((n / 1e6).toPrecision(3)));
}

/** Bytes of filtered, uncompressed scanlines (what IDAT inflates to), with Adam7's extra filter bytes. */
export function rawImageBytes(h: PngHeader): number {
  const bitsPerPixel = SAMPLES[h.colorType]! * h.bitDepth;
  const rows = h.height * (1 + Math.ceil((h.width * bitsPerPixel) / 8));
  return h.interlace ? rows + 7 * h.height + 64 : rows;
}

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Exact size of the inflated IDAT stream: filter byte plus packed samples per scanline, per Adam7 pass if interlaced. */
export function inflatedSize(h: PngHeader): number {
  const bitsPerPixel = SAMPLES[h.colorType]! * h.bitDepth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!h.interlace) return rows(h.width, h.height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy));
  return total;
}

/**
 * Resumable validator of one PNG image at the start of a byte buffer.
 * Call scan(buf, len) with ever longer prefixes of the same image; it returns the image's byte length
 * once IEND has been read, or -1 if more bytes are needed. Every fault throws InputError("<location>: …").
 */
export class PngScanner {
  /** The parsed IHDR, once seen. */
  header: PngHeader | undefined;
  /** Offset and total length (with length, type and CRC fields) of the tRNS chunk, if any. */
  trns: { offset: number; length: number } | undefined;
  /** Payload offset and length of every IDAT chunk, in order. */
  readonly idat: { offset: number; length: number }[] = [];
  private pos = 0;
  private checkedAt = -1;
  private chunks = 0;
  private idatBytes = 0;
  private idatLimit = 0;
  private ancillaryBytes = 0;
  private sawPlte = false;
  private sawIdat = false;
  private current = '';
  private readonly maxPixels: number;
  private readonly maxAncillary: number;

  constructor(readonly location: string, limits: PngLimits = {}) {
    this.maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
    this.maxAncillary = limits.maxAncillaryBytes ?? DEFAULT_MAX_ANCILLARY_BYTES;
  }

  private fail(message: string): never {
    throw new InputError(`${this.location}: ${message}`);
  }

  /** Returns the image length when complete, else -1. buf[0, len) must be the image's first len bytes. */
  scan(buf: Uint8Array, len: number): number {
    if (this.pos === 0) {
      const n = Math.min(len, 8);
      for (let i = 0; i < n; i++) if (buf[i] !== PNG_SIGNATURE[i]) this.fail('not a PNG file (bad signature)');
      if (len < 8) return -1;
      this.pos = 8;
    }
    for (;;) {
      if (len - this.pos < 8) {
        this.current = '';
        return -1;
      }
      const at = this.pos;
      const length = readU32(buf, at);
      const c0 = buf[at + 4]!, c1 = buf[at + 5]!, c2 = buf[at + 6]!, c3 = buf[at + 7]!;
      if (!isLetter(c0) || !isLetter(c1) || !isLetter(c2) || !isLetter(c3)) {
        const hex = [c0, c1, c2, c3].map((c) => c.toString(16).padStart(2, '0')).join('');
        this.fail(`bad chunk type 0x${hex} at byte ${at + 4} (corrupt data)`);
      }
      const type = String.fromCharCode(c0, c1, c2, c3);
      this.current = type;
      if (this.checkedAt !== at) {
        this.checkChunkHeader(type, length);
        this.checkedAt = at;
      }
      if (len - at < 12 + length) return -1;
      const stored = readU32(buf, at + 8 + length);
      const computed = crc32(buf, at + 4, at + 8 + length);
      if (stored !== computed) {
        this.fail(`bad CRC in ${type} chunk (stored 0x${stored.toString(16).padStart(8, '0')}, ` +
          `computed 0x${computed.toString(16).padStart(8, '0')})`);
      }
      this.chunks++;
      this.pos = at + 12 + length;
      if (type === 'IHDR') this.readHeader(buf, at + 8);
      else if (type === 'tRNS') this.trns = { offset: at, length: 12 + length };
      else if (type === 'IDAT') this.idat.push({ offset: at + 8, length });
      else if (type === 'IEND') {
        if (!this.sawIdat) this.fail('no IDAT chunk before IEND');
        return this.pos;
      }
    }
  }

  /** Checks a chunk's type and declared length before its payload is buffered. */
  private checkChunkHeader(type: string, length: number): void {
    if (length > MAX_CHUNK_LENGTH) this.fail(`${type} chunk declares ${length} bytes (more than 2^31 - 1)`);
    if (this.chunks === 0) {
      if (type !== 'IHDR') this.fail(`first chunk is ${type}, expected IHDR`);
      if (length !== 13) this.fail(`IHDR chunk has length ${length}, expected 13`);
      return;
    }
    const h = this.header!;
    const critical = (type.charCodeAt(0) & 0x20) === 0;
    switch (type) {
      case 'IHDR':
        this.fail('second IHDR chunk');
        break;
      case 'PLTE':
        if (this.sawPlte) this.fail('second PLTE chunk');
        if (this.sawIdat) this.fail('PLTE chunk after IDAT');
        if (h.colorType === 0 || h.colorType === 4) this.fail(`PLTE chunk in a colour type ${h.colorType} image`);
        if (length === 0 || length % 3 !== 0 || length > 768) this.fail(`PLTE chunk has length ${length}`);
        if (h.colorType === 3 && length / 3 > 2 ** h.bitDepth) {
          this.fail(`PLTE chunk has ${length / 3} entries, more than ${2 ** h.bitDepth} for bit depth ${h.bitDepth}`);
        }
        this.sawPlte = true;
        break;
      case 'IDAT':
        if (h.colorType === 3 && !this.sawPlte) this.fail('palette image without a PLTE chunk before IDAT');
        this.sawIdat = true;
        this.idatBytes += length;
        if (this.idatBytes > this.idatLimit) {
          this.fail(`IDAT chunks total more than ${this.idatLimit} bytes, too many for a ${h.width}×${h.height} image`);
        }
        break;
      case 'IEND':
        if (length !== 0) this.fail(`IEND chunk has length ${length}, expected 0`);
        break;
      default:
        if (critical) this.fail(`unknown critical chunk "${type}" (a decoder must not ignore it)`);
        this.ancillaryBytes += length;
        if (this.ancillaryBytes > this.maxAncillary) {
          this.fail(`ancillary chunks total more than ${this.maxAncillary} bytes (at ${type})`);
        }
    }
  }

  /** Parses and validates IHDR, then refuses oversize images before any pixel data is read. */
  private readHeader(buf: Uint8Array, at: number): void {
    const width = readU32(buf, at);
    const height = readU32(buf, at + 4);
    const bitDepth = buf[at + 8]!, colorType = buf[at + 9]!;
    const compression = buf[at + 10]!, filter = buf[at + 11]!, interlace = buf[at + 12]!;
    if (width === 0 || height === 0 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
      this.fail(`IHDR declares invalid size ${width}×${height}`);
    }
    const depths = DEPTHS[colorType];
    if (!depths) this.fail(`IHDR declares unknown colour type ${colorType}`);
    if (!depths.includes(bitDepth)) this.fail(`IHDR declares bit depth ${bitDepth}, invalid for colour type ${colorType}`);
    if (compression !== 0) this.fail(`IHDR declares unknown compression method ${compression}`);
    if (filter !== 0) this.fail(`IHDR declares unknown filter method ${filter}`);
    if (interlace > 1) this.fail(`IHDR declares unknown interlace method ${interlace}`);
    const pixels = width * height;
    if (pixels > this.maxPixels) {
      this.fail(`${width}×${height} = ${megapixels(pixels)} megapixels exceeds --max-pixels ${this.maxPixels}`);
    }
    this.header = {
      width, height,
      bitDepth: bitDepth as PngHeader['bitDepth'],
      colorType: colorType as PngHeader['colorType'],
      interlace: interlace as PngHeader['interlace'],
    };
    // Deflate can expand incompressible data; 2× plus 1 MiB is far above any real encoder's output.
    this.idatLimit = 2 * rawImageBytes(this.header) + (1 << 20);
  }

  /** The InputError for an input that ended after len bytes of this image. */
  truncated(len: number): InputError {
    const where = len < 8 ? 'inside the PNG signature'
      : this.current ? `inside the ${this.current} chunk`
        : len > this.pos ? `inside the header of chunk ${this.chunks + 1}`
          : `after ${this.chunks} complete chunk${this.chunks === 1 ? '' : 's'}, before IEND`;
    return new InputError(`${this.location}: image is truncated (input ended after ${len} bytes, ${where})`);
  }
}
