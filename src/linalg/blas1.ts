// Level-1 vector kernels for the iterative solvers (project.ts, lanczos.ts): dot, nrm2, axpy, scal.
//
// These stay in TypeScript on purpose. Solver vectors live in JS Float64Arrays between operator
// products; a WASM call would first copy both vectors into linear memory, and that copy moves as
// many bytes as the operation itself reads, so it cannot beat a JIT-compiled loop on one pass
// (measured: see the report in scratch/solver-notes.md). The heavy work of every iteration is in
// the operator's WASM im2col/GEMM products, not here.

/** ⟨x, y⟩ (equal lengths). */
export function dot(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Expected length ${n} for y but received length ${y.length}`);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return (s0 + s1) + (s2 + s3);
}

/** ‖x‖₂ without overflow or underflow (rescales when entries are beyond ±1e±150). */
export function nrm2(x: Float64Array): number {
  const n = x.length;
  let amax = 0;
  for (let i = 0; i < n; i++) { const a = Math.abs(x[i]!); if (a > amax) amax = a; }
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  if (amax > 1e-150 && amax < 1e150) return Math.sqrt(dot(x, x));
  const inv = 1 / amax;
  let s = 0;
  for (let i = 0; i < n; i++) { const v = x[i]! * inv; s += v * v; }
  return amax * Math.sqrt(s);
}

/** y ← y + alpha·x (in place; returns y). */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`Expected length ${n} for y but received length ${y.length}`);
  for (let i = 0; i < n; i++) y[i] += alpha * x[i]!;
  return y;
}

/** x ← alpha·x (in place; returns x). */
export function scal(alpha: number, x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
  return x;
}
