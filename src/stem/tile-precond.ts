// A block-Jacobi preconditioner for the stem's exact stage, (A_H D A_Hᵀ)⁻¹ ≈ blockdiag over tiles:
// the held rows of the conv output are grouped by T×T tiles of output positions, and each tile's
// Gram matrix A_T D A_Tᵀ (its rows over the kept pixels they read) is formed densely and factored
// once (WASM GEMM and Cholesky; a dependent row — two winners on the same few free pixels — is
// dropped, not a failure). Rows of neighbouring positions read most of the same pixels (a 7×7
// stride-2 window shares 5/7 of each side with the next one): they are the couplings the point
// Jacobi preconditioner misses and this one solves exactly within a tile.
// A tile's Gram is read off a table of window overlaps (assembly/conv_gram.ts: the inner product
// of two rows depends only on their channels and offset) less the few pixels the tile's windows
// miss (padding, held pixels), a rank-one term each; a tile that misses many (a clipped region)
// takes the dense rows and a GEMM instead. Both give the same matrix; the table is ~10× cheaper
// where most pixels are free, and most tiles are.
import type { ConvGeometry } from '../linalg/geometry.js';
import { outputSize } from '../linalg/geometry.js';
import { gemm } from '../linalg/gemm.js';
import { bandCholeskyPtr } from '../linalg/banded.js';
import { createCoreSync, type Core } from '../core/wasm.js';

/** Output positions per tile side. */
const TILE = 4;

/** Relative pivot below which a tile's row counts as dependent on its earlier rows (dropped). */
const DROP = 1e-10;

/**
 * The preconditioners of one image's exact stage: `(held, keep) ↦ M` with M r ≈ (A_H D A_Hᵀ)⁻¹ r,
 * zero off the held rows — over all rows of A, or, given `index` (the held rows in the order of a
 * compact vector: index[k] = row of A), over the held rows alone. Successive calls (the stage's rounds, which change a few rows and pixels)
 * refactor only the tiles whose held rows or kept pixels changed.
 * @param weight conv weight [outC, c, kh, kw] (one group)
 * @param precision 'f32': the factors are kept and solved in float32 (half the bytes the solve streams, about
 *   twice as fast; for solves to moderate accuracy); factored in float64 either way
 */
export function tilePreconditioners(weight: Float64Array, g: ConvGeometry, precision: 'f64' | 'f32' = 'f64'): (held: Uint8Array, keep: Uint8Array, index?: Int32Array) => (r: Float64Array, out: Float64Array) => void {
  const { oh, ow } = outputSize(g);
  const plane = oh * ow;
  // the factors live in a core of their own for as long as the preconditioners do
  const fc = createCoreSync();
  const gram = tileGrams(fc, weight, g);
  const cache = new Map<number, { rows: Int32Array; sig: number; ptr: number; cap: number; ok: boolean; ptr32: number }>();
  return (held, keep, index) => {
    const tiles: { rows: Int32Array; ptr: number; n: number }[] = [];
    let most = 0;
    for (let ty = 0; ty < oh; ty += TILE) {
      for (let tx = 0; tx < ow; tx += TILE) {
        const rows: number[] = [];
        for (let c = 0; c < g.outC; c++) {
          for (let py = ty; py < Math.min(oh, ty + TILE); py++) for (let px = tx; px < Math.min(ow, tx + TILE); px++) {
            const j = c * plane + py * ow + px;
            if (held[j]) rows.push(j);
          }
        }
        if (!rows.length) continue;
        // the tile's pixel footprint, and a signature of its kept pixels
        const { y0, y1, x0, x1 } = footprint(g, oh, ow, ty, tx);
        let sig = 0;
        for (let ci = 0; ci < g.c; ci++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (keep[(ci * g.h + y) * g.w + x]) sig = (Math.imul(sig, 31) + (ci * g.h + y) * g.w + x) | 0;
        const key = ty * ow + tx;
        const n = rows.length;
        const old = cache.get(key);
        if (old && old.sig === sig && old.rows.length === n && old.rows.every((v, i) => v === rows[i])) {
          if (old.ok) { tiles.push({ rows: old.rows, ptr: precision === 'f32' ? old.ptr32 : old.ptr, n }); most = Math.max(most, n); }
          continue;
        }
        const ptr = old && old.cap >= n * n ? old.ptr : fc.alloc(n * n * 8);
        const entry = { rows: Int32Array.from(rows), sig, ptr, cap: old && old.cap >= n * n ? old.cap : n * n, ok: false, ptr32: old && old.cap >= n * n ? old.ptr32 : 0 };
        cache.set(key, entry);
        gram(rows, keep, ty, tx, ptr);
        const band = fc.f64(ptr, n * n);
        let scale = 0; for (let i = 0; i < n; i++) scale = Math.max(scale, band[i * n + n - 1]!);
        if (!(scale > 0)) continue;
        // an indefinite tile (rounding beyond the drop rule) stays unpreconditioned (0)
        if (bandCholeskyPtr(fc, n, n - 1, n, ptr, DROP) !== 0) continue;
        entry.ok = true;
        if (precision === 'f32') {
          // dense row-major float32 copy of L (the band layout's row i starts at i·n + n − 1 − i)
          if (!entry.ptr32) entry.ptr32 = fc.alloc(entry.cap * 4);
          const L = fc.f64(ptr, n * n); const L32 = fc.f32(entry.ptr32, n * n);
          for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) L32[i * n + k] = L[i * n + n - 1 - i + k]!;
        }
        tiles.push({ rows: entry.rows, ptr: precision === 'f32' ? entry.ptr32 : ptr, n });
        most = Math.max(most, n);
      }
    }
    // every tile's solve in one call: its rows as positions in the vectors M is applied to (the
    // full rows, or the held rows' compact order when `index` is given)
    const len = index ? index.length : held.length;
    let posOf: Int32Array | undefined;
    if (index) { posOf = new Int32Array(held.length).fill(-1); for (let k = 0; k < index.length; k++) posOf[index[k]!] = k; }
    let total = 0; for (const t of tiles) total += t.n;
    const nPtr = fc.alloc(tiles.length * 4); const lPtrs = fc.alloc(tiles.length * 4); const permPtr = fc.alloc(total * 4);
    const rPtr = fc.alloc(len * 8); const outPtr = fc.alloc(len * 8); const workPtr = fc.alloc(most * 8);
    {
      const ns = fc.i32(nPtr, tiles.length); const ls = fc.i32(lPtrs, tiles.length); const perm = fc.i32(permPtr, total);
      let o = 0;
      tiles.forEach((t, i) => {
        ns[i] = t.n; ls[i] = t.ptr;
        for (let k = 0; k < t.n; k++) perm[o + k] = posOf ? posOf[t.rows[k]!]! : t.rows[k]!;
        o += t.n;
      });
    }
    return (r, out) => {
      fc.f64(rPtr, len).set(r);
      if (precision === 'f32') fc.kernels.bandSolveBlocksF32(tiles.length, nPtr, lPtrs, permPtr, rPtr, workPtr, outPtr, len);
      else fc.kernels.bandSolveBlocksF64(tiles.length, nPtr, lPtrs, permPtr, rPtr, workPtr, outPtr, len);
      out.set(fc.f64(outPtr, len));
    };
  };
}

/**
 * The input pixels the windows of the tile at output (ty, tx) cover: Y0…Y1, X0…X1 inclusive in the
 * unpadded image's coordinates (reaching into the padding), and y0…y1, x0…x1 (end exclusive) clipped to it.
 */
function footprint(g: ConvGeometry, oh: number, ow: number, ty: number, tx: number) {
  const Y0 = ty * g.sh - g.padTop; const Y1 = (Math.min(oh, ty + TILE) - 1) * g.sh - g.padTop + (g.kh - 1) * g.dh;
  const X0 = tx * g.sw - g.padLeft; const X1 = (Math.min(ow, tx + TILE) - 1) * g.sw - g.padLeft + (g.kw - 1) * g.dw;
  return { Y0, Y1, X0, X1, y0: Math.max(0, Y0), y1: Math.min(g.h, Y1 + 1), x0: Math.max(0, X0), x1: Math.min(g.w, X1 + 1) };
}

/**
 * The Gram builder of one conv (one group) on core `fc`: `(rows, keep, ty, tx, ptr)` writes
 * A_T D A_Tᵀ — rows j (channel·plane + position) of the tile at output (ty, tx), D the kept pixels —
 * as the lower band of half-width n − 1, n entries a row (src/linalg/banded.ts), at ptr.
 * `dense` forces the GEMM path (the reference the table path is tested against).
 */
export function tileGrams(fc: Core, weight: Float64Array, g: ConvGeometry, dense = false): (rows: number[], keep: Uint8Array, ty: number, tx: number, ptr: number) => 'table' | 'dense' {
  const { oh, ow } = outputSize(g);
  const plane = oh * ow;
  const K = g.c * g.kh * g.kw;
  // the overlap table (outC² × offsets), and scratch for one tile's rows and missed pixels
  const ry = Math.floor((g.kh - 1) * g.dh / g.sh); const rx = Math.floor((g.kw - 1) * g.dw / g.sw);
  const tableLen = g.outC * g.outC * (2 * ry + 1) * (2 * rx + 1);
  const maxRows = g.outC * TILE * TILE;
  const fhMax = (TILE - 1) * g.sh + (g.kh - 1) * g.dh + 1; const fwMax = (TILE - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const useTable = tableLen <= 8 * 1024 * 1024;
  const wPtr = fc.put(weight);
  const tPtr = useTable ? fc.alloc(tableLen * 8) : 0;
  if (useTable) fc.kernels.convGramTableF64(wPtr, g.outC, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, ry, rx, tPtr);
  const rowsPtr = fc.alloc(maxRows * 3 * 4); const pixPtr = fc.alloc(g.c * fhMax * fwMax * 3 * 4);
  const idxPtr = fc.alloc(maxRows * 4); const valPtr = fc.alloc(maxRows * 8);
  return (rows, keep, ty, tx, ptr) => {
    const n = rows.length;
    // the pixels the tile's windows would read on an unbounded input that it does not: padding, held pixels
    const { Y0, Y1, X0, X1, y0, y1, x0, x1 } = footprint(g, oh, ow, ty, tx);
    const all = g.c * (Y1 - Y0 + 1) * (X1 - X0 + 1);
    const missed = useTable && !dense ? fc.i32(pixPtr, 3 * all) : undefined;
    let nm = 0;
    if (missed) {
      for (let ci = 0; ci < g.c; ci++) for (let y = Y0; y <= Y1; y++) for (let x = X0; x <= X1; x++) {
        if (y >= 0 && y < g.h && x >= 0 && x < g.w && keep[(ci * g.h + y) * g.w + x]) continue;
        missed[3 * nm] = ci; missed[3 * nm + 1] = y; missed[3 * nm + 2] = x; nm++;
      }
    }
    if (missed && 3 * nm <= all) {
      const rt = fc.i32(rowsPtr, 3 * n);
      rows.forEach((j, r) => { const p = j % plane; rt[3 * r] = Math.floor(j / plane); rt[3 * r + 1] = Math.floor(p / ow); rt[3 * r + 2] = p % ow; });
      fc.kernels.convGramRowsF64(n, rowsPtr, tPtr, g.outC, ry, rx, ptr, n, n - 1);
      fc.kernels.convGramDowndateF64(n, rowsPtr, wPtr, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft, pixPtr, nm, idxPtr, valPtr, ptr, n, n - 1);
      return 'table';
    }
    {
      const fh = y1 - y0; const fw = x1 - x0; const fp = g.c * fh * fw;
      const a = new Float64Array(n * fp);
      rows.forEach((j, r) => {
        const c = Math.floor(j / plane); const p = j % plane; const py = Math.floor(p / ow); const px = p % ow;
        for (let ci = 0; ci < g.c; ci++) for (let ky = 0; ky < g.kh; ky++) {
          const y = py * g.sh - g.padTop + ky * g.dh;
          if (y < 0 || y >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const x = px * g.sw - g.padLeft + kx * g.dw;
            if (x < 0 || x >= g.w || !keep[(ci * g.h + y) * g.w + x]) continue;
            a[r * fp + (ci * fh + (y - y0)) * fw + (x - x0)] = weight[c * K + (ci * g.kh + ky) * g.kw + kx]!;
          }
        }
      });
      const gram = gemm(a, a, n, n, fp, { transB: true });
      // dense = band of half-width n − 1, rows of n entries (the layout of src/linalg/banded.ts)
      const band = fc.f64(ptr, n * n);
      for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) band[i * n + k - i + n - 1] = gram[i * n + k]!;
      return 'dense';
    }
  };
}
