import t from 'tap';
import { qr } from '../../src/linalg/qr.js';
import { randn } from '../../src/linalg/random.js';
import { colOrthogonality, frob } from './svd-fixtures.js';
import { core } from '../../src/core/index.js';
import { readRows, svdKernels } from '../../src/linalg/svd-kernels.js';

t.test('A = Q·R with orthonormal Q and upper-triangular R (tall, square, wide; f64 and f32; 150×100 and 70×130 take the blocked path)', (t) => {
  for (const [m, n] of [[30, 7], [9, 9], [5, 12], [1, 4], [4, 1], [3, 3], [150, 100], [70, 130]] as const) {
    const a = randn(m * n, m + 10 * n);
    for (const prec of ['f64', 'f32'] as const) {
      const bound = (prec === 'f64' ? 1e-14 : 1e-6) * (Math.min(m, n) >= 64 ? 10 : 1);
      const { q, r } = qr(a, m, n, { precision: prec });
      const k = Math.min(m, n);
      t.equal(q.length, m * k);
      t.equal(r.length, k * n);
      t.ok(colOrthogonality(q, m, k) <= bound, `${m}×${n} ${prec}: QᵀQ = I`);
      let below = 0;
      for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) below = Math.max(below, Math.abs(r[i * n + j]!));
      t.equal(below, 0, `${m}×${n} ${prec}: R upper triangular`);
      const d = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += q[i * k + l]! * r[l * n + j]!;
        d[i * n + j] = s - a[i * n + j]!;
      }
      t.ok(frob(d) <= bound * frob(a), `${m}×${n} ${prec}: ‖A − QR‖/‖A‖ = ${(frob(d) / frob(a)).toExponential(2)}`);
    }
  }
  t.end();
});

t.test('qr of a matrix with a zero column and of the zero matrix', (t) => {
  const a = randn(6 * 3, 4);
  for (let i = 0; i < 6; i++) a[i * 3 + 1] = 0;
  const { q } = qr(a, 6, 3);
  t.ok(colOrthogonality(q, 6, 3) <= 1e-14);
  const z = qr(new Float64Array(8), 4, 2);
  t.ok(colOrthogonality(z.q, 4, 2) <= 1e-15);
  t.same(Array.from(z.r), [0, 0, 0, 0]);
  t.end();
});

// The kernel directly: X (len × k) as k columns of stride ld, factored with panel width nb
// (0: unblocked); R (kr × k, row-major) and Q's first kr columns (len × kr, row-major) read back.
function factor(a: Float64Array, len: number, k: number, prec: 'f64' | 'f32', nb: number): { r: Float64Array; q: Float64Array } {
  const K = svdKernels(prec);
  const kr = Math.min(k, len);
  const ld = Math.ceil(len / 4) * 4;
  return core.scoped(() => {
    const x = K.zeros(k * ld);
    const xv = prec === 'f64' ? core.f64(x, k * ld) : core.f32(x, k * ld);
    for (let j = 0; j < k; j++) for (let i = 0; i < len; i++) xv[j * ld + i] = a[i * k + j]!;
    const tau = core.alloc(kr * 8), rdiag = core.alloc(kr * 8);
    K.qrHouse(x, k, len, ld, tau, rdiag, nb);
    const rt = K.zeros(k * kr);
    K.qrR(x, k, kr, ld, rdiag, rt, kr);
    const rtv = readRows(prec, rt, k, kr, kr); // row j = column j of R
    const r = new Float64Array(kr * k);
    for (let i = 0; i < kr; i++) for (let j = 0; j < k; j++) r[i * k + j] = rtv[j * kr + i]!;
    const y = K.zeros(kr * ld);
    K.setDiagonal(y, ld, 0, kr);
    K.qrApply(x, kr, len, ld, tau, y, kr, ld);
    const yv = readRows(prec, y, kr, len, ld); // row i = Q e_i
    const q = new Float64Array(len * kr);
    for (let i = 0; i < kr; i++) for (let l = 0; l < len; l++) q[l * kr + i] = yv[i * len + l]!;
    return { r, q };
  });
}

t.test('blocked Householder QR agrees with the unblocked one (partial panels, len < nb, wide, rank-deficient, tiny column)', (t) => {
  // [len, k, nb, kind]; kind: 'rand', 'zero' (two zero columns), 'tiny' (one column scaled 1e-200,
  // 1e-30 in f32), 'dep' (the last columns exact combinations of earlier ones)
  const cases = [
    [37, 13, 4, 'rand'], [40, 16, 4, 'rand'], [10, 7, 16, 'rand'], [6, 20, 8, 'rand'], [20, 45, 8, 'rand'],
    [150, 100, 32, 'rand'], [70, 70, 32, 'rand'], [33, 33, 8, 'rand'], [64, 200, 32, 'rand'],
    [50, 30, 8, 'zero'], [50, 30, 8, 'tiny'], [120, 90, 32, 'tiny'], [60, 40, 8, 'dep'], [25, 60, 8, 'dep'],
  ] as const;
  for (const [len, k, nb, kind] of cases) {
    const base = randn(len * k, len * 1000 + k);
    for (const prec of ['f64', 'f32'] as const) {
      const a = base.slice();
      const kr = Math.min(k, len);
      let det = kr; // leading columns of Q (rows of R) that the input determines
      if (kind === 'zero') for (let i = 0; i < len; i++) { a[i * k + 3] = 0; a[i * k + 11] = 0; }
      if (kind === 'tiny') for (let i = 0; i < len; i++) a[i * k + 5]! *= prec === 'f64' ? 1e-200 : 1e-30;
      if (kind === 'dep') {
        det = kr - 3;
        for (let j = det; j < k; j++) for (let i = 0; i < len; i++) a[i * k + j] = a[i * k + (j % 5)]! - 2 * a[i * k + ((j * 7) % det)]!;
      }
      const tol = prec === 'f64' ? 1e-13 : 1e-5;
      const na = frob(a);
      const u = factor(a, len, k, prec, 0);
      const b = factor(a, len, k, prec, nb);
      const what = `${len}×${k} nb ${nb} ${kind} ${prec}`;
      // R: rows < det everywhere; for the tiny column, relative to the column's own scale
      let dr = 0, dq = 0;
      for (let i = 0; i < det; i++) for (let j = 0; j < k; j++) {
        const scale = kind === 'tiny' && j === 5 ? (prec === 'f64' ? 1e-200 : 1e-30) : 1;
        dr = Math.max(dr, Math.abs(b.r[i * k + j]! - u.r[i * k + j]!) / (scale * na));
      }
      for (let l = 0; l < len; l++) for (let i = 0; i < det; i++) dq = Math.max(dq, Math.abs(b.q[l * kr + i]! - u.q[l * kr + i]!));
      t.ok(dr <= tol, `${what}: R blocked vs unblocked ${dr.toExponential(2)}`);
      t.ok(dq <= tol, `${what}: Q blocked vs unblocked ${dq.toExponential(2)}`);
      t.ok(colOrthogonality(b.q, len, kr) <= tol, `${what}: QᵀQ = I`);
      const d = new Float64Array(len * k);
      for (let i = 0; i < len; i++) for (let j = 0; j < k; j++) {
        let s = 0;
        for (let l = 0; l < kr; l++) s += b.q[i * kr + l]! * b.r[l * k + j]!;
        d[i * k + j] = s - a[i * k + j]!;
      }
      t.ok(frob(d) <= tol * na, `${what}: ‖A − QR‖/‖A‖ = ${(frob(d) / na).toExponential(2)}`);
      if (kind === 'tiny') {
        const col = new Float64Array(len), res = new Float64Array(len);
        for (let i = 0; i < len; i++) { col[i] = a[i * k + 5]!; let s = 0; for (let l = 0; l < kr; l++) s += b.q[i * kr + l]! * b.r[l * k + 5]!; res[i] = s - col[i]!; }
        t.ok(frob(res) <= tol * frob(col), `${what}: tiny column reproduced to its own scale`);
      }
      if (kind === 'dep') for (let i = det; i < kr; i++) t.ok(Math.abs(b.r[i * k + i]!) <= tol * na, `${what}: R[${i}][${i}] ≈ 0`);
    }
  }
  t.end();
});
