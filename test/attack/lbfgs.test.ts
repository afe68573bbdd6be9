// minimizeBox (projected L-BFGS) on problems with known answers: a separable quadratic (the box
// solution is the clamped unconstrained one) and a coupled one (checked by the KKT conditions).
import t from 'tap';
import { minimizeBox } from '../../src/attack/lbfgs.js';
import { rng } from '../../src/linalg/random.js';

t.test('minimizeBox(separable quadratic) returns clamp(b) to 1e-8', async (t) => {
  const n = 50;
  const g = rng(1);
  const a = Float64Array.from({ length: n }, () => 0.5 + 4 * g.uniform());
  const b = Float64Array.from({ length: n }, () => -0.5 + 2 * g.uniform());
  const f = (z: Float64Array) => z.reduce((s, v, i) => s + a[i]! * (v - b[i]!) ** 2, 0);
  const r = await minimizeBox({
    lower: 0, upper: 1, value: async (z) => f(z),
    valueAndGradient: async (z) => ({ f: f(z), g: Float64Array.from(z, (v, i) => 2 * a[i]! * (v - b[i]!)) }),
  }, new Float64Array(n).fill(0.5), { maxIter: 100, pgTol: 1e-12 });
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(r.z[i]! - Math.min(1, Math.max(0, b[i]!))));
  t.ok(err <= 1e-8, `max error ${err.toExponential(1)} after ${r.iterations} iterations`);
  t.ok(b.some((v) => v < 0) && b.some((v) => v > 1), 'some bounds are active');
});

t.test('minimizeBox(coupled quadratic) meets the KKT conditions of the box', async (t) => {
  const n = 30;
  const g = rng(2);
  const M = Float64Array.from({ length: n * n }, () => g.normal());
  // H = MᵀM/n + 0.1·I (positive definite, coupled), c random: f = ½zᵀHz − cᵀz
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += M[k * n + i]! * M[k * n + j]!; H[i * n + j] = s / n + (i === j ? 0.1 : 0); }
  const c = Float64Array.from({ length: n }, () => 2 * g.normal());
  const grad = (z: Float64Array) => Float64Array.from({ length: n }, (_, i) => { let s = -c[i]!; for (let j = 0; j < n; j++) s += H[i * n + j]! * z[j]!; return s; });
  const f = (z: Float64Array) => { const gz = grad(z); let s = 0; for (let i = 0; i < n; i++) s += 0.5 * z[i]! * (gz[i]! - c[i]!) ; return s; };
  const r = await minimizeBox({ lower: 0, upper: 1, value: async (z) => f(z), valueAndGradient: async (z) => ({ f: f(z), g: grad(z) }) }, new Float64Array(n).fill(0.5), { maxIter: 500, pgTol: 1e-10 });
  const gz = grad(r.z);
  let worst = 0, active = 0;
  for (let i = 0; i < n; i++) {
    const z = r.z[i]!;
    // interior: gradient 0; at 0: gradient ≥ 0; at 1: gradient ≤ 0
    const v = z <= 0 ? Math.max(0, -gz[i]!) : z >= 1 ? Math.max(0, gz[i]!) : Math.abs(gz[i]!);
    if (z <= 0 || z >= 1) active++;
    worst = Math.max(worst, v);
  }
  t.ok(worst <= 1e-8, `KKT violation ${worst.toExponential(1)} (${active} active bounds, ${r.iterations} iterations)`);
  t.ok(active > 0 && active < n, 'the solution has active and free variables');
  t.ok(r.z.every((v) => v >= 0 && v <= 1), 'every iterate is feasible');
});
