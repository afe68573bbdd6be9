// restrictColumns (src/linalg/restrict-columns.ts): A·S against A on the scattered vector, the
// adjoint identity, and the scatter/gather maps.
import t from 'tap';
import { restrictColumns } from '../../src/linalg/restrict-columns.js';
import { convOperator } from '../../src/linalg/conv.js';
import { convGeometry } from '../../src/linalg/geometry.js';
import { randn } from '../../src/linalg/random.js';

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

t.test('restrictColumns(A, keep) is A·S with the exact adjoint Sᵀ·Aᵀ', (t) => {
  const g = convGeometry({ c: 2, h: 7, w: 6, outC: 3, kh: 3, kw: 3, sh: 2, sw: 1, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2 });
  const a = convOperator(randn(3 * 2 * 9, 1), g);
  const keep = Uint8Array.from({ length: a.cols }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const sub = restrictColumns(a, keep);
  t.equal(sub.op.cols, keep.reduce((s, k) => s + k, 0));
  const z = randn(sub.op.cols, 2); const y = randn(a.rows, 3);
  t.ok(Math.abs(dot(sub.op.apply(z), y) - dot(z, sub.op.applyT(y))) < 1e-12, 'adjoint identity');
  const full = sub.scatter(z);
  t.ok(keep.every((k, i) => k || full[i] === 0), 'scatter leaves dropped columns at 0');
  t.same(Array.from(sub.op.apply(z)), Array.from(a.apply(full)));
  t.same(Array.from(sub.gather(full)), Array.from(z), 'gather undoes scatter');
  const out = new Float64Array(sub.op.cols);
  t.equal(sub.op.applyT(y, out), out, 'applyT writes into out');
  t.same(Array.from(out), Array.from(sub.gather(a.applyT(y))));
  t.end();
});

t.test('restrictColumns validates the mask length', (t) => {
  const a = convOperator(randn(9, 1), convGeometry({ c: 1, h: 4, w: 4, outC: 1, kh: 3, kw: 3 }));
  t.throws(() => restrictColumns(a, new Uint8Array(15)), /Expected length 16 for keep but received length 15/);
  t.end();
});
