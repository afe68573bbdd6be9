// tileBasis' pivoted-QR path (nullSpaceQr) against an independent reference: for conv geometries
// of stride 1 and 2, kernels 2–5, 1–8 channels, groups and dilation, tiles 8–20, the tile
// operator is built here by naive convolutions of unit vectors (a tile in the interior of an
// image) and its null space by the Jacobi SVD; the QR basis must have the same nullity, span
// the same subspace, be orthonormal and be mapped to ≤ 1e-13·‖M‖₂. A layer with a singular value
// at the rank tolerance must fall back to the SVD.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { tileBasis } from '../../src/collide/tile-basis.js';
import { convGeometry, type ConvGeometry } from '../../src/linalg/geometry.js';
import { nullSpace } from '../../src/linalg/nullspace.js';
import { defaultTolerance } from '../../src/linalg/tolerance.js';
import { rng } from '../../src/linalg/random.js';
import { loadFirstLayer } from '../../src/collide/model-layer.js';
import { naiveConv } from '../linalg/naive.js';
import { orthogonal } from '../linalg/svd-fixtures.js';
import { ppocrModelPath } from '../helpers/ppocr.js';
import type { ConvLayer } from '../../src/collide/layer.js';

function layerOf(g: ConvGeometry, seed: number): ConvLayer {
  const r = rng(seed);
  return { kind: 'conv', weight: Float64Array.from({ length: g.outC * (g.c / g.groups) * g.kh * g.kw }, () => r.normal()), geometry: g };
}

/** The tile's operator by naive convolutions: a ph×pw tile at a stride-aligned origin with room for every window around it; zero rows dropped. */
function naiveTileMatrix(l: ConvLayer, ph: number, pw: number): { m: Float64Array; rows: number; n: number } {
  const g0 = l.geometry;
  const my = Math.ceil((g0.dh * (g0.kh - 1) + 1) / g0.sh + 1) * g0.sh, mx = Math.ceil((g0.dw * (g0.kw - 1) + 1) / g0.sw + 1) * g0.sw;
  const h = ph + 2 * my, w = pw + 2 * mx;
  const g = { ...g0, h, w };
  const n = g.c * ph * pw;
  const cols: Float64Array[] = [];
  for (let ch = 0; ch < g.c; ch++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) {
    const e = new Float64Array(g.c * h * w); e[(ch * h + my + y) * w + mx + x] = 1;
    cols.push(naiveConv(e, l.weight, g));
  }
  const keep: number[] = [];
  for (let r = 0; r < cols[0]!.length; r++) if (cols.some((c) => c[r] !== 0)) keep.push(r);
  const m = new Float64Array(keep.length * n);
  keep.forEach((r, i) => { for (let j = 0; j < n; j++) m[i * n + j] = cols[j]![r]!; });
  return { m, rows: keep.length, n };
}

/** Largest eigenvalue magnitude of a symmetric (k × k) matrix by power iteration: ‖S‖₂. */
function symNorm(s: Float64Array, k: number): number {
  let v = Float64Array.from({ length: k }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  let lam = 0;
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) { let d = 0; for (let j = 0; j < k; j++) d += s[i * k + j]! * v[j]!; w[i] = d; }
    const nw = Math.hypot(...w);
    if (nw === 0) return 0;
    lam = nw / Math.hypot(...v);
    v = w.map((x) => x / nw);
  }
  return lam;
}

function check(t: Test, label: string, l: ConvLayer, p: number, wantQr = true) {
  const tb = tileBasis(l, p, p);
  const { m, rows, n } = naiveTileMatrix(l, tb.ph, tb.pw);
  const ref = nullSpace(m, rows, n);
  t.equal(tb.n, n, `${label}: tile entries`);
  if (wantQr) t.equal(tb.method, 'qr', `${label}: certified by the pivoted QR`);
  t.equal(tb.k, ref.k, `${label}: nullity ${ref.k} as the SVD's`);
  const k = tb.k;
  // ‖BBᵀ − I‖₂ over the basis rows
  const e = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) {
    let d = 0; for (let j = 0; j < n; j++) d += tb.basis[a * n + j]! * tb.basis[b * n + j]!;
    e[a * k + b] = e[b * k + a] = d - (a === b ? 1 : 0);
  }
  const orth = symNorm(e, k);
  t.ok(orth <= 1e-14, `${label}: ‖BᵀB − I‖₂ = ${orth.toExponential(1)}`);
  // ‖P − P_svd‖_F (≥ the largest sine of the principal angles)
  let dp = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let q = 0; for (let a = 0; a < ref.k; a++) q += ref.basis[a * n + i]! * ref.basis[a * n + j]!;
    dp += (i === j ? 1 : 2) * (tb.proj[i * n + j]! - q) ** 2;
  }
  dp = Math.sqrt(dp);
  t.ok(dp <= 1e-12, `${label}: ‖P − P_svd‖_F = ${dp.toExponential(1)}`);
  let worst = 0;
  for (let a = 0; a < k; a++) {
    let s2 = 0;
    for (let r = 0; r < rows; r++) { let d = 0; for (let j = 0; j < n; j++) d += m[r * n + j]! * tb.basis[a * n + j]!; s2 += d * d; }
    worst = Math.max(worst, Math.sqrt(s2));
  }
  const res = ref.s[0] ? worst / ref.s[0] : 0;
  t.ok(res <= 1e-13 && tb.residual <= 1e-13, `${label}: max ‖M b‖/‖M‖₂ = ${res.toExponential(1)} (reported ${tb.residual.toExponential(1)})`);
  return tb;
}

const G = (o: Partial<ConvGeometry> & Pick<ConvGeometry, 'c' | 'outC' | 'kh' | 'kw' | 'sh' | 'sw'>) => convGeometry({ h: 0, w: 0, padTop: 0, padLeft: 0, ...o });
const cases: Array<[string, ConvGeometry, number]> = [
  ['3×3/2 pad 1, 8←3', G({ c: 3, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }), 12],
  ['2×2/2, 4←3', G({ c: 3, outC: 4, kh: 2, kw: 2, sh: 2, sw: 2 }), 8],
  ['2×2/1, 2←8', G({ c: 8, outC: 2, kh: 2, kw: 2, sh: 1, sw: 1 }), 8],
  ['3×3/1 dilation 2, 3←8', G({ c: 8, outC: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padTop: 2, padLeft: 2 }), 9],
  ['3×3/2 dilation 2, groups 3, 6←3', G({ c: 3, outC: 6, kh: 3, kw: 3, sh: 2, sw: 2, dh: 2, dw: 2, groups: 3, padTop: 2, padLeft: 1 }), 10],
  ['4×4/2 dilation 2, groups 2, 4←2', G({ c: 2, outC: 4, kh: 4, kw: 4, sh: 2, sw: 2, dh: 2, dw: 2, groups: 2 }), 20],
  ['5×5/2 pad 2, 8←4', G({ c: 4, outC: 8, kh: 5, kw: 5, sh: 2, sw: 2, padTop: 2, padLeft: 2 }), 14],
  ['3×2 strides 1×2, 1←1', G({ c: 1, outC: 1, kh: 3, kw: 2, sh: 1, sw: 2 }), 12],
  ['4×4/2, groups 4, 4←4 (depthwise)', G({ c: 4, outC: 4, kh: 4, kw: 4, sh: 2, sw: 2, groups: 4 }), 16],
];

t.test('the QR basis against the SVD of the naive tile operator', (t) => {
  let nonzero = 0;
  for (const [label, g, p] of cases) if (check(t, `${label}, ${p}×${p}`, layerOf(g, 17), p).k > 0) nonzero++;
  t.ok(nonzero >= cases.length - 1, `${nonzero} of ${cases.length} geometries have a local null space`);
  t.end();
});

t.test('the PP-OCR classifier\'s stem at 16×16 tiles (the collider\'s): 648 × 768, nullity 163', { skip: !ppocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx') && 'model missing' }, (t) => {
  const bytes = new Uint8Array(readFileSync(ppocrModelPath('ch_ppocr_mobile_v2.0_cls_infer.onnx')!));
  const l = loadFirstLayer(bytes, { size: { h: 48, w: 192 } }).spec as ConvLayer;
  const tb = check(t, 'PP-OCR cls', l, 16);
  t.equal(tb.rows, 648); t.equal(tb.k, 163);
  t.end();
});

t.test('a singular value at the rank tolerance: the SVD decides (1×1 conv, W with σ₃ = 2·tol)', (t) => {
  // A 1×1 conv's tile operator is W once per pixel: its singular values are W's, 64 times each.
  const c = 4, p = 8, n = c * p * p;
  const tol = defaultTolerance(1, n, n);
  const u = orthogonal(c, 3), v = orthogonal(c, 4);
  const s = [1, 0.6, 2 * tol, 0];
  const weight = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) for (let l = 0; l < c; l++) weight[i * c + j] += u[i * c + l]! * s[l]! * v[j * c + l]!;
  const l: ConvLayer = { kind: 'conv', weight, geometry: G({ c, outC: c, kh: 1, kw: 1, sh: 1, sw: 1 }) };
  const tb = check(t, '1×1 conv near the tolerance', l, p, false);
  t.equal(tb.method, 'svd', 'not certified: the SVD path');
  t.equal(tb.k, p * p, 'nullity: the one zero singular value per pixel (σ₃ = 2·tol counts toward the rank)');
  t.end();
});
