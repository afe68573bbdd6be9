import t from 'tap';
import { randomGeometry } from './random-geometry.js';
import { axisReach, convBandDirect, convRowOrder, fillConvBand } from '../../src/linalg/normal-band.js';
import { convGeometry, outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { randn } from '../../src/linalg/random.js';
import { naiveConv } from './naive.js';

const EPS = 2 ** -52;


/** A·Aᵀ by naive loops: A's columns from naiveConv of unit images. */
function naiveNormal(w: Float64Array, g: ConvGeometry): { aat: Float64Array; rows: number } {
  const cols = g.c * g.h * g.w;
  const colsOfA: Float64Array[] = [];
  const e = new Float64Array(cols);
  for (let j = 0; j < cols; j++) { e[j] = 1; colsOfA.push(naiveConv(e, w, g)); e[j] = 0; }
  const rows = colsOfA[0]!.length;
  const aat = new Float64Array(rows * rows);
  for (const c of colsOfA) for (let i = 0; i < rows; i++) if (c[i] !== 0) for (let k = 0; k < rows; k++) aat[i * rows + k] += c[i]! * c[k]!;
  return { aat, rows };
}

t.test('axisReach(k, s, dil, len) is the largest output distance at which two windows share a pixel', (t) => {
  t.equal(axisReach(3, 2, 1, 24), 1, '3×3 stride 2');
  t.equal(axisReach(7, 2, 1, 100), 3, '7×7 stride 2');
  t.equal(axisReach(3, 3, 1, 10), 0, 'stride = kernel: disjoint');
  t.equal(axisReach(3, 2, 2, 10), 2, 'dilation 2, stride 2: taps 0, 2, 4 meet at distances 1 and 2');
  t.equal(axisReach(2, 2, 3, 10), 0, 'dilation 3, stride 2: taps 0 and 3 would meet 1.5 windows away, never');
  t.equal(axisReach(3, 2, 3, 10), 3, 'dilation 3, stride 2: taps 0 and 6 meet 3 windows away');
  t.equal(axisReach(5, 1, 1, 3), 2, 'capped by the output length');
  t.end();
});

t.test('convBandDirect and fillConvBand write the band of P·A·Aᵀ·Pᵀ equal to A·Aᵀ from naive loops, and nothing lies outside the band', (t) => {
  for (let s = 0; s < 24; s++) {
    const g = randomGeometry(s);
    const { oh, ow } = outputSize(g);
    const w = randn(g.outC * (g.c / g.groups) * g.kh * g.kw, 100 + s);
    const { aat, rows } = naiveNormal(w, g);
    const { perm, bandwidth: b } = convRowOrder(g, oh, ow);
    const ld = b + 1;
    let diag = 0;
    for (let i = 0; i < rows; i++) diag = Math.max(diag, aat[i * rows + i]!);
    const label = `${g.c}→${g.outC}/${g.groups} ${g.h}×${g.w} k${g.kh}×${g.kw} s${g.sh},${g.sw} d${g.dh},${g.dw} pad ${g.padTop},${g.padLeft},${g.padBottom},${g.padRight}`;
    for (const [name, fill] of [['direct', convBandDirect], ['probing', fillConvBand]] as const) {
      const band = new Float64Array(rows * ld).fill(NaN); // stale contents: both must clear the band first
      const maxDiag = fill(w, g, oh, ow, perm, b, ld, () => band);
      let err = 0, outside = 0, scale = 0;
      for (let p = 0; p < rows; p++) for (let q = 0; q < rows; q++) {
        const ref = aat[perm[p]! * rows + perm[q]!]!;
        scale = Math.max(scale, Math.abs(ref));
        if (Math.abs(p - q) > b) { outside = Math.max(outside, Math.abs(ref)); continue; }
        const got = q <= p ? band[p * ld + q - p + b]! : band[q * ld + p - q + b]!;
        err = Math.max(err, Math.abs(got - ref));
      }
      t.ok(err <= 16 * EPS * scale && outside === 0 && Math.abs(maxDiag - diag) <= 16 * EPS * diag,
        `${name}, ${label}: b ${b} of ${rows} rows, |band − AAᵀ| ${(err / scale).toExponential(2)}, outside ${outside}`);
    }
  }
  t.end();
});

t.test('convRowOrder puts the shorter output side fast: half-bandwidth (outC/groups)·(short side + 2) − 1 for a 3×3 stride-2 conv', (t) => {
  const g = convGeometry({ c: 3, h: 48, w: 192, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
  const { perm, bandwidth } = convRowOrder(g, 24, 96);
  t.equal(bandwidth, 8 * 26 - 1);
  t.same(Array.from(perm.subarray(0, 10)), [0, 2304, 4608, 6912, 9216, 11520, 13824, 16128, 96, 2400], 'channels innermost, then y');
  const tall = convRowOrder({ ...g, h: 192, w: 48 }, 96, 24);
  t.equal(tall.bandwidth, 8 * 26 - 1, 'the same band when the image is transposed');
  t.equal(convRowOrder({ ...g, kh: 2, kw: 2 }, 24, 96).bandwidth, 7, 'disjoint windows: one position per block');
  t.end();
});

