// The stem preconditioner's tile Grams (src/stem/tile-precond.ts) against the definition: each
// row of the conv operator built pixel by pixel (stride, padding, dilation as ONNX Conv), held
// pixels dropped, inner products by plain loops. Both paths — the overlap table less the missed
// pixels, and the dense rows' GEMM — must give that matrix, at interior and border tiles, with
// few and many held pixels.
import t from 'tap';
import { tileGrams } from '../../src/stem/tile-precond.js';
import { createCoreSync } from '../../src/core/wasm.js';
import { outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';

function naiveRow(w: Float64Array, g: ConvGeometry, j: number, keep: Uint8Array): Float64Array {
  const { oh, ow } = outputSize(g);
  const c = Math.floor(j / (oh * ow)); const p = j % (oh * ow); const py = Math.floor(p / ow); const px = p % ow;
  const row = new Float64Array(g.c * g.h * g.w);
  for (let ci = 0; ci < g.c; ci++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
    const y = py * g.sh - g.padTop + ky * g.dh; const x = px * g.sw - g.padLeft + kx * g.dw;
    if (y < 0 || y >= g.h || x < 0 || x >= g.w) continue;
    const i = (ci * g.h + y) * g.w + x;
    if (keep[i]) row[i] = w[((c * g.c + ci) * g.kh + ky) * g.kw + kx]!;
  }
  return row;
}

const geometries: Array<Partial<ConvGeometry> & { name: string }> = [
  { name: '7×7/2 pad 3 (ResNet)', kh: 7, kw: 7, sh: 2, sw: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 },
  { name: '11×11/4 pad 2 (AlexNet)', kh: 11, kw: 11, sh: 4, sw: 4, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 },
  { name: '3×3/1 dilation 2, asymmetric pad', kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1 },
  { name: '5×3 stride 3×2 dilation 2×1', kh: 5, kw: 3, sh: 3, sw: 2, dh: 2, dw: 1, padTop: 2, padLeft: 1, padBottom: 2, padRight: 1 },
];

t.test('tile Grams by the overlap table and by GEMM equal the Gram of the rows by definition', async (t) => {
  const r = rng(11);
  const paths = { table: 0, dense: 0 };
  for (const geo of geometries) {
    const g: ConvGeometry = { c: 3, h: 29, w: 31, outC: 5, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1, ...geo };
    const { oh, ow } = outputSize(g);
    const w = Float64Array.from({ length: g.outC * g.c * g.kh * g.kw }, () => r.normal());
    const fc = createCoreSync();
    const table = tileGrams(fc, w, g); const dense = tileGrams(fc, w, g, true);
    for (const heldShare of [0, 0.05, 0.6]) {
      const keep = Uint8Array.from({ length: g.c * g.h * g.w }, () => (r.uniform() < heldShare ? 0 : 1));
      // an interior tile, a corner tile and the last (partial) one
      for (const [ty, tx] of [[4, 4], [0, 0], [Math.floor((oh - 1) / 4) * 4, Math.floor((ow - 1) / 4) * 4]] as const) {
        const rows: number[] = [];
        for (let c = 0; c < g.outC; c++) for (let y = ty; y < Math.min(oh, ty + 4); y++) for (let x = tx; x < Math.min(ow, tx + 4); x++) if (r.uniform() < 0.5) rows.push((c * oh + y) * ow + x);
        const n = rows.length;
        if (!n) continue;
        const naive = rows.map((j) => naiveRow(w, g, j, keep));
        let scale = 0; for (const a of naive) scale = Math.max(scale, a.reduce((s, v) => s + v * v, 0));
        const worst = { table: 0, dense: 0 };
        for (const [name, build] of [['table', table], ['dense', dense]] as const) {
          const ptr = fc.alloc(n * n * 8);
          const path = build(rows, keep, ty, tx, ptr);
          paths[path]++;
          const band = fc.f64(ptr, n * n);
          for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) {
            let s = 0; const a = naive[i]!; const b = naive[k]!;
            for (let q = 0; q < a.length; q++) s += a[q]! * b[q]!;
            worst[name] = Math.max(worst[name], Math.abs(band[i * n + k - i + n - 1]! - s) / scale);
          }
        }
        t.ok(worst.table <= 1e-13 && worst.dense <= 1e-13, `${geo.name}, ${heldShare * 100}% held, tile (${ty}, ${tx}), ${n} rows: table ${worst.table.toExponential(1)}, GEMM ${worst.dense.toExponential(1)}`);
      }
    }
  }
  // both paths were exercised (the table where few pixels are missed, GEMM where many are, or forced)
  t.ok(paths.table > 0 && paths.dense > 0, `paths taken: ${JSON.stringify(paths)}`);
});
