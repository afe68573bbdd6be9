// The numerical null space by Householder QR with column pivoting, with a certificate that its
// rank is the one nullSpace's SVD rule would give — or no answer, and the caller takes the SVD.
//
// Why: the Jacobi SVD of a dense 648 × 768 operator takes seconds (many O(n³) sweeps); the pivoted
// QR of Aᵀ is one O(m·n²) pass. QR with column pivoting is not rank-revealing in every case
// (Kahan's matrix), so its rank is only used when two bounds prove it:
//   σ_{r+1}(A) ≤ ‖A·B‖₂ ≤ ‖A·B‖_F — A(I − BBᵀ) has rank ≤ r and differs from A by A·B·Bᵀ;
//   σ_r(A) ≥ σ_min(R₁₁) ≥ 1/‖R₁₁⁻¹‖_F — the r accepted rows of A have R₁₁ as their triangle, and
//   deleting rows does not raise singular values (interlacing).
// With σ_lo ≤ ‖A‖₂ ≤ σ_hi (a power-iteration Rayleigh quotient, and min(‖A‖_F, √(‖A‖₁‖A‖_∞))),
// rank = r under the rule tol(σmax) whenever ‖A·B‖_F < tol(σ_lo) and 1/‖R₁₁⁻¹‖_F > tol(σ_hi).
// Backward error of the QR (≈ max(m, n)·eps64·‖A‖_F) is taken off both margins. Anything
// closer — a singular value near the tolerance, or a pivoting that did not reveal the rank —
// returns undefined.
import { core } from '../core/index.js';
import { checkMatrix, padded, stageRows } from './svd-input.js';
import { svdKernels } from './svd-kernels.js';
import { checkToleranceRule, resolveTolerance, EPS64, type ToleranceRule } from './tolerance.js';

export interface NullSpaceQrResult {
  /** (k, n) row-major, orthonormal rows spanning the numerical null space */
  basis: Float64Array;
  /** nullity n − rank */
  k: number;
  rank: number;
  /** bounds of ‖A‖₂ used: σ_lo ≤ ‖A‖₂ ≤ σ_hi */
  sigmaLo: number; sigmaHi: number;
  /** the proof: σ_{rank+1} ≤ upper < tol(σ_lo) ≤ tol ≤ tol(σ_hi) < lower ≤ σ_rank (upper = 0 or lower = ∞ when there is no such σ) */
  upper: number; lower: number;
  /** max over basis rows b of ‖A b‖ / σ_lo (≥ the relative residual ‖A b‖/‖A‖₂) */
  residual: number;
}

// Reflectors per compact-WY block when Q is formed (qr.ts's panel width).
const NB = 32;
// Power steps for σ_lo: any vector gives a valid lower bound; a few steps make it close enough
// that the residual it scales is not overstated by much.
const POWER_STEPS = 6;
// triInvFrob columns per call (the kernel's group), so that the calls after the first run optimised.
const INV_SLICE = 8;

/**
 * Orthonormal basis of the numerical null space of a (m, n) row-major under nullSpace's rule
 * (default σmax·max(m, n)·eps32), by pivoted QR of Aᵀ; undefined when the rank cannot be
 * certified this way (see the file comment) — use nullSpace then.
 * @throws TypeError/RangeError for bad arguments (as nullSpace)
 */
export function nullSpaceQr(a: Float64Array, m: number, n: number, opts: ToleranceRule = {}): NullSpaceQrResult | undefined {
  const rule = checkToleranceRule('nullSpaceQr', opts);
  const scale = checkMatrix('nullSpaceQr', a, m, n);
  if (m === 0 || n === 0 || scale === 0) return undefined; // trivial for the SVD path
  const K = core.kernels, S = svdKernels('f64');
  return core.scoped(() => {
    const ld = padded(n, 8);
    // X: the columns of Aᵀ = the rows of A (scaled to max |a_ij| = 1), overwritten by the QR; A kept for the checks
    const x = stageRows(a, m, n, ld, scale, 'f64');
    const a0 = stageRows(a, m, n, ld, scale, 'f64');
    const perm = core.alloc(m * 4), vn = core.alloc(m * 16);
    K.qrcpInitF64(x, m, n, ld, perm, vn);
    let fro2 = 0, top = 0;
    { const v = core.f64(vn, m); for (let i = 0; i < m; i++) { fro2 += v[i]! * v[i]!; if (v[i]! > v[top]!) top = i; } }
    const fro = Math.sqrt(fro2);
    const sigmaLo = powerLowerBound(a0, m, n, ld, top);
    const work = core.alloc(Math.max(n, INV_SLICE * m) * 8);
    const sigmaHi = Math.min(fro, K.normOneInfF64(a0, m, n, ld, work));
    // tolerances of the rule at both ends of ‖A‖₂'s bracket, in the scaled units
    const tolLo = resolveTolerance(sigmaLo * scale, m, n, rule) / scale;
    const tolHi = resolveTolerance(sigmaHi * scale, m, n, rule) / scale;
    const slack = Math.max(m, n) * EPS64 * fro;

    const tau = core.alloc(m * 8), rdiag = core.alloc(m * 8);
    const steps = Math.min(m, n);
    let r = 0;
    while (r < steps && K.qrcpStepF64(x, m, n, ld, tau, rdiag, perm, vn, r, tolLo) === 1) r++;
    const k = n - r;

    // σ_r ≥ 1/‖R₁₁⁻¹‖_F
    let inv2 = 0;
    for (let c0 = 0; c0 < r && Number.isFinite(inv2); c0 += INV_SLICE) inv2 += K.triInvFrobF64(x, r, ld, rdiag, work, c0, Math.min(c0 + INV_SLICE, r));
    const lower = r === 0 ? Infinity : 1 / Math.sqrt(inv2);
    if (r > 0 && !(lower - slack > tolHi)) return undefined;

    // B = Q·[0; I_k]: the last k columns of Q, as rows, by the reflectors' compact WY blocks, last block first
    const ldy = ld;
    const y = S.zeros(k * ldy);
    S.setDiagonal(y + r * 8, ldy, 0, k);
    const yb = core.alloc(NB * ldy * 8), t = core.alloc(NB * NB * 8);
    const w1 = core.alloc(k * NB * 8), w2 = core.alloc(k * NB * 8);
    for (let p0 = Math.floor((r - 1) / NB) * NB; p0 >= 0 && k > 0; p0 -= NB) {
      const b = Math.min(NB, r - p0), len = n - p0;
      S.qrWy(x + (p0 * ld + p0) * 8, b, len, ld, tau + p0 * 8, yb, ldy, t);
      const ys = y + p0 * 8;
      S.gemm(0, 1, k, b, len, 1, ys, ldy, yb, ldy, 0, w1, b);
      S.gemm(0, 1, k, b, b, 1, w1, b, t, b, 0, w2, b);
      S.gemm(0, 0, k, len, b, -1, w2, b, yb, ldy, 1, ys, ldy);
    }

    // σ_{r+1} ≤ ‖A·B‖_F; and the residual of every basis vector
    let upper = 0, worst = 0;
    if (k > 0) {
      const z = core.alloc(k * m * 8);
      S.gemm(0, 1, k, m, n, 1, y, ldy, a0, ld, 0, z, m);
      for (let i = 0; i < k; i++) {
        const s2 = K.dotF64(m, z + i * m * 8, z + i * m * 8);
        upper += s2; worst = Math.max(worst, s2);
      }
      upper = Math.sqrt(upper);
    }
    if (k > 0 && !(upper + slack < tolLo)) return undefined;

    const basis = new Float64Array(k * n);
    const view = core.f64(y, k * ldy);
    for (let i = 0; i < k; i++) basis.set(view.subarray(i * ldy, i * ldy + n), i * n);
    return {
      basis, k, rank: r,
      sigmaLo: sigmaLo * scale, sigmaHi: sigmaHi * scale,
      upper: upper * scale, lower: lower * scale,
      residual: k > 0 ? Math.sqrt(worst) / sigmaLo : 0,
    };
  });
}

/** ‖A v‖/‖v‖ after a few power steps from row `top` of A (the largest): a lower bound of ‖A‖₂. */
function powerLowerBound(a: number, m: number, n: number, ld: number, top: number): number {
  const K = core.kernels;
  const v = core.alloc(n * 8), u = core.alloc(m * 8);
  core.f64(v, n).set(core.f64(a + top * ld * 8, n));
  let best = 0;
  for (let s = 0; s <= POWER_STEPS; s++) {
    const vv = K.dotF64(n, v, v);
    if (!(vv > 0)) break;
    K.gemvNF64(m, n, 1 / Math.sqrt(vv), a, ld, v, 0, u); // u = A v/‖v‖
    const uu = Math.sqrt(K.dotF64(m, u, u));
    best = Math.max(best, uu);
    if (s < POWER_STEPS) K.gemvTF64(m, n, 1, a, ld, u, 0, v); // v = Aᵀ u
  }
  return best;
}
