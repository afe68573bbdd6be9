// Block-Jacobi preconditioner for CG on A Aᵀ when A is a convolution (projectToNullSpace).
//
// The diagonal block of A Aᵀ at one output location couples the outC/g output channels of a
// group through W_g W_gᵀ (M × M, M = outC/g) — exactly so for windows inside the image, with
// fewer taps at the border. M⁻¹ = blockdiag over locations of (W_g W_gᵀ)⁻¹ removes the channel
// mixing from the condition number and leaves only the spatial overlap of windows; applying it
// is one GEMM per group, (M × M) · (M × oh·ow), in the WASM core.
import { core } from '../core/wasm.js';
import { assertLength, invalidParameter } from '../core/errors.js';
import type { ConvGeometry } from './geometry.js';
import { checkFinite } from './arrays.js';
import { checkGeometry } from './im2col.js';
import { gemm, gemmPtr } from './gemm.js';
import { symmetricEigen } from './ritz.js';
import { attachPtrProducts } from './ptr-products.js';

/**
 * The block-Jacobi preconditioner M ≈ (A Aᵀ)⁻¹ of the conv operator convOperator(weight, g).
 *
 * @param weight (outC, c/groups, kh, kw) Float64Array
 * @param g geometry
 * @returns (r, out) => void writing M r into out; r and out have convOperator's rows = outC·oh·ow
 * @throws TypeError/RangeError on a bad geometry or weight
 *
 * Notes: (W_g W_gᵀ)⁻¹ by a symmetric eigen-decomposition with eigenvalues clamped below at
 * 1e-10·λmax, so M stays symmetric positive definite when W_g has dependent rows (CG needs SPD M;
 * on a rank-deficient A the system stays consistent and CG still converges).
 */
export function convPreconditioner(weight: Float64Array, g: ConvGeometry): (r: Float64Array, out: Float64Array) => void {
  const { oh, ow } = checkGeometry(g);
  if (!(weight instanceof Float64Array)) throw invalidParameter('weight', 'a Float64Array', weight);
  const M = g.outC / g.groups, K = (g.c / g.groups) * g.kh * g.kw, N = oh * ow;
  assertLength('weight', weight, g.outC * K);
  checkFinite('weight', weight);
  const inv = new Float64Array(g.groups * M * M);
  for (let gi = 0; gi < g.groups; gi++) {
    const wg = weight.subarray(gi * M * K, (gi + 1) * M * K);
    const gram = gemm(wg, wg, M, M, K, { transB: true });
    const { values, vectors } = symmetricEigen(gram, M);
    const floor = 1e-10 * Math.max(values[M - 1]!, Number.MIN_VALUE);
    const scaled = new Float64Array(M * M); // rows of Vᵀ scaled by 1/λ
    for (let i = 0; i < M; i++) {
      const s = 1 / Math.max(values[i]!, floor);
      for (let j = 0; j < M; j++) scaled[i * M + j] = vectors[i * M + j]! * s;
    }
    inv.set(gemm(vectors, scaled, M, M, M, { transA: true }), gi * M * M); // V Λ⁻¹ Vᵀ
  }
  const rows = g.outC * N;
  const ptr = {
    core,
    apply(rPtr: number, outPtr: number): void {
      core.scoped(() => {
        const invPtr = core.put(inv);
        for (let gi = 0; gi < g.groups; gi++) {
          gemmPtr(core, true, false, false, M, N, M, 1, invPtr + gi * M * M * 8, M, rPtr + gi * M * N * 8, N, 0, outPtr + gi * M * N * 8, N);
        }
      });
    },
  };
  const apply = (r: Float64Array, out: Float64Array): void => {
    assertLength('r', r, rows);
    assertLength('out', out, rows);
    core.scoped(() => {
      const rPtr = core.put(r);
      const outPtr = core.alloc(rows * 8);
      ptr.apply(rPtr, outPtr);
      out.set(core.f64(outPtr, rows));
    });
  };
  return attachPtrProducts(apply, ptr);
}
