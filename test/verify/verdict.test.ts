import t from 'tap';
import { collides, resolvePrecision, verdictOf, EXACT_TOL, FLOAT32_TOL } from '../../src/verify/verdict.js';

t.test('verdictOf: exact needs float64 ≤ 1e-12, float32-close needs float32 ≤ 1e-5', (t) => {
  t.equal(EXACT_TOL, 1e-12);
  t.equal(FLOAT32_TOL, 1e-5);
  t.equal(verdictOf(1e-13, 1e-3), 'exact');
  t.equal(verdictOf(1e-11, 1e-6), 'float32-close');
  t.equal(verdictOf(1e-11, 1e-4), 'differs');
  t.equal(verdictOf(undefined, 1e-6), 'float32-close');
  t.equal(verdictOf(1e-6, undefined), 'float32-close');
  t.equal(verdictOf(undefined, undefined), 'differs');
  t.equal(verdictOf(1e-11, 1e-4, true), 'storage-close');
  t.equal(verdictOf(1e-11, 1e-6, true), 'float32-close', 'float32-close before storage-close');
  t.equal(verdictOf(1e-13, 1e-6, true), 'exact');
  t.end();
});

t.test('collides: f64 accepts only exact; f32 and both accept float32-close', (t) => {
  t.ok(collides('exact', 'f64'));
  t.notOk(collides('float32-close', 'f64'));
  t.ok(collides('float32-close', 'f32'));
  t.ok(collides('float32-close', 'both'));
  t.notOk(collides('differs', 'both'));
  t.same([collides('storage-close', 'f64'), collides('storage-close', 'f32'), collides('storage-close', 'both')], [false, true, true]);
  t.end();
});

t.test('resolvePrecision maps names and lists the valid values on error', (t) => {
  t.equal(resolvePrecision('f32'), 'f32');
  t.equal(resolvePrecision('float64'), 'f64');
  t.throws(() => resolvePrecision('f16'), /^Expected one of f32, f64, both for precision but received "f16" of type string$/);
  t.end();
});
