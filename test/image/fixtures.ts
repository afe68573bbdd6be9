// Test helpers: a minimal, independent PNG writer (zlib + zlib.crc32, no pngjs and no src/image code), so
// the decoder and the chunk walker are checked against files built from the spec, including the kinds
// pngjs cannot write (palette, 1/2/4-bit, tRNS, Adam7), and against deliberately broken files.
import { crc32, deflateSync } from 'node:zlib';

export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC (computed by zlib). */
export function chunk(type: string, data: Uint8Array = new Uint8Array(0), length = data.length): Buffer {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(length >>> 0, 0);
  b.write(type, 4, 'latin1');
  b.set(data, 8);
  b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return b;
}

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0); d.writeUInt32BE(height, 4);
  d[8] = bitDepth; d[9] = colorType; d[10] = 0; d[11] = 0; d[12] = interlace;
  return chunk('IHDR', d);
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Packs one scanline of samples (MSB first for depths < 8, big-endian for 16) with filter byte 0. */
function scanline(samples: number[], depth: number): Buffer {
  const bytes = Buffer.alloc(1 + Math.ceil((samples.length * depth) / 8));
  if (depth === 16) samples.forEach((s, i) => bytes.writeUInt16BE(s, 1 + 2 * i));
  else if (depth === 8) samples.forEach((s, i) => { bytes[1 + i] = s; });
  else samples.forEach((s, i) => { const bit = i * depth; bytes[1 + (bit >> 3)] |= s << (8 - depth - (bit & 7)); });
  return bytes;
}

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

export interface RawPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Samples, row-major, interleaved (palette: indices). */
  samples: number[];
  palette?: number[][];
  trns?: Uint8Array;
  interlace?: 0 | 1;
  /** Extra chunks inserted before IDAT. */
  extra?: Buffer[];
}

/** Builds a PNG file from raw samples. */
export function makePng(p: RawPng): Buffer {
  const spp = SAMPLES[p.colorType]!;
  const pixel = (x: number, y: number) => p.samples.slice((y * p.width + x) * spp, (y * p.width + x + 1) * spp);
  const lines: Buffer[] = [];
  if (p.interlace) {
    for (const [x0, y0, dx, dy] of ADAM7) {
      if (x0 >= p.width || y0 >= p.height) continue;
      for (let y = y0; y < p.height; y += dy) {
        const row: number[] = [];
        for (let x = x0; x < p.width; x += dx) row.push(...pixel(x, y));
        lines.push(scanline(row, p.bitDepth));
      }
    }
  } else {
    for (let y = 0; y < p.height; y++) lines.push(scanline(p.samples.slice(y * p.width * spp, (y + 1) * p.width * spp), p.bitDepth));
  }
  const parts = [SIGNATURE, ihdr(p.width, p.height, p.bitDepth, p.colorType, p.interlace ?? 0)];
  if (p.palette) parts.push(chunk('PLTE', Buffer.from(p.palette.flat())));
  if (p.trns) parts.push(chunk('tRNS', p.trns));
  if (p.extra) parts.push(...p.extra);
  const z = deflateSync(Buffer.concat(lines));
  // Split IDAT in two to exercise multi-chunk image data.
  const half = Math.floor(z.length / 2);
  parts.push(chunk('IDAT', z.subarray(0, half)), chunk('IDAT', z.subarray(half)), chunk('IEND'));
  return Buffer.concat(parts);
}

/** Seeded PRNG (mulberry32) for reproducible test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offsets of each chunk in a PNG file: [{type, offset, length}] (offset of the length field). */
export function chunksOf(png: Uint8Array): { type: string; offset: number; length: number }[] {
  const out = [];
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at < b.length;) {
    const length = b.readUInt32BE(at);
    out.push({ type: b.toString('latin1', at + 4, at + 8), offset: at, length });
    at += 12 + length;
  }
  return out;
}
