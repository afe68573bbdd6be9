// The Gram kernel (assembly/sym_eigen.ts gramF64) against a plain loop that sums in the kernel's
// stated order — per 256-column chunk, even and odd columns in two running sums, the chunk's two
// sums added to G — so the comparison is bit for bit: the panel packing and the 4×2 blocking
// may change speed, never a single rounding. Sizes cover k not a multiple of 4 (zero rows in the
// last panel), odd len (padding column), and len across chunk boundaries.
import t from 'tap';
import { core } from '../../src/core/index.js';
import { randn } from '../../src/linalg/random.js';

const LC = 256;

function plainGram(x: Float64Array, k: number, len: number, ld: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) {
    let s = 0;
    for (let c0 = 0; c0 < len; c0 += LC) {
      let even = 0, odd = 0;
      for (let c = c0; c < Math.min(c0 + LC, ld); c += 2) {
        even += x[i * ld + c]! * x[j * ld + c]!;
        odd += x[i * ld + c + 1]! * x[j * ld + c + 1]!;
      }
      s = s + even + odd;
    }
    g[i * k + j] = s;
    g[j * k + i] = s;
  }
  return g;
}

t.test('gramF64 equals the plain loop bit for bit, full and symmetric, for every k mod 4 and chunk split', (t) => {
  const base = core.allocations;
  let cases = 0, mismatches = 0;
  for (const k of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 22]) for (const len of [1, 2, 3, 8, 255, 256, 257, 513, 600]) {
    const ld = len + (len & 1);
    const x = randn(k * ld, 97 * k + len);
    for (let i = 0; i < k; i++) for (let c = len; c < ld; c++) x[i * ld + c] = 0;
    const want = plainGram(x, k, len, ld);
    const got = core.scoped(() => {
      const px = core.alloc(k * ld * 8), pg = core.alloc(k * k * 8), work = core.alloc(core.kernels.gramWorkElems(k) * 8);
      core.f64(px, k * ld).set(x);
      core.f64(pg, k * k).fill(NaN); // the kernel must write every entry
      core.f64(work, core.kernels.gramWorkElems(k)).fill(NaN); // and not read scratch it did not fill
      core.kernels.gramF64(px, k, len, ld, work, pg);
      return core.f64(pg, k * k).slice();
    });
    cases++;
    if (!got.every((v, i) => Object.is(v, want[i]))) {
      mismatches++;
      const i = got.findIndex((v, j) => !Object.is(v, want[j]));
      t.fail(`k=${k} len=${len}: entry ${i} is ${got[i]}, the plain loop gives ${want[i]}`);
    }
  }
  t.equal(mismatches, 0, `${cases} shapes, all bit-identical`);
  t.equal(core.allocations, base, 'no arena left allocated');
  t.end();
});
