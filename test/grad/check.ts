// Shared checks of Jacobian products (not a test file): the adjoint identity, central differences,
// float32 against float64, batched against unbatched, on any model the tests give.
import { rng } from '../../src/linalg/random.js';
import { createJacobian, type Jacobian } from '../../src/grad/index.js';
import { createSession } from '../../src/runtime/session.js';

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>, off = 0, n = a.length) => { let s = 0; for (let i = 0; i < n; i++) s += a[off + i]! * b[i]!; return s; };
export const norm = (a: ArrayLike<number>, off = 0, n = a.length - off) => { let s = 0; for (let i = 0; i < n; i++) s += a[off + i]! ** 2; return Math.sqrt(s); };
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; s += b[i]! ** 2; }
  return Math.sqrt(d / Math.max(s, 1e-300));
}
export const randoms = (n: number, seed: number, lo = -1, hi = 1) => { const g = rng(seed); return Float64Array.from({ length: n }, () => lo + (hi - lo) * g.uniform()); };

export interface Figures {
  /** max over directions of |⟨Jv, u⟩ − ⟨v, Jᵀu⟩| / (‖Jv‖‖u‖) at float64 */
  adjoint: number;
  /** the same at float32 */
  adjoint32: number;
  /** max over directions of ‖Jv − central difference‖/‖Jv‖ at float64 (NaN when skipped) */
  fd: number;
  /** ‖Jv₃₂ − Jv₆₄‖/‖Jv₆₄‖ and ‖Jᵀu₃₂ − Jᵀu₆₄‖/‖Jᵀu₆₄‖ */
  f32jvp: number; f32vjp: number;
  /** batched against one-at-a-time, float64, tangents and gradients (NaN when skipped) */
  batched: number;
  /** smallest ‖Jv‖ and ‖Jᵀu‖ (the checks are not vacuous) */
  minNorm: number;
}

/** Runs every check on a model at one input size with `batch` random directions and cotangents. */
export async function checkModel(bytes: Uint8Array, dims: number[], opts: { outputs?: string[]; batch?: number; seed?: number; fdStep?: number; x?: Float64Array; unbatched?: boolean } = {}): Promise<Figures> {
  const batch = opts.batch ?? 3, seed = opts.seed ?? 1;
  const n = dims.reduce((a, b) => a * b, 1);
  const x = opts.x ?? randoms(n, seed, 0, 1);
  const j64 = await createJacobian(bytes, dims, { precision: 'f64', outputs: opts.outputs });
  const j32 = await createJacobian(bytes, dims, { precision: 'f32', outputs: opts.outputs });
  try {
    const v = randoms(batch * n, seed + 1);
    const u: Record<string, Float64Array> = {};
    j64.outputs.forEach((o, k) => { u[o] = randoms(batch * j64.outputDims[k]!.reduce((a, b) => a * b, 1), seed + 2 + k); });
    const t64 = await j64.jvp(x, v, batch), g64 = await j64.vjp(x, u, batch);
    const t32 = await j32.jvp(x, v, batch), g32 = await j32.vjp(x, u, batch);
    const adj = (t: Record<string, ArrayLike<number>>, gr: ArrayLike<number>) => {
      let worst = 0;
      for (let b = 0; b < batch; b++) {
        let lhs = 0, scale = 0;
        j64.outputs.forEach((o, k) => {
          const m = j64.outputDims[k]!.reduce((a, c) => a * c, 1);
          lhs += dot(t[o]!, u[o]!.subarray(b * m, (b + 1) * m), b * m, m);
          scale += norm(t[o]!, b * m, m) * norm(u[o]!, b * m, m);
        });
        const rhs = dot(gr, v.subarray(b * n, (b + 1) * n), b * n, n);
        worst = Math.max(worst, Math.abs(lhs - rhs) / scale);
      }
      return worst;
    };
    let minNorm = Infinity;
    for (let b = 0; b < batch; b++) {
      minNorm = Math.min(minNorm, norm(g64.gradient, b * n, n));
      for (const [k, o] of j64.outputs.entries()) { const m = j64.outputDims[k]!.reduce((a, c) => a * c, 1); minNorm = Math.min(minNorm, norm(t64.tangents[o]!, b * m, m)); }
    }
    const cat = (r: Record<string, ArrayLike<number>>) => Float64Array.from(j64.outputs.flatMap((o) => Array.from(r[o]!)));
    let fd = NaN;
    if (opts.fdStep) fd = await centralDifference(bytes, dims, j64, x, v, batch, t64.tangents, opts.fdStep);
    // batched against unbatched (float64)
    let batched = NaN;
    if (opts.unbatched !== false) batched = 0;
    for (let b = 0; b < batch && opts.unbatched !== false; b++) {
      const one = await j64.jvp(x, v.subarray(b * n, (b + 1) * n), 1);
      for (const [k, o] of j64.outputs.entries()) {
        const m = j64.outputDims[k]!.reduce((a, c) => a * c, 1);
        batched = Math.max(batched, relL2(one.tangents[o]!, t64.tangents[o]!.subarray(b * m, (b + 1) * m)));
      }
      const uOne = Object.fromEntries(j64.outputs.map((o, k) => { const m = j64.outputDims[k]!.reduce((a, c) => a * c, 1); return [o, u[o]!.subarray(b * m, (b + 1) * m)]; }));
      const gOne = await j64.vjp(x, uOne, 1);
      batched = Math.max(batched, relL2(gOne.gradient, g64.gradient.subarray(b * n, (b + 1) * n)));
    }
    return {
      adjoint: adj(t64.tangents, g64.gradient), adjoint32: adj(t32.tangents, g32.gradient), fd,
      f32jvp: relL2(cat(t32.tangents), cat(t64.tangents)), f32vjp: relL2(g32.gradient, g64.gradient), batched, minNorm,
    };
  } finally {
    await j64.release();
    await j32.release();
  }
}

async function centralDifference(bytes: Uint8Array, dims: number[], j: Jacobian, x: Float64Array, v: Float64Array, batch: number, tangents: Record<string, ArrayLike<number>>, h: number): Promise<number> {
  const s = await createSession(bytes, { precision: 'f64', expose: j.outputs.filter((o) => o !== j.input) });
  const n = x.length;
  let worst = 0;
  try {
    for (let b = 0; b < batch; b++) {
      const dir = v.subarray(b * n, (b + 1) * n);
      const plus = await s.run({ [j.input]: { data: x.map((xi, i) => xi + h * dir[i]!), dims } });
      const minus = await s.run({ [j.input]: { data: x.map((xi, i) => xi - h * dir[i]!), dims } });
      for (const [k, o] of j.outputs.entries()) {
        const m = j.outputDims[k]!.reduce((a, c) => a * c, 1);
        const p = plus[o]!.data as Float64Array, q = minus[o]!.data as Float64Array;
        const fdv = Float64Array.from({ length: m }, (_, i) => (p[i]! - q[i]!) / (2 * h));
        worst = Math.max(worst, relL2(fdv, Array.from({ length: m }, (_, i) => tangents[o]![b * m + i]!)));
      }
    }
  } finally {
    await s.release();
  }
  return worst;
}
