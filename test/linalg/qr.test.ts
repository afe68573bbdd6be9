import t from 'tap';
import { qr } from '../../src/linalg/qr.js';
import { randn } from '../../src/linalg/random.js';
import { colOrthogonality, frob } from './svd-fixtures.js';

t.test('A = Q·R with orthonormal Q and upper-triangular R (tall, square, wide; f64 and f32)', (t) => {
  for (const [m, n] of [[30, 7], [9, 9], [5, 12], [1, 4], [4, 1], [3, 3]] as const) {
    const a = randn(m * n, m + 10 * n);
    for (const prec of ['f64', 'f32'] as const) {
      const bound = prec === 'f64' ? 1e-14 : 1e-6;
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
