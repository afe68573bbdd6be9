// The primal–dual steps' row side in WASM (src/stem/primal-dual.ts, assembly/primal_dual.ts) against
// the same steps written out in float64 over convOperator: Aᵀy after several steps, with bounds that
// bind, bounds of −∞/+∞, and equalities (lb = ub = 0) — to float32 accuracy, and the core's memory
// back where it was after dispose.
import t from 'tap';
import { convDualSteps } from '../../src/stem/primal-dual.js';
import { convOperator } from '../../src/linalg/conv.js';
import { outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';
import { core } from '../../src/core/wasm.js';

t.test('convDualSteps equals the dual step by definition (float64 reference), to float32 accuracy', async (t) => {
  const r = rng(9);
  for (const geo of [{ kh: 7, kw: 7, sh: 2, sw: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, groups: 1 }, { kh: 3, kw: 3, sh: 1, sw: 1, padTop: 1, padLeft: 0, padBottom: 0, padRight: 1, groups: 2 }]) {
    const g: ConvGeometry = { c: 4, h: 19, w: 22, outC: 6, dh: 1, dw: 1, ...geo };
    const { oh, ow } = outputSize(g); const m = g.outC * oh * ow; const n = g.c * g.h * g.w;
    const w = Float64Array.from({ length: g.outC * (g.c / g.groups) * g.kh * g.kw }, () => r.normal());
    const op = convOperator(w, g);
    const lb = new Float64Array(m); const ub = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const k = r.uniform();
      if (k < 0.2) { lb[j] = 0; ub[j] = 0; } else if (k < 0.5) { lb[j] = -Infinity; ub[j] = 0.3 * r.uniform(); } else if (k < 0.7) { lb[j] = -0.2; ub[j] = Infinity; } else { lb[j] = -Infinity; ub[j] = Infinity; }
    }
    const before = core.used;
    const d = convDualSteps(w, g)(lb, ub);
    const y = new Float64Array(m); const refAty = new Float64Array(n); const aty = new Float64Array(n);
    let sigma = 0.1; let worst = 0;
    for (let k = 0; k < 4; k++) {
      const xbar = Float64Array.from({ length: n }, () => r.normal());
      const ax = op.apply(xbar);
      for (let j = 0; j < m; j++) { const v = y[j]! + sigma * ax[j]!; const c = Math.min(ub[j]!, Math.max(lb[j]!, v / sigma)); y[j] = v - sigma * c; }
      op.applyT(y, refAty);
      d.step(xbar, sigma, aty);
      let num = 0; let den = 0; for (let i = 0; i < n; i++) { num += (aty[i]! - refAty[i]!) ** 2; den += refAty[i]! ** 2; }
      worst = Math.max(worst, Math.sqrt(num / den));
      sigma *= 1.3;
    }
    d.dispose();
    t.ok(worst < 1e-5 && worst > 0 && core.used === before, `groups ${g.groups}, ${g.kh}×${g.kw}/${g.sh}: Aᵀy relative difference ${worst.toExponential(1)} over 4 steps; arena back to ${core.used} bytes`);
  }
});
