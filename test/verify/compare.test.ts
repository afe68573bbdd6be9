import t from 'tap';
import { compareOutput, compareOutputs, outputKind, predictionAgreement, worstRelative } from '../../src/verify/compare.js';
import { argmax, maxAbs, norm2, relativeL2, topK } from '../../src/verify/metrics.js';

t.test('relativeL2(a, b) is ‖a − b‖ / max(‖a‖, ‖b‖), symmetric, 0 for equal or both-zero inputs', (t) => {
  t.equal(relativeL2([3, 4], [3, 4]), 0);
  t.equal(relativeL2([0, 0], [0, 0]), 0);
  t.ok(Math.abs(relativeL2([3, 4], [3, 0]) - 4 / 5) < 1e-15);
  t.equal(relativeL2([3, 0], [3, 4]), relativeL2([3, 4], [3, 0]));
  t.equal(relativeL2([1e200, 1e200], [1e200, 0]), 1e200 / Math.hypot(1e200, 1e200));
  t.throws(() => relativeL2([1], [1, 2]), /lengths differ \(1 and 2\)/);
  t.end();
});

t.test('maxAbs(a, b) is the largest elementwise difference and propagates NaN', (t) => {
  t.equal(maxAbs([1, 2, 3], [1, 5, 2]), 3);
  t.equal(maxAbs([], []), 0);
  t.ok(Number.isNaN(maxAbs([1, NaN], [1, 0])));
  t.throws(() => maxAbs([1], []), /lengths differ/);
  t.end();
});

t.test('norm2 matches a naive sum of squares and does not overflow', (t) => {
  const v = [1, -2, 3.5, 0, 7];
  t.ok(Math.abs(norm2((i) => v[i]!, v.length) - Math.sqrt(v.reduce((s, x) => s + x * x, 0))) < 1e-14);
  t.equal(norm2((i) => [3e300, 4e300][i]!, 2), 5e300);
  t.end();
});

t.test('topK and argmax read strided slices, largest first, ties to the lower index', (t) => {
  const v = [0.1, 0.9, 0.5, 0.9, 0.2, 0.0];
  t.same(topK(v, 3), [1, 3, 2]);
  t.equal(argmax(v), 1);
  // column 1 of a 3×2 matrix: 0.9, 0.9, 0.0
  t.equal(argmax(v, 1, 3, 2), 0);
  t.same(topK(v, 5, 0, 3, 2), [1, 2, 0]); // values 0.1, 0.5, 0.2
  t.end();
});

t.test('outputKind: rank ≤ 2 is classification, rank 3 a sequence (last axis), rank 4 NCHW (axis 1)', (t) => {
  t.same(outputKind([1, 2]), { kind: 'classification', classAxis: 1 });
  t.same(outputKind([10]), { kind: 'classification', classAxis: 0 });
  t.same(outputKind([1, 40, 6625]), { kind: 'dense', classAxis: 2 });
  t.same(outputKind([1, 1, 640, 640]), { kind: 'dense', classAxis: 1 });
  t.end();
});

t.test('compareOutput on classification rows counts top-1 and top-5 agreement', (t) => {
  // two rows of 6 classes; row 0 same ranking, row 1 top-1 swapped, top-5 set unchanged
  const a = { dims: [2, 6], data: [6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6] };
  const b = { dims: [2, 6], data: [6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 6.5, 6] };
  const c = compareOutput('prob', a, b);
  t.equal(c.kind, 'classification');
  t.equal(c.top1, 0.5);
  t.equal(c.top5, 1);
  t.equal(c.maxAbs, 1.5);
  // a change of the 5th/6th places alters the top-5 set
  const d = compareOutput('prob', a, { dims: [2, 6], data: [6, 5, 4, 3, 0.5, 1, 1, 2, 3, 4, 5, 6] });
  t.equal(d.top1, 1);
  t.equal(d.top5, 0.5);
  t.end();
});

t.test('compareOutput on dense maps compares argmax per position along the class axis', (t) => {
  // NCHW [1, 2, 1, 3]: class axis 1, three positions
  const a = { dims: [1, 2, 1, 3], data: [1, 0, 1, 0, 1, 0] };
  const b = { dims: [1, 2, 1, 3], data: [1, 1, 0, 0, 0, 1] };
  t.equal(compareOutput('map', a, b).argmaxAgreement, 1 / 3);
  // sequence [1, 2, 3]: class axis last, two steps
  const s = compareOutput('seq', { dims: [1, 2, 3], data: [0, 1, 0, 1, 0, 0] }, { dims: [1, 2, 3], data: [0, 1, 0, 0, 0, 1] });
  t.equal(s.argmaxAgreement, 0.5);
  t.equal(s.classAxis, 2);
  // single channel: agreement is the same side of 0.5
  const p = compareOutput('prob', { dims: [1, 1, 2, 2], data: [0.1, 0.6, 0.9, 0.4] }, { dims: [1, 1, 2, 2], data: [0.2, 0.7, 0.3, 0.45] });
  t.equal(p.argmaxAgreement, 0.75);
  t.end();
});

t.test('compareOutputs checks names and dims; worstRelative and predictionAgreement summarise', (t) => {
  const a = { y: { dims: [1, 2], data: [1, 0] }, z: { dims: [1, 1, 1, 2], data: [0, 1] } };
  const b = { y: { dims: [1, 2], data: [0, 1] }, z: { dims: [1, 1, 1, 2], data: [0, 1] } };
  const c = compareOutputs(a, b);
  t.same(c.map((o) => o.name), ['y', 'z']);
  t.equal(worstRelative(c), Math.SQRT2);
  t.equal(predictionAgreement(c), 0);
  t.throws(() => compareOutputs(a, { y: b.y }), /output z is missing/);
  t.throws(() => compareOutputs({ y: a.y }, { y: { dims: [2, 1], data: [1, 0] } }), /output y: dims differ/);
  t.end();
});
