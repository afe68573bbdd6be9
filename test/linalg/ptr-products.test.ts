import t from 'tap';
import { core } from '../../src/core/index.js';
import { arrayProduct } from '../../src/linalg/ptr-products.js';
import { denseOperator } from '../../src/linalg/dense-operator.js';

// out[j] = (j + 1)·Σ in: reads all of the input and writes all of the output, of a different length
const sumTimes = (inLen: number, outLen: number) => (inPtr: number, outPtr: number): void => {
  let s = 0;
  for (const v of core.f64(inPtr, inLen)) s += v;
  const o = core.f64(outPtr, outLen);
  for (let j = 0; j < outLen; j++) o[j] = (j + 1) * s;
};

t.test('arrayProduct: copies in, runs, copies out, leaves the arena as it found it', (t) => {
  const before = { used: core.used, allocations: core.allocations };
  const v = Float64Array.from([1, 2, 3.5]);
  t.same(arrayProduct(core, 'x', v, 3, 2, undefined, sumTimes(3, 2)), [6.5, 13]);
  const out = new Float64Array(2).fill(NaN);
  t.equal(arrayProduct(core, 'x', v, 3, 2, out, sumTimes(3, 2)), out, 'returns the given out');
  t.same(out, [6.5, 13], 'overwrites out');
  t.same(v, [1, 2, 3.5], 'input untouched');
  t.throws(() => arrayProduct(core, 'x', v, 3, 2, undefined, () => { throw new Error('boom'); }), /boom/);
  t.same({ used: core.used, allocations: core.allocations }, before, 'nothing stays allocated, also after a throw');
  t.end();
});

t.test('arrayProduct: no output means no run; bad arguments name the vector', (t) => {
  let ran = false;
  t.same(arrayProduct(core, 'x', new Float64Array(4), 4, 0, undefined, () => { ran = true; }), []);
  t.notOk(ran, 'an empty output is not computed');
  const run = sumTimes(3, 2);
  t.throws(() => arrayProduct(core, 'y', new Float64Array(2), 3, 2, undefined, run), { name: 'RangeError', message: /Expected length 3 for y/ });
  t.throws(() => arrayProduct(core, 'y', [1, 2, 3] as unknown as Float64Array, 3, 2, undefined, run), { name: 'TypeError', message: /Expected a Float64Array for y/ });
  t.throws(() => arrayProduct(core, 'x', new Float64Array(3), 3, 2, new Float64Array(3), run), { name: 'RangeError', message: /Expected length 2 for out/ });
  t.throws(() => arrayProduct(core, 'x', new Float64Array(3), 3, 2, new Float32Array(2) as unknown as Float64Array, run), { name: 'TypeError', message: /Expected a Float64Array for out/ });
  t.end();
});

t.test('denseOperator products through arrayProduct: values, checks, empty sides', (t) => {
  const op = denseOperator(Float64Array.from([1, 2, 3, 4, 5, 6]), 2, 3); // [[1 2 3] [4 5 6]]
  t.same(op.apply(Float64Array.from([1, 0, -1])), [-2, -2]);
  t.same(op.applyT(Float64Array.from([1, -1])), [-3, -3, -3]);
  t.throws(() => op.apply(new Float64Array(2)), /Expected length 3 for x/);
  t.throws(() => op.applyT(new Float64Array(3)), /Expected length 2 for y/);
  t.throws(() => op.apply(new Float64Array(3), new Float64Array(3)), /Expected length 2 for out/);
  const wide = denseOperator(new Float64Array(0), 0, 3);
  t.same(wide.apply(new Float64Array(3)), [], 'no rows: empty image');
  t.same(wide.applyT(new Float64Array(0), new Float64Array(3).fill(7)), [0, 0, 0], 'Wᵀ of an empty y is zero');
  t.end();
});
