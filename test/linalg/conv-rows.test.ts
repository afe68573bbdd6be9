// Selected rows of a conv (src/linalg/conv-rows.ts) against the whole-layer operator: the same
// entries of A x, and the adjoint by ⟨A_S x, y⟩ = ⟨x, A_Sᵀ y⟩ and against Aᵀ of y scattered to the
// full rows — over strides, paddings (asymmetric), dilations and masks from empty to full.
import t from 'tap';
import { convRows } from '../../src/linalg/conv-rows.js';
import { convOperator } from '../../src/linalg/conv.js';
import { rng } from '../../src/linalg/random.js';
import type { ConvGeometry } from '../../src/linalg/geometry.js';

const geos: Array<Partial<ConvGeometry>> = [
  { kh: 7, kw: 7, sh: 2, sw: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 },
  { kh: 11, kw: 11, sh: 4, sw: 4, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 },
  { kh: 3, kw: 2, sh: 1, sw: 2, dh: 2, dw: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 },
  { kh: 1, kw: 1, sh: 1, sw: 1 },
];

t.test('convRows equals the selected rows of convOperator, and its adjoint is exact', async (t) => {
  const r = rng(5);
  for (const geo of geos) {
    const g: ConvGeometry = { c: 3, h: 23, w: 26, outC: 6, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1, ...geo };
    const w = Float64Array.from({ length: g.outC * g.c * g.kh * g.kw }, () => r.normal());
    const full = convOperator(w, g);
    for (const share of [0, 0.12, 1]) {
      const sel = Uint8Array.from({ length: full.rows }, () => (r.uniform() < share ? 1 : 0));
      const { op, index } = convRows(w, g, sel);
      const x = Float64Array.from({ length: full.cols }, () => r.normal());
      const y = Float64Array.from({ length: op.rows }, () => r.normal());
      const ax = full.apply(x); const sx = op.apply(x);
      let fwd = 0; let scale = 1e-300;
      for (let k = 0; k < op.rows; k++) { fwd = Math.max(fwd, Math.abs(sx[k]! - ax[index[k]!]!)); scale = Math.max(scale, Math.abs(ax[index[k]!]!)); }
      const yf = new Float64Array(full.rows); for (let k = 0; k < op.rows; k++) yf[index[k]!] = y[k]!;
      const aty = full.applyT(yf); const sty = op.applyT(y);
      let adj = 0; let ascale = 1e-300; for (let i = 0; i < full.cols; i++) { adj = Math.max(adj, Math.abs(aty[i]! - sty[i]!)); ascale = Math.max(ascale, Math.abs(aty[i]!)); }
      let l = 0; let rr = 0; for (let k = 0; k < op.rows; k++) l += sx[k]! * y[k]!; for (let i = 0; i < full.cols; i++) rr += x[i]! * sty[i]!;
      const sorted = index.every((v, k) => k === 0 || (v % (full.rows / g.outC)) >= (index[k - 1]! % (full.rows / g.outC)));
      const count = sel.reduce((s, v) => s + v, 0);
      t.ok(op.rows === count && sorted && fwd <= 1e-13 * scale && adj <= 1e-13 * ascale && Math.abs(l - rr) <= 1e-12 * (Math.abs(l) + 1),
        `${g.kh}×${g.kw}/${g.sh}×${g.sw} d${g.dh}×${g.dw}, ${count} of ${full.rows} rows: forward ${(fwd / scale).toExponential(1)}, adjoint ${(adj / ascale).toExponential(1)}, ⟨Ax,y⟩−⟨x,Aᵀy⟩ ${Math.abs(l - rr).toExponential(1)}`);
    }
  }
});
