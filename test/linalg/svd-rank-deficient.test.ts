import t from 'tap';
import { readFileSync } from 'node:fs';
import { svd } from '../../src/linalg/svd.js';
import { core } from '../../src/core/index.js';

// Rank-3 matrices made by repeating rows (fixtures), and their transposes. Jacobi used to run out
// of sweeps on these: QR leaves columns whose squared norms are subnormal, where a dot product
// decides nothing and one pair was "rotated" every sweep for ever, and its norm update lost all
// accuracy as columns decayed to round-off. Each case is checked in both precisions and for all
// three outputs; the sweep counts are recorded so that a regression to 60 sweeps shows.
const cases = [['rank3-repeated-rows-69x54.json', 69, 54], ['rank3-repeated-rows-71x52.json', 71, 52]] as const;

function load(file: string): Float64Array {
  return Float64Array.from(JSON.parse(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')) as number[]);
}

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const b = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[j * m + i] = a[i * n + j]!;
  return b;
}

for (const [file, m0, n0] of cases) {
  const a0 = load(file);
  for (const [a, m, n, label] of [[a0, m0, n0, `${m0}×${n0}`], [transpose(a0, m0, n0), n0, m0, `${n0}×${m0} (transposed)`]] as const) {
    for (const precision of ['f64', 'f32'] as const) {
      t.test(`svd converges on the rank-3 ${label} matrix with repeated rows, ${precision}`, (t) => {
        t.equal(a.length, m * n);
        const eps = precision === 'f64' ? 2.220446049250313e-16 : 1.1920929e-7;
        const k = Math.min(m, n);
        for (const compute of ['none', 'v', 'uv'] as const) {
          const r = svd(a, m, n, { compute, precision });
          t.ok(r.sweeps <= 8, `${compute}: ${r.sweeps} sweeps`);
          const smax = r.s[0]!;
          t.ok(r.s[2]! > 1e-3 * smax, `${compute}: three singular values of size`);
          t.ok(r.s[3]! <= 10 * k * eps * smax, `${compute}: the rest at round-off (${r.s[3]})`);
          if (compute === 'none') continue;
          const vt = r.vt!;
          // Null vectors annihilate A; V is orthonormal (the flushed columns are completed).
          let worst = 0, orth = 0;
          for (let row = 3; row < n; row++) {
            for (let i = 0; i < m; i++) {
              let acc = 0;
              for (let j = 0; j < n; j++) acc += a[i * n + j]! * vt[row * n + j]!;
              worst = Math.max(worst, Math.abs(acc));
            }
          }
          for (let p = 0; p < n; p++) {
            for (let q = p; q < n; q++) {
              let acc = 0;
              for (let j = 0; j < n; j++) acc += vt[p * n + j]! * vt[q * n + j]!;
              orth = Math.max(orth, Math.abs(acc - (p === q ? 1 : 0)));
            }
          }
          t.ok(worst <= 10 * k * eps * smax, `${compute}: max |A v| over null vectors ${worst}`);
          t.ok(orth <= 10 * k * eps, `${compute}: ‖VᵀV − I‖max ${orth}`);
          if (compute === 'uv') {
            // A = U·Σ·Vᵀ (thin), entrywise against max |a_ij|.
            const u = r.u!;
            let amax = 0, res = 0;
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let acc = 0;
                for (let l = 0; l < k; l++) acc += u[i * k + l]! * r.s[l]! * vt[l * n + j]!;
                res = Math.max(res, Math.abs(acc - a[i * n + j]!));
                amax = Math.max(amax, Math.abs(a[i * n + j]!));
              }
            }
            t.ok(res <= 10 * k * eps * amax, `uv: max |A − UΣVᵀ| ${res} (max |a| ${amax})`);
          }
        }
        t.end();
      });
    }
  }
}

t.test('the sweep diagnostics: rotations fall to zero and the stopping rule is visible', (t) => {
  const a = load(cases[0][0]);
  const r = svd(a, 69, 54, { compute: 'v' });
  const K = core.kernels;
  t.ok(K.jacobiRotations(0) > 0, 'the first sweep rotates');
  t.equal(K.jacobiRotations(r.sweeps), 0, 'no sweep after the last is recorded as rotating');
  for (let s = 0; s < r.sweeps; s++) {
    if (K.jacobiRotations(s) === 0) continue;
    t.ok(K.jacobiMaxSine(s) > 0 && K.jacobiMaxCosine(s) > 0, `sweep ${s}: largest cosine ${K.jacobiMaxCosine(s)}, sine ${K.jacobiMaxSine(s)}`);
  }
  t.end();
});
