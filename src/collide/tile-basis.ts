// Tile-local null spaces of a convolution: an orthonormal basis of the vectors supported on a
// ph×pw pixel tile (all channels) that every output window touching the tile maps to 0. Such a
// vector, placed anywhere on the stride grid, is in ker(A_img) exactly: windows that do not touch
// the tile read zeros, and near the image border some touching windows do not exist (a subset of
// the rows). The tile operator is therefore the same for every placement, and one SVD at set-up
// serves every tile of every image. Used by the tile fit (tile-fit.ts).
import { convOperator } from '../linalg/conv.js';
import type { ConvGeometry } from '../linalg/geometry.js';
import { gemm } from '../linalg/gemm.js';
import { nullSpace } from '../linalg/nullspace.js';
import { nullSpaceQr } from '../linalg/nullspace-qr.js';
import type { ConvLayer } from './layer.js';

export interface TileBasis {
  /** tile height and width (pixels, multiples of the strides) */
  ph: number; pw: number;
  /** channels */
  c: number;
  /** tile entries, c·ph·pw (CHW within the tile) */
  n: number;
  /** local nullity: columns of the basis */
  k: number;
  /** (n, k) row-major: row j holds entry j of every basis vector; the k columns are orthonormal */
  bt: Float64Array;
  /** (k, n) row-major: the same basis, one vector per row */
  basis: Float64Array;
  /** (n, n) row-major: the tile's projector B Bᵀ onto the local null space */
  proj: Float64Array;
  /** rows of the tile operator (window outputs touching the tile) */
  rows: number;
  /** max over basis vectors of ‖M b‖ / ‖M‖₂ (M the tile operator): the basis' own exactness (on the QR path an upper
   *  bound: divided by a lower bound of ‖M‖₂) */
  residual: number;
  /** how the null space was found: pivoted QR with a rank certificate, or the SVD when the certificate failed */
  method: 'qr' | 'svd';
  /** the strides tiles must be placed on (origins are multiples of these) */
  sh: number; sw: number;
}

/**
 * The tile operator M (rows × c·ph·pw) of a conv geometry, dense: the outputs of every window that
 * reads a pixel of a tile placed at an origin on the stride grid, far from any border.
 * Internal; exported for the tests.
 */
export function tileOperator(g: ConvGeometry, weight: Float64Array, ph: number, pw: number): { m: Float64Array; rows: number; n: number } {
  const ekh = g.dh * (g.kh - 1) + 1; const ekw = g.dw * (g.kw - 1) + 1;
  // a margin of whole strides at least one window wide: every window touching the tile fits inside
  const mh = Math.ceil(ekh / g.sh) * g.sh + g.sh; const mw = Math.ceil(ekw / g.sw) * g.sw + g.sw;
  // tile origin (mh, mw) has the residue of origin 0 modulo the strides, as every placement does
  const vg: ConvGeometry = { ...g, h: ph + 2 * mh, w: pw + 2 * mw };
  const op = convOperator(weight, vg);
  const n = g.c * ph * pw;
  const all = new Float64Array(op.rows * n);
  const e = new Float64Array(op.cols); const col = new Float64Array(op.rows);
  for (let ch = 0, j = 0; ch < g.c; ch++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++, j++) {
    const at = (ch * vg.h + mh + y) * vg.w + mw + x;
    e[at] = 1; op.apply(e, col); e[at] = 0;
    for (let r = 0; r < op.rows; r++) all[r * n + j] = col[r]!;
  }
  // keep the rows that touch the tile
  const keep: number[] = [];
  for (let r = 0; r < op.rows; r++) { for (let j = 0; j < n; j++) if (all[r * n + j] !== 0) { keep.push(r); break; } }
  const m = new Float64Array(keep.length * n);
  keep.forEach((r, i) => m.set(all.subarray(r * n, (r + 1) * n), i * n));
  return { m, rows: keep.length, n };
}

/**
 * The tile null basis of a conv layer for ph×pw tiles.
 * @param ph, pw tile size in pixels; rounded up to multiples of the strides
 * @returns the basis (k may be 0: no local null space at this size)
 * @throws LinAlgError if the SVD does not converge
 *
 * Notes: the numerical null space of the dense tile operator under nullSpace's default rule
 * (σmax·max(m, n)·eps32), by pivoted QR of Mᵀ with a certificate that the rank is the rule's
 * (nullSpaceQr: ~0.15 s against ~2 s for the Jacobi SVD on the PP-OCR stem's 648 × 768 operator); when the certificate
 * fails — a singular value near the tolerance, or a pivoting that hid the rank — by the
 * one-sided Jacobi SVD (nullSpace), as before.
 */
export function tileBasis(layer: ConvLayer, ph: number, pw: number): TileBasis {
  const g = layer.geometry;
  ph = Math.ceil(ph / g.sh) * g.sh; pw = Math.ceil(pw / g.sw) * g.sw;
  const { m, rows, n } = tileOperator(g, layer.weight, ph, pw);
  const qr = nullSpaceQr(m, rows, n);
  let k: number, basis: Float64Array, residual: number;
  if (qr) ({ k, basis, residual } = qr);
  else {
    const ns = nullSpace(m, rows, n);
    ({ k, basis } = ns);
    residual = k && ns.s[0] ? maxRowNorm(gemm(basis, m, k, rows, n, { transB: true }), k, rows) / ns.s[0] : 0;
  }
  const bt = new Float64Array(n * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) bt[j * k + i] = basis[i * n + j]!;
  const proj = k ? gemm(bt, basis, n, n, k) : new Float64Array(n * n);
  return { ph, pw, c: g.c, n, k, bt, basis, proj, rows, residual, method: qr ? 'qr' : 'svd', sh: g.sh, sw: g.sw };
}

/** max_i ‖row i‖ of a (rows × cols) row-major. */
function maxRowNorm(a: Float64Array, rows: number, cols: number): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    let s2 = 0;
    for (let j = 0; j < cols; j++) s2 += a[i * cols + j]! * a[i * cols + j]!;
    worst = Math.max(worst, s2);
  }
  return Math.sqrt(worst);
}

/** Bases already computed (a few: the set-ups of one stream, and tests, repeat them), with the weights they came from. */
const cache: TileBasisEntry[] = [];
const CACHE_SIZE = 4;

/** The memo's entry for this key and these weights (compared in full). */
function memoised(key: string, w: Float64Array): TileBasisEntry | undefined {
  return cache.find((e) => e.key === key && e.weight.length === w.length && e.weight.every((v, i) => v === w[i]));
}

/** Adds an entry, the oldest leaving past CACHE_SIZE. */
function remember(e: TileBasisEntry): void {
  cache.push(e);
  if (cache.length > CACHE_SIZE) cache.shift();
}

/** tileBasis, memoised on the geometry, tile size and weights (compared in full). */
export function tileBasisFor(layer: ConvLayer, ph: number, pw: number): TileBasis {
  const key = `${JSON.stringify({ ...layer.geometry, h: 0, w: 0 })}|${ph}x${pw}`; // the image size does not enter
  const w = layer.weight;
  const hit = memoised(key, w);
  if (hit) return hit.tb;
  const tb = tileBasis(layer, ph, pw);
  remember({ key, weight: Float64Array.from(w), tb });
  return tb;
}

/** A memoised basis with the key and weights it was found for: what a worker thread is primed with. */
export interface TileBasisEntry { key: string; weight: Float64Array; tb: TileBasis }

/** The bases memoised so far (to hand to worker threads, whose own set-ups then skip the SVD). */
export function tileBasisEntries(): TileBasisEntry[] { return cache.slice(); }

/** Adds bases found elsewhere (tileBasisEntries of another thread) to this thread's memo. */
export function primeTileBases(entries: readonly TileBasisEntry[]): void {
  for (const e of entries) {
    if (!memoised(e.key, e.weight)) remember(e);
  }
}
