// The CG loop of projectToNullSpace with every vector in WASM memory: used when the operator (and
// preconditioner) carry pointer-level products (ptr-products.ts). Same algorithm and stopping
// rules as project.ts; the vector updates run in assembly/blas1.ts (dotF64, axpbyF64) and the
// products read and write the solver's vectors in place. Internal.
import type { PtrProducts } from './ptr-products.js';

const EPS = 2 ** -52;

export interface WasmProjection { residual: number; iterations: number; passes: number }

/** δ (in/out, cols) ← P_ker(A) δ by (P)CG on A Aᵀ; vNorm = ‖v‖ of the original δ. Internal. */
export function projectInWasm(A: PtrProducts, M: PtrProducts | undefined, rows: number, cols: number,
  delta: Float64Array, vNorm: number, norm: number, tol: number, maxIter: number): WasmProjection {
  const c = A.core;
  const k = c.kernels;
  const applyT = A.applyT!;
  return c.scoped(() => {
    const d = c.put(delta);
    const r = c.alloc(rows * 8), p = c.alloc(rows * 8), q = c.alloc(rows * 8), u = c.alloc(cols * 8);
    const z = M ? c.alloc(rows * 8) : r; // without M, z is r itself
    const copy = (src: number, dst: number, n: number) => new Uint8Array(c.memory.buffer).copyWithin(dst, src, src + n * 8);
    const ratio = (): number => {
      A.apply(d, r);
      const dn = Math.sqrt(k.dotF64(cols, d, d));
      return dn === 0 ? 0 : Math.sqrt(k.dotF64(rows, r, r)) / (norm * dn);
    };
    let iterations = 0, passes = 0, best = Infinity;
    let residual = ratio();
    while (residual > tol && iterations < maxIter) {
      if (residual > 0.5 * best) break;
      best = residual;
      passes++;
      const target = Math.max(0.25 * tol * norm * Math.sqrt(k.dotF64(cols, d, d)), 8 * EPS * norm * vNorm);
      if (M) M.apply(r, z);
      copy(z, p, rows);
      let rz = k.dotF64(rows, r, z);
      while (iterations < maxIter) {
        applyT.call(A, p, u);
        const uu = k.dotF64(cols, u, u);
        if (!(uu > 0) || !(rz > 0)) break;
        A.apply(u, q);
        iterations++;
        const alpha = rz / uu;
        k.axpbyF64(cols, -alpha, u, 1, d);
        k.axpbyF64(rows, -alpha, q, 1, r);
        const rr = k.dotF64(rows, r, r);
        if (Math.sqrt(rr) <= target) break;
        if (M) M.apply(r, z);
        const rzNew = M ? k.dotF64(rows, r, z) : rr;
        const beta = rzNew / rz;
        rz = rzNew;
        k.axpbyF64(rows, 1, z, beta, p); // p ← z + β p
      }
      residual = ratio();
    }
    delta.set(c.f64(d, cols));
    return { residual, iterations, passes };
  });
}
