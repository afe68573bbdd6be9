import t from 'tap';
import { entropyMaxThreshold, filterQuality, orthogonality, sparsity, varianceEntropy, weightNorm } from '../../src/filters/metrics.js';
import { rng } from '../../src/linalg/random.js';
import { referenceQuality } from './reference.js';

const EPS = 2.220446049250313e-16;

function randomWeight(dims: number[], seed: number): Float64Array {
  const g = rng(seed);
  return Float64Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => g.normal());
}

t.test('sparsity(w) counts the 2-D filters whose every |w| is below eps·max|W|', async (t) => {
  const w = randomWeight([4, 2, 3, 3], 1);
  w.fill(0, 9 * 5, 9 * 6); // filter (2, 1) all zero
  const r = sparsity(w, [4, 2, 3, 3]);
  t.equal(r.sparsity, 1 / 8, 'one all-zero filter of 8');
  t.same(Array.from(r.mask), [0, 0, 0, 0, 0, 1, 0, 0]);
  // the threshold is strict: a filter whose largest |w| equals eps·max stays
  const b = new Float64Array(18);
  b[0] = 1; b[9] = 0.01; b[10] = -0.0099;
  t.equal(sparsity(b, [2, 1, 3, 3]).sparsity, 0, '|w| = eps·max is not below the threshold');
  b[9] = 0.0099;
  t.equal(sparsity(b, [2, 1, 3, 3]).sparsity, 0.5, 'below it: sparse');
  t.equal(sparsity(b, [2, 1, 3, 3], 0).sparsity, 0.5, 'eps 0 keeps only filters with a nonzero weight');
  t.equal(sparsity(new Float64Array(2 * 3 * 9), [2, 3, 3, 3]).sparsity, 1, 'an all-zero layer is all sparse (the package uses threshold 1)');
});

t.test('varianceEntropy(w) is log10(k) for filters spread equally over k orthogonal directions, 0 for identical filters', async (t) => {
  for (const k of [1, 2, 5, 9]) {
    // ±e_1 … ±e_k: mean zero, covariance 2·I_k on those directions
    const w = new Float64Array(2 * k * 9);
    for (let i = 0; i < k; i++) { w[(2 * i) * 9 + i] = 3; w[(2 * i + 1) * 9 + i] = -3; }
    const r = varianceEntropy(w, [2 * k, 1, 3, 3]);
    t.ok(Math.abs(r.entropy - Math.log10(k)) < 1e-14, `k = ${k}: ${r.entropy} vs ${Math.log10(k)}`);
    t.ok(Math.abs(r.norm - Math.log10(k) / entropyMaxThreshold(2 * k)) < 1e-13, 'normalised by the threshold at n = 2k');
    t.equal(r.rows, 2 * k);
  }
  const same = new Float64Array(6 * 9);
  const f = randomWeight([1, 1, 3, 3], 2);
  for (let i = 0; i < 6; i++) same.set(f, i * 9);
  t.equal(varianceEntropy(same, [3, 2, 3, 3]).entropy, 0, 'identical filters: no variance, entropy 0');
  t.equal(varianceEntropy(new Float64Array(9), [1, 1, 3, 3]).entropy, 0, 'one filter: 0 (torch: 0/0)');
  const keep = new Uint8Array([1, 0, 0, 0]);
  t.equal(varianceEntropy(randomWeight([2, 2, 3, 3], 3), [2, 2, 3, 3], keep).rows, 1, 'the mask picks rows');
});

t.test('entropyMaxThreshold(n) is the package\'s logistic curve in log2 n', async (t) => {
  // at log2 n = x0 the logistic term is l/2
  t.ok(Math.abs(entropyMaxThreshold(2 ** 2.30436435) - (1.2618047 / 2 - 0.31050834)) < 1e-15);
  t.ok(Math.abs(entropyMaxThreshold(2 ** 40) - (1.2618047 - 0.31050834)) < 1e-12, 'saturates at l + b');
  t.ok(entropyMaxThreshold(2) < 0 && entropyMaxThreshold(3) > 0, 'negative for n ≤ 2, as in the package');
});

t.test('orthogonality(w) is 1 for orthogonal filters, 0 for identical or opposite ones', async (t) => {
  // 4 output filters of 2×3×3: scaled rows of the identity → orthogonal
  const w = new Float64Array(4 * 18);
  for (let i = 0; i < 4; i++) w[i * 18 + 4 * i] = (i + 1) * 0.7;
  t.ok(Math.abs(orthogonality(w, [4, 2, 3, 3]) - 1) < 4 * EPS, 'orthogonal');
  const f = randomWeight([1, 2, 3, 3], 4);
  const same = new Float64Array(5 * 18);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 18; j++) same[i * 18 + j] = f[j]! * (i % 2 ? -2 : 1);
  t.ok(Math.abs(orthogonality(same, [5, 2, 3, 3])) < 1e-14, 'identical up to sign and scale: 0');
  // an all-zero output filter: its diagonal entry |0 − 1| counts, as in the package
  const z = new Float64Array(w);
  z.fill(0, 0, 18);
  t.ok(Math.abs(orthogonality(z, [4, 2, 3, 3]) - (1 - 1 / (4 * 3))) < 1e-15, 'zero filter costs 1/(O(O−1)) on the diagonal');
  t.ok(Math.abs(orthogonality(new Float64Array(3 * 9), [3, 1, 3, 3]) - (1 - 3 / 6)) < 1e-15, 'all-zero layer: 1 − 1/(O − 1)');
  t.ok(Number.isNaN(orthogonality(f, [1, 2, 3, 3])), 'one output filter: undefined (0/0)');
});

t.test('weightNorm(w) is the 1- or 2-norm of the flattened (optionally standardised) weight', async (t) => {
  const w = Float64Array.from([1, 2, 3, 4]);
  t.equal(weightNorm(w, 2, false), Math.sqrt(30));
  t.equal(weightNorm(w, 1, false), 10);
  // standardised: (w − 2.5)/std with std = √(5/3)
  t.ok(Math.abs(weightNorm(w, 2, true) - Math.sqrt(3)) < 1e-15, 'Σz² = n − 1');
  t.ok(Math.abs(weightNorm(w, 1, true) - 4 / Math.sqrt(5 / 3)) < 1e-15);
});

t.test('filterQuality(w) agrees with the independent float64 reference on random, sparse and depthwise layers', async (t) => {
  const cases: [number[], number][] = [[[8, 3, 3, 3], 10], [[16, 8, 3, 3], 11], [[32, 1, 3, 3], 12], [[6, 4, 5, 5], 13], [[3, 2, 1, 1], 14]];
  for (const [dims, seed] of cases) {
    const w = randomWeight(dims, seed);
    // make some filters sparse so that the clean figures differ
    const k = dims[2]! * dims[3]!;
    for (let f = 0; f < dims[0]! * dims[1]!; f += 3) for (let j = 0; j < k; j++) w[f * k + j]! *= 1e-3;
    const got = filterQuality(w, dims);
    const ref = referenceQuality(w, dims);
    t.ok(got.sparsity > 0 && (k === 1 || got.varianceEntropyClean !== got.varianceEntropy), `${dims.join('×')}: sparse filters present`);
    for (const key of Object.keys(ref) as (keyof typeof ref)[]) {
      t.ok(Math.abs(got[key] - ref[key]) <= 1e-12 * Math.max(1, Math.abs(ref[key])), `${dims.join('×')} ${key}: ${got[key]} vs ${ref[key]}`);
    }
  }
});

t.test('filterQuality(w) refuses malformed weights with the parameter named', async (t) => {
  t.throws(() => filterQuality(new Float64Array(9), [1, 3, 3]), /Expected \[out, in, kh, kw\] \(4 non-negative integers\) for dims/);
  t.throws(() => filterQuality(new Float64Array(8), [1, 1, 3, 3]), /Expected length 9 for w of dims \[1, 1, 3, 3\] but received length 8/);
  t.throws(() => filterQuality(Float64Array.from({ length: 9 }, (_, i) => (i === 4 ? NaN : 1)), [1, 1, 3, 3]), /w contains a non-finite value \(NaN\) at index 4/);
  t.throws(() => filterQuality(new Float64Array(9), [1, 1, 3, 3], -1), /Expected a finite non-negative number for eps but received -1/);
});
