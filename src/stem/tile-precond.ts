// A block-Jacobi preconditioner for the stem's exact stage, (A_H D A_Hᵀ)⁻¹ ≈ blockdiag over tiles:
// the held rows of the conv output are grouped by T×T tiles of output positions, and each tile's
// Gram matrix A_T D A_Tᵀ (its rows over the kept pixels they read) is formed densely and factored
// once (WASM GEMM and Cholesky; a dependent row — two winners on the same few free pixels — is
// dropped, not a failure). Rows of neighbouring positions read most of the same pixels (a 7×7
// stride-2 window shares 5/7 of each side with the next one): they are the couplings the point
// Jacobi preconditioner misses and this one solves exactly within a tile.
import type { ConvGeometry } from '../linalg/geometry.js';
import { outputSize } from '../linalg/geometry.js';
import { gemm } from '../linalg/gemm.js';
import { bandCholeskyPtr, bandSolvePtr } from '../linalg/banded.js';
import { createCoreSync } from '../core/wasm.js';

/** Output positions per tile side. */
const TILE = 4;

/** Relative pivot below which a tile's row counts as dependent on its earlier rows (dropped). */
const DROP = 1e-10;

/**
 * The preconditioners of one image's exact stage: `(held, keep) ↦ M` with M r ≈ (A_H D A_Hᵀ)⁻¹ r,
 * zero off the held rows. Successive calls (the stage's rounds, which change a few rows and pixels)
 * refactor only the tiles whose held rows or kept pixels changed.
 * @param weight conv weight [outC, c, kh, kw] (one group)
 */
export function tilePreconditioners(weight: Float64Array, g: ConvGeometry): (held: Uint8Array, keep: Uint8Array) => (r: Float64Array, out: Float64Array) => void {
  const { oh, ow } = outputSize(g);
  const plane = oh * ow;
  const K = g.c * g.kh * g.kw;
  // the factors live in a core of their own for as long as the preconditioners do
  const fc = createCoreSync();
  const cache = new Map<number, { rows: Int32Array; sig: number; ptr: number; cap: number; ok: boolean }>();
  return (held, keep) => {
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
        const y0 = Math.max(0, ty * g.sh - g.padTop); const y1 = Math.min(g.h, (Math.min(oh, ty + TILE) - 1) * g.sh - g.padTop + (g.kh - 1) * g.dh + 1);
        const x0 = Math.max(0, tx * g.sw - g.padLeft); const x1 = Math.min(g.w, (Math.min(ow, tx + TILE) - 1) * g.sw - g.padLeft + (g.kw - 1) * g.dw + 1);
        let sig = 0;
        for (let ci = 0; ci < g.c; ci++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (keep[(ci * g.h + y) * g.w + x]) sig = (Math.imul(sig, 31) + (ci * g.h + y) * g.w + x) | 0;
        const key = ty * ow + tx;
        const n = rows.length;
        const old = cache.get(key);
        if (old && old.sig === sig && old.rows.length === n && old.rows.every((v, i) => v === rows[i])) {
          if (old.ok) { tiles.push({ rows: old.rows, ptr: old.ptr, n }); most = Math.max(most, n); }
          continue;
        }
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
        let scale = 0; for (let i = 0; i < n; i++) scale = Math.max(scale, gram[i * n + i]!);
        const ptr = old && old.cap >= n * n ? old.ptr : fc.alloc(n * n * 8);
        const entry = { rows: Int32Array.from(rows), sig, ptr, cap: old && old.cap >= n * n ? old.cap : n * n, ok: false };
        cache.set(key, entry);
        if (scale === 0) continue;
        // dense = band of half-width n − 1, rows of n entries (the layout of src/linalg/banded.ts)
        const band = fc.f64(ptr, n * n);
        for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) band[i * n + k - i + n - 1] = gram[i * n + k]!;
        // an indefinite tile (rounding beyond the drop rule) stays unpreconditioned (0)
        if (bandCholeskyPtr(fc, n, n - 1, n, ptr, DROP) !== 0) continue;
        entry.ok = true;
        tiles.push({ rows: entry.rows, ptr, n });
        most = Math.max(most, n);
      }
    }
    const rPtr = fc.alloc(most * 8); const workPtr = fc.alloc(most * 8); const outPtr = fc.alloc(most * 8);
    return (r, out) => {
      out.fill(0);
      for (const t of tiles) {
        const v = fc.f64(rPtr, t.n);
        for (let i = 0; i < t.n; i++) v[i] = r[t.rows[i]!]!;
        bandSolvePtr(fc, t.n, t.n - 1, t.n, t.ptr, 0, rPtr, workPtr, outPtr);
        const sol = fc.f64(outPtr, t.n);
        for (let i = 0; i < t.n; i++) out[t.rows[i]!] = sol[i]!;
      }
    };
  };
}
