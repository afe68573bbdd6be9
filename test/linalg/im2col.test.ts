import t from 'tap';
import { core } from '../../src/core/index.js';
import { im2col, col2im } from '../../src/linalg/im2col.js';
import { convGeometry, outputSize } from '../../src/linalg/geometry.js';
import { randn, rng } from '../../src/linalg/random.js';
import { dot, randomGeometry } from './naive.js';

t.test('im2col(x, g) lays windows out as (c·kh·kw) rows × (oh·ow) columns, zero in the padding', (t) => {
  // 1 channel 3×3, kernel 2×2, stride 1, padding 1 on the left only → oh = 2, ow = 3
  const x = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const g = convGeometry({ c: 1, h: 3, w: 3, outC: 1, kh: 2, kw: 2, padLeft: 1 });
  t.same(outputSize(g), { oh: 2, ow: 3 });
  t.same(Array.from(im2col(x, g)), [
    0, 1, 2, 0, 4, 5, // (ki 0, kj 0)
    1, 2, 3, 4, 5, 6, // (ki 0, kj 1)
    0, 4, 5, 0, 7, 8, // (ki 1, kj 0)
    4, 5, 6, 7, 8, 9, // (ki 1, kj 1)
  ]);
  // stride 2 > kernel 1: pixels 2, 4, 6, 8 are never read, so col2im leaves them 0
  const g2 = convGeometry({ c: 1, h: 3, w: 3, outC: 1, kh: 1, kw: 1, sh: 2, sw: 2 });
  t.same(Array.from(im2col(x, g2)), [1, 3, 7, 9]);
  t.same(Array.from(col2im(new Float64Array([1, 1, 1, 1]), g2)), [1, 0, 1, 0, 0, 0, 1, 0, 1]);
  t.end();
});

t.test('col2im(cols, g) is the exact adjoint of im2col over 60 random geometries', (t) => {
  const base = core.allocations;
  const u = rng(42);
  let worst64 = 0, worst32 = 0;
  for (let i = 0; i < 60; i++) {
    const g = randomGeometry(() => u.uniform());
    const { oh, ow } = outputSize(g);
    const x = randn(g.c * g.h * g.w, 100 + i), y = randn(g.c * g.kh * g.kw * oh * ow, 200 + i);
    const lhs = dot(im2col(x, g), y), rhs = dot(x, col2im(y, g));
    worst64 = Math.max(worst64, Math.abs(lhs - rhs) / Math.max(1e-300, Math.abs(lhs) + Math.abs(rhs)));
    const l32 = dot(im2col(Float32Array.from(x), g), y), r32 = dot(x, col2im(Float32Array.from(y), g));
    worst32 = Math.max(worst32, Math.abs(l32 - r32) / Math.max(1e-300, Math.abs(l32) + Math.abs(r32)));
  }
  t.ok(worst64 <= 1e-12, `float64 worst relative adjoint gap ${worst64}`);
  t.ok(worst32 <= 1e-5, `float32 worst relative adjoint gap ${worst32}`);
  t.equal(core.allocations, base, 'arena allocation count returns to baseline');
  t.end();
});

t.test('col2im(cols, g, out) accumulates into out and leaves cols unchanged', (t) => {
  const g = convGeometry({ c: 2, h: 5, w: 4, outC: 1, kh: 3, kw: 2, sh: 1, sw: 2, padTop: 1, padBottom: 2 });
  const { oh, ow } = outputSize(g);
  const cols = randn(2 * 3 * 2 * oh * ow, 5), cols0 = cols.slice();
  const plain = col2im(cols, g);
  const acc = randn(40, 6), acc0 = acc.slice();
  t.equal(col2im(cols, g, acc), acc, 'returns out');
  let e = 0;
  for (let i = 0; i < 40; i++) e = Math.max(e, Math.abs(acc[i]! - acc0[i]! - plain[i]!));
  t.ok(e <= 1e-14);
  t.same(cols, cols0);
  const x = randn(40, 7), x0 = x.slice();
  im2col(x, g);
  t.same(x, x0, 'im2col leaves x unchanged');
  t.end();
});

t.test('im2col/col2im reject bad geometries and inputs with clear messages', (t) => {
  const g = convGeometry({ c: 2, h: 4, w: 4, outC: 2, kh: 3, kw: 3 });
  const x = new Float64Array(32);
  t.throws(() => im2col(x, { ...g, groups: 3 }), /Expected a divisor of c = 2 for geometry.groups but received 3/);
  t.throws(() => im2col(x, { ...g, padTop: -1 }), /Expected an integer between 0 and \d+ for geometry.padTop but received -1/);
  t.throws(() => im2col(x, { ...g, sh: 0 }), /for geometry.sh but received 0/);
  t.throws(() => im2col(x, { ...g, kh: 5 }), /Expected a kernel that fits the padded input .* for geometry but received "4×4 input, 5×3 kernel"/);
  t.throws(() => im2col(new Float64Array(31), g), /Expected length 32 for x but received length 31/);
  t.throws(() => im2col(new Float64Array(32).fill(NaN), g), /Expected finite values for x but received NaN at index 0/);
  t.throws(() => col2im(new Float64Array(3), g), /Expected length 72 for cols/);
  t.throws(() => col2im(new Float64Array(72), g, new Float32Array(32) as unknown as Float64Array), /Expected a float64 array like cols for out/);
  t.throws(() => im2col(x, null as never), /Expected a ConvGeometry object for geometry but received null/);
  t.end();
});
