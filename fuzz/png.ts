// Seeded, structure-aware PNG stream cases for the fuzzer: a valid stream of 1–3 small PNGs built here
// from the spec (every colour type and bit depth, Adam7, PLTE/tRNS, random filter bytes; independent of
// src/image), then 1–3 mutations that know the chunk layout — chunk lengths, CRCs, IHDR fields, zlib
// data, truncations, concatenations, interleaved garbage — with CRCs mostly repaired afterwards so that
// cases reach the decoder rather than stopping at the CRC check.
import { crc32, deflateSync } from 'node:zlib';
import { type Rng } from '../src/linalg/random.js';

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r.uniform() * (hi - lo + 1));
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r.uniform() * xs.length)]!;
export const bytesOf = (r: Rng, n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(r, 0, 255));

/** One chunk as parsed or to be written; crc undefined = compute it. */
export interface Chunk { length: number; type: string; data: Uint8Array; crc?: number }

export function chunkBytes(c: Chunk): Uint8Array {
  const out = new Uint8Array(12 + c.data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, c.length >>> 0);
  for (let i = 0; i < 4; i++) out[4 + i] = c.type.charCodeAt(i) & 0xff;
  out.set(c.data, 8);
  v.setUint32(8 + c.data.length, (c.crc ?? crc32(out.subarray(4, 8 + c.data.length))) >>> 0);
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

function u32(n: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n >>> 0); return b; }

/** A valid PNG as chunks: random size (1–12 × 1–12), colour type, depth, interlace and filter bytes. */
export function validPng(r: Rng, size?: { w: number; h: number }): Chunk[] {
  const w = size?.w ?? int(r, 1, 12), h = size?.h ?? int(r, 1, 12);
  const colorType = size ? pick(r, [0, 2, 6]) : pick(r, [0, 2, 3, 4, 6]);
  const depth = size ? 8 : pick(r, DEPTHS[colorType]!);
  const interlace = size ? 0 : r.uniform() < 0.25 ? 1 : 0;
  const spp = SAMPLES[colorType]!;
  const lineBytes = (width: number) => 1 + Math.ceil((width * spp * depth) / 8);
  const passes = interlace ? ADAM7.map(([x0, y0, dx, dy]) => [Math.ceil(Math.max(0, w - x0) / dx), Math.ceil(Math.max(0, h - y0) / dy)] as const) : [[w, h] as const];
  const raw: Uint8Array[] = [];
  for (const [pw, ph] of passes) {
    if (pw === 0 || ph === 0) continue;
    for (let y = 0; y < ph; y++) {
      const line = bytesOf(r, lineBytes(pw));
      line[0] = int(r, 0, 4);
      if (colorType === 3 && depth === 8) for (let i = 1; i < line.length; i++) line[i]! %= 4; // palette indices < 4
      if (colorType === 3 && depth < 8) line.fill(0, 1);
      raw.push(line);
    }
  }
  const ihdr = concat([u32(w), u32(h), Uint8Array.of(depth, colorType, 0, 0, interlace)]);
  const chunks: Chunk[] = [{ length: 13, type: 'IHDR', data: ihdr }];
  if (colorType === 3) {
    chunks.push({ length: 12, type: 'PLTE', data: bytesOf(r, 12) });
    if (r.uniform() < 0.5) chunks.push({ length: 2, type: 'tRNS', data: bytesOf(r, 2) });
  }
  if (r.uniform() < 0.2) chunks.push({ length: 4, type: 'tEXt', data: Uint8Array.of(0x61, 0, 0x62, 0x63) });
  const z = deflateSync(concat(raw));
  // sometimes split the zlib stream over two IDATs
  if (z.length > 8 && r.uniform() < 0.3) {
    const cut = int(r, 1, z.length - 1);
    chunks.push({ length: cut, type: 'IDAT', data: z.subarray(0, cut) }, { length: z.length - cut, type: 'IDAT', data: z.subarray(cut) });
  } else chunks.push({ length: z.length, type: 'IDAT', data: new Uint8Array(z) });
  chunks.push({ length: 0, type: 'IEND', data: new Uint8Array(0) });
  return chunks;
}

export const pngBytes = (chunks: Chunk[]): Uint8Array => concat([Uint8Array.from(SIG), ...chunks.map(chunkBytes)]);

const INTERESTING_U32 = [0, 1, 2, 7, 8, 13, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation = (r: Rng, png: Chunk[]) => string;

/** Mutations of one PNG's chunks (in place); each returns a short description. */
const CHUNK_MUTATIONS: Mutation[] = [
  function chunkLength(r, c) { const k = int(r, 0, c.length - 1); const v = r.uniform() < 0.5 ? pick(r, INTERESTING_U32) : c[k]!.length + int(r, -3, 3); c[k]!.length = v >>> 0; return `length of ${c[k]!.type} → ${v >>> 0}`; },
  function crc(r, c) { const k = int(r, 0, c.length - 1); c[k]!.crc = int(r, 0, 0xffffffff); return `bad CRC on ${c[k]!.type}`; },
  function ihdrField(r, c) {
    const h = c.find((x) => x.type === 'IHDR'); if (!h || h.data.length < 13) return 'no IHDR';
    const d = new Uint8Array(h.data); const v = new DataView(d.buffer);
    const f = int(r, 0, 6);
    if (f < 2) v.setUint32(f * 4, pick(r, INTERESTING_U32.concat([int(r, 0, 64), 5000, 50_000, 1_000_000])));
    else d[6 + f] = r.uniform() < 0.5 ? int(r, 0, 255) : pick(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32]);
    h.data = d; return `IHDR field ${f}`;
  },
  function zlibBytes(r, c) {
    const ids = c.filter((x) => x.type === 'IDAT'); if (ids.length === 0) return 'no IDAT';
    const k = pick(r, ids); const d = new Uint8Array(k.data);
    const n = int(r, 1, 4);
    for (let i = 0; i < n && d.length > 0; i++) d[int(r, 0, d.length - 1)] = int(r, 0, 255);
    k.data = d; k.length = d.length; return 'IDAT bytes flipped';
  },
  function zlibOther(r, c) {
    const k = c.find((x) => x.type === 'IDAT'); if (!k) return 'no IDAT';
    const which = int(r, 0, 3);
    // valid zlib of the wrong amount of data, of bad filter bytes, or a truncated / empty stream
    const raw = which === 0 ? bytesOf(r, int(r, 0, 600)) : which === 1 ? new Uint8Array(int(r, 0, 40)).fill(int(r, 5, 255)) : new Uint8Array(0);
    let z: Uint8Array = new Uint8Array(deflateSync(raw));
    if (which === 3) z = z.subarray(0, int(r, 0, z.length - 1));
    k.data = z; k.length = z.length; return `IDAT replaced (${which})`;
  },
  function drop(r, c) { const k = int(r, 0, c.length - 1); const [x] = c.splice(k, 1); return `dropped ${x!.type}`; },
  function duplicate(r, c) { const k = int(r, 0, c.length - 1); c.splice(int(r, 0, c.length), 0, { ...c[k]! }); return `duplicated ${c[k]!.type}`; },
  function swap(r, c) { const a = int(r, 0, c.length - 1), b = int(r, 0, c.length - 1); [c[a], c[b]] = [c[b]!, c[a]!]; return 'swapped chunks'; },
  function insert(r, c) {
    const type = pick(r, ['IEND', 'IHDR', 'PLTE', 'tRNS', 'zzZz', 'ABCD', 'abcd', 'IDAT', '\u0000\u0001\u0002\u0003']);
    const data = bytesOf(r, int(r, 0, 20));
    c.splice(int(r, 0, c.length), 0, { length: data.length, type, data }); return `inserted ${JSON.stringify(type)}`;
  },
  function chunkType(r, c) { const k = int(r, 0, c.length - 1); const t = c[k]!.type.split(''); t[int(r, 0, 3)] = String.fromCharCode(int(r, 0, 255)); c[k]!.type = t.join(''); return 'chunk type byte'; },
];

/** Mutations of the whole stream's bytes. */
const STREAM_MUTATIONS: ((r: Rng, b: Uint8Array) => [Uint8Array, string])[] = [
  (r, b) => { const n = int(r, 0, b.length - 1); return [b.subarray(0, n), `truncated at ${n}`]; },
  (r, b) => { const at = int(r, 0, b.length); return [concat([b.subarray(0, at), bytesOf(r, int(r, 1, 40)), b.subarray(at)]), `garbage at ${at}`]; },
  (r, b) => [concat([b, b.subarray(0, int(r, 0, b.length))]), 'concatenated with a prefix of itself'],
  (r, b) => { const d = new Uint8Array(b); const n = int(r, 1, 6); for (let i = 0; i < n; i++) d[int(r, 0, d.length - 1)] = int(r, 0, 255); return [d, 'random bytes flipped']; },
  (r, b) => [concat([b, Uint8Array.from(SIG)]), 'a lone signature at the end'],
];

export interface PngCase { bytes: Uint8Array; what: string[] }

/**
 * One fuzz case: a stream of 1–3 PNGs with mutations. With `size`, the unmutated images have that
 * size (so that the collide pipeline runs on the ones that survive).
 */
export function pngCase(r: Rng, size?: { w: number; h: number }): PngCase {
  const n = int(r, 1, 3);
  const images = Array.from({ length: n }, () => validPng(r, size && r.uniform() < 0.8 ? size : undefined));
  const what: string[] = [];
  const m = int(r, 1, 3);
  for (let i = 0; i < m; i++) {
    if (r.uniform() < 0.7) {
      const target = pick(r, images);
      const mut = pick(r, CHUNK_MUTATIONS);
      what.push(mut(r, target));
      // CRCs are computed when written (except a deliberately bad one); lengths are mostly repaired so
      // that the case gets past the chunk walker, unless the length was the mutation
      if (mut !== CHUNK_MUTATIONS[0] && r.uniform() < 0.8) for (const c of target) c.length = c.data.length;
    }
  }
  let bytes = concat(images.map(pngBytes));
  if (r.uniform() < 0.4) { const [b, w] = pick(r, STREAM_MUTATIONS)(r, bytes); bytes = b; what.push(w); }
  return { bytes, what };
}
