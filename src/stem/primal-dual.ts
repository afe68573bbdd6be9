// The row side of the stem's primal–dual steps where the conv products run: the conv outputs' dual
// variables y, their bounds and Aδ̄ stay in WASM memory (float32) for all the steps; only δ̄ goes in
// and Aᵀy comes out, both image-sized. The dual update is assembly/primal_dual.ts. Moving ~800 k rows
// through JavaScript twice a step, with conversions, cost about a third of the method's time.
import type { ConvGeometry } from '../linalg/geometry.js';
import { checkGeometry } from '../linalg/im2col.js';
import { convPtr, convAdjointPtr } from '../linalg/conv.js';
import { core } from '../core/wasm.js';

export interface DualSteps {
  /** ax = A·xbar, y ← dual step with σ, aty = Aᵀ·y (float32 products) */
  step(xbar: Float64Array, sigma: number, aty: Float64Array): void;
  /** frees the WASM memory (the core's arena back to where it was) */
  dispose(): void;
}

/** Dual steps for conv(weight, g) (any groups) with row bounds lb ≤ A δ ≤ ub (±Infinity: none). */
export function convDualSteps(weight: Float64Array, g: ConvGeometry): (lb: Float64Array, ub: Float64Array) => DualSteps {
  const { oh, ow } = checkGeometry(g);
  const m = g.outC * oh * ow; const n = g.c * g.h * g.w;
  const colsLen = g.c * g.kh * g.kw * oh * ow;
  return (lb, ub) => {
    const mark = core.mark();
    const wPtr = core.put(Float32Array.from(weight));
    const lbPtr = core.alloc(m * 4); const ubPtr = core.alloc(m * 4);
    const yPtr = core.alloc(m * 4); const axPtr = core.alloc(m * 4);
    const xPtr = core.alloc(n * 4); const atyPtr = core.alloc(n * 4);
    const colsPtr = core.alloc(colsLen * 4);
    core.f32(lbPtr, m).set(lb); core.f32(ubPtr, m).set(ub); core.f32(yPtr, m).fill(0);
    return {
      step(xbar, sigma, aty) {
        core.f32(xPtr, n).set(xbar);
        core.scoped(() => convPtr(core, false, g, oh, ow, wPtr, xPtr, colsPtr, axPtr));
        core.kernels.pdDualF32(m, sigma, axPtr, yPtr, lbPtr, ubPtr);
        core.scoped(() => convAdjointPtr(core, false, g, oh, ow, wPtr, yPtr, colsPtr, atyPtr));
        aty.set(core.f32(atyPtr, n));
      },
      dispose() { core.release(mark); },
    };
  };
}
