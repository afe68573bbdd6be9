// Which input pixels a convolution's windows read, axis by axis, from its geometry alone (the
// weights' values play no part): per output index the kernel taps that land inside the input,
// how often each input row/column is read, the pixels no window reads, and the pixels each output
// reads first (or last) — the bookkeeping behind the structural facts of conv-structure.ts.
import { outputSize, type ConvGeometry } from './geometry.js';

/** One axis: per output index, the kernel taps inside the input; per input index, how many outputs read it. */
export interface AxisTaps {
  /** taps[i]: the kernel offsets t (ascending) with i·stride − pad + t·dil inside [0, size) */
  taps: number[][];
  /** reads[x]: the number of outputs whose window covers input index x */
  reads: Int32Array;
}

/** For one axis: the taps of each output inside the input and how often each input index is read. */
export function axisTaps(size: number, pad: number, k: number, stride: number, dil: number, out: number): AxisTaps {
  const reads = new Int32Array(size);
  const taps: number[][] = [];
  for (let i = 0; i < out; i++) {
    const t: number[] = [];
    for (let j = 0; j < k; j++) {
      const x = i * stride - pad + j * dil;
      if (x >= 0 && x < size) { t.push(j); reads[x]++; }
    }
    taps.push(t);
  }
  return { taps, reads };
}

/**
 * Per output index along one axis: the kernel taps that land on pixels *new* at that output, i.e.
 * read by no output visited before it ('first': outputs in increasing order; 'last': decreasing).
 */
export function newTaps(size: number, pad: number, k: number, stride: number, dil: number, out: number, orientation: 'first' | 'last'): number[][] {
  const seen = new Uint8Array(size);
  const taps: number[][] = Array.from({ length: out }, () => []);
  const order = Array.from({ length: out }, (_, i) => (orientation === 'first' ? i : out - 1 - i));
  for (const i of order) {
    for (let t = 0; t < k; t++) {
      const x = i * stride - pad + t * dil;
      if (x >= 0 && x < size && !seen[x]) { seen[x] = 1; taps[i]!.push(t); }
    }
  }
  return taps;
}

/** Distinct tap patterns of an axis with how many outputs have each, in order of first appearance. */
export function tapPatterns(taps: number[][]): { taps: number[]; count: number }[] {
  const m = new Map<string, { taps: number[]; count: number }>();
  for (const t of taps) {
    const key = t.join(',');
    const p = m.get(key);
    if (p) p.count++; else m.set(key, { taps: t, count: 1 });
  }
  return [...m.values()];
}

/** What the windows of a convolution read, at its input size. */
export interface ConvReads {
  /** output height and width */
  oh: number; ow: number;
  /** A_img's columns c·h·w and rows outC·oh·ow */
  inDim: number; outDim: number;
  /** the height axis (rows of the image) and the width axis (columns) */
  rowTaps: AxisTaps; colTaps: AxisTaps;
  /** some input pixel is read by two windows (borders taken into account) */
  overlapping: boolean;
  /** (c·h·w) flattened CHW: 1 where some window reads the entry, 0 where none does */
  read: Uint8Array;
  readPixels: number;
  unreadPixels: number;
  /** inDim − min(outDim, readPixels): every unread pixel is a free direction, and rank ≤ min(outDim, readPixels) */
  countBound: number;
}

/**
 * The read pattern of a convolution's windows.
 * @param g the geometry at the real input size (trusted; see checkGeometry in im2col.ts)
 */
export function convReads(g: ConvGeometry): ConvReads {
  const { oh, ow } = outputSize(g);
  const inDim = g.c * g.h * g.w;
  const outDim = g.outC * oh * ow;
  const rowTaps = axisTaps(g.h, g.padTop, g.kh, g.sh, g.dh, oh);
  const colTaps = axisTaps(g.w, g.padLeft, g.kw, g.sw, g.dw, ow);
  const overlapping = rowTaps.reads.some((r) => r > 1) || colTaps.reads.some((r) => r > 1);
  const read = new Uint8Array(inDim);
  let readPixels = 0;
  for (let c = 0; c < g.c; c++) for (let y = 0; y < g.h; y++) for (let x = 0; x < g.w; x++) {
    if (rowTaps.reads[y]! > 0 && colTaps.reads[x]! > 0) { read[(c * g.h + y) * g.w + x] = 1; readPixels++; }
  }
  return {
    oh, ow, inDim, outDim, rowTaps, colTaps, overlapping, read, readPixels,
    unreadPixels: inDim - readPixels, countBound: inDim - Math.min(outDim, readPixels),
  };
}
