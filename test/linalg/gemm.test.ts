import t from 'tap';
import { core } from '../../src/core/index.js';
import { gemm } from '../../src/linalg/gemm.js';
import { randn } from '../../src/linalg/random.js';
import { naiveGemm } from './naive.js';

// error of C relative to Σ|a||b| scale: max |C − ref| / (k·max|a|·max|b| + |beta|·max|c|)
function scaledErr(c: ArrayLike<number>, ref: ArrayLike<number>, k: number): number {
  let e = 0;
  for (let i = 0; i < ref.length; i++) e = Math.max(e, Math.abs(c[i]! - ref[i]!));
  return e / Math.max(1, k);
}

t.test('gemm(a, b) matches the triple loop for every transpose, alpha, beta and SIMD-tail size', (t) => {
  const base = core.allocations;
  const sizes = [1, 2, 3, 5, 8, 9];
  let seed = 1, worst64 = 0, worst32 = 0, cases = 0;
  for (const m of sizes) for (const n of sizes) for (const k of [1, 3, 5, 17]) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const alpha = [1, -0.5, 2.25][seed % 3]!, beta = [0, 1, -1.5][(seed >> 1) % 3]!;
      const a = randn(m * k, seed++), b = randn(k * n, seed++), c = randn(m * n, seed++);
      const ref = naiveGemm(a, b, m, n, k, tA, tB, alpha, beta, c);
      const got = gemm(a, b, m, n, k, { transA: tA, transB: tB, alpha, beta, c });
      worst64 = Math.max(worst64, scaledErr(got, ref, k));
      const g32 = gemm(Float32Array.from(a), Float32Array.from(b), m, n, k, { transA: tA, transB: tB, alpha, beta, c: Float32Array.from(c) });
      t.ok(g32 instanceof Float32Array);
      worst32 = Math.max(worst32, scaledErr(g32, ref, k));
      cases++;
    }
  }
  t.ok(worst64 <= 1e-14, `float64 worst scaled error ${worst64} over ${cases} cases`);
  t.ok(worst32 <= 1e-5, `float32 worst scaled error ${worst32}`);
  t.equal(core.allocations, base, 'arena allocation count returns to baseline');
  t.end();
});

t.test('gemm(a, b) is correct across the packing block edges (m > 128, k > 256, n > 2048) and on the unpacked-B path', (t) => {
  // [16, 2053, 300]: the unpacked-B path (≤ 4 row strips) across a KC block, an NC block and a partial strip;
  // [1003, 13, 300] and [1001, 16, 5]: the unpacked-A path (≤ 4 column strips) with a partial row strip
  for (const [m, n, k, tA, tB] of [[130, 7, 260, false, true], [5, 2051, 3, true, false], [67, 33, 513, true, true], [16, 2053, 300, false, false], [13, 21, 7, true, false], [1003, 13, 300, false, false], [1001, 16, 5, false, true]] as const) {
    const a = randn(m * k, m), b = randn(k * n, n);
    const ref = naiveGemm(a, b, m, n, k, tA, tB, 1.5, 0);
    const got = gemm(a, b, m, n, k, { transA: tA, transB: tB, alpha: 1.5 });
    t.ok(scaledErr(got, ref, k) <= 1e-14, `${m}×${n}×${k} tA=${tA} tB=${tB}`);
    const g32 = gemm(Float32Array.from(a), Float32Array.from(b), m, n, k, { transA: tA, transB: tB, alpha: 1.5 });
    t.ok(scaledErr(g32, ref, k) <= 1e-5, `${m}×${n}×${k} float32`);
  }
  t.end();
});

t.test('gemm(a, b) with beta = 0 ignores NaN in c, and k = 0 gives beta·C', (t) => {
  const a = new Float64Array(0), b = new Float64Array(0);
  t.same(Array.from(gemm(a, b, 2, 2, 0, { beta: 2, c: new Float64Array([1, 2, 3, 4]) })), [2, 4, 6, 8]);
  t.same(Array.from(gemm(a, b, 2, 2, 0)), [0, 0, 0, 0]);
  t.same(Array.from(gemm(new Float64Array([1, 2]), new Float64Array([3, 4]), 1, 1, 2, { out: new Float64Array([NaN]) })), [11]);
  t.equal(gemm(a, new Float64Array(0), 0, 3, 5 - 5).length, 0);
  t.end();
});

t.test('gemm(a, b, {out}) writes a separate output, may alias an input, and leaves inputs unchanged', (t) => {
  const m = 5, a = randn(m * m, 11), b = randn(m * m, 12), c = randn(m * m, 13);
  const a0 = a.slice(), b0 = b.slice(), c0 = c.slice();
  const ref = naiveGemm(a, b, m, m, m, false, true, 1, 0.5, c);
  const out = new Float64Array(m * m);
  t.equal(gemm(a, b, m, m, m, { transB: true, beta: 0.5, c, out }), out, 'returns the given output');
  t.ok(scaledErr(out, ref, m) <= 1e-14);
  t.same(a, a0); t.same(b, b0); t.same(c, c0);
  const aliasA = a.slice();
  gemm(aliasA, b, m, m, m, { transB: true, beta: 0.5, c, out: aliasA });
  t.ok(scaledErr(aliasA, ref, m) <= 1e-14, 'out aliasing a');
  const aliasC = c.slice();
  gemm(a, b, m, m, m, { transB: true, beta: 0.5, c: aliasC, out: aliasC });
  t.ok(scaledErr(aliasC, ref, m) <= 1e-14, 'out aliasing c');
  t.end();
});

t.test('gemmF64/gemmF32 kernels compute a hand-checked 2×2 product in place', (t) => {
  const base = core.allocations;
  core.scoped(() => {
    for (const f64 of [true, false]) {
      const es = f64 ? 8 : 4;
      const put = (v: number[]) => core.put(f64 ? new Float64Array(v) : new Float32Array(v));
      const a = put([1, 2, 3, 4]), b = put([5, 6, 7, 8]), c = put([1, 1, 1, 1]);
      const work = core.alloc(core.kernels.gemmWorkElems(2, 2, 2, es) * es);
      const k = f64 ? core.kernels.gemmF64 : core.kernels.gemmF32;
      k(0, 0, 2, 2, 2, 1, a, 2, b, 2, 10, c, 2, work); // [[19,22],[43,50]] + 10
      const view = f64 ? core.f64(c, 4) : core.f32(c, 4);
      t.same(Array.from(view), [29, 32, 53, 60]);
    }
  });
  t.equal(core.allocations, base);
  t.end();
});

t.test('gemm rejects bad arguments with clear messages', (t) => {
  const a = new Float64Array(6), b = new Float64Array(6);
  t.throws(() => gemm(a, b, -2, 3, 3), /Expected an integer between 0 and .* for m but received -2 of type number/);
  t.throws(() => gemm(a, b, 2, 2, 2.5), /for k but received 2.5/);
  t.throws(() => gemm(a, b, 2, 3, 2), /Expected length 4 for a but received length 6/);
  t.throws(() => gemm(a, new Float64Array(5), 2, 3, 3), /Expected length 9 for b/);
  t.throws(() => gemm(new Float64Array([NaN, 0, 0, 0, 0, 0]), b, 2, 2, 3), /Expected finite values for a but received NaN at index 0/);
  t.throws(() => gemm(a, new Float32Array(6) as unknown as Float64Array, 2, 2, 3), /Expected a float64 array like a for b/);
  t.throws(() => gemm([1, 2] as unknown as Float64Array, b, 1, 1, 2), /Expected a Float64Array or Float32Array for a/);
  t.throws(() => gemm(a, b, 2, 2, 3, { beta: 1 }), /Expected a C matrix when beta ≠ 0 for c/);
  t.throws(() => gemm(a, b, 2, 2, 3, { alpha: NaN }), /Expected a finite number for alpha/);
  t.throws(() => gemm(a, b, 2, 2, 3, { out: new Float64Array(3) }), /Expected length 4 for out/);
  t.end();
});
