import t from 'tap';
import { createSession } from '../../src/runtime/session.js';
import { analyseInteractions } from '../../src/interactions/analyse.js';
import { modelGame, randomLike, sessionRunner } from '../../src/interactions/model-game.js';
import { gridUnits, maskedInputs } from '../../src/interactions/units.js';
import { argmax, resolveUtility, utilityOf } from '../../src/interactions/utility.js';
import { quadraticCase } from './models.js';

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

t.test('gridUnits(h, w, grid) partitions the plane into grid² cells differing by at most one pixel per side', async (t) => {
  const { units, cellOf } = gridUnits(7, 10, 3);
  t.equal(units, 9);
  const count = new Array<number>(9).fill(0);
  for (const c of cellOf) count[c]!++;
  t.same(count, [12, 9, 9, 8, 6, 6, 8, 6, 6], 'rows 3/2/2, columns 4/3/3');
  t.equal(cellOf[0], 0); t.equal(cellOf[7 * 10 - 1], 8);
  t.throws(() => gridUnits(7, 10, 8), /Expected an integer between 1 and 7 for grid but received 8/);
});

t.test('maskedInputs writes x + δ on the kept units only, per channel', async (t) => {
  const { units, cellOf } = gridUnits(2, 2, 2);
  const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // 2 channels of 2×2
  const d = Float64Array.from([10, 20, 30, 40, 50, 60, 70, 80]);
  const out = new Float64Array(16);
  maskedInputs(x, d, cellOf, units, Uint8Array.from([1, 0, 0, 1, 0, 1, 1, 0]), 2, out);
  t.same(Array.from(out), [11, 2, 3, 44, 55, 6, 7, 88, 1, 22, 33, 4, 5, 66, 77, 8]);
});

t.test('utilityOf(kind, row, cls): margins and losses on logits, and in log space on probability rows', async (t) => {
  t.equal(utilityOf('margin', [1, 3, 2], 1), 1);
  t.equal(utilityOf('logit', [1, 3, 2], 1), 3);
  t.ok(Math.abs(utilityOf('loss', [1, 3, 2], 1) - (Math.log(Math.exp(1) + Math.exp(3) + Math.exp(2)) - 3)) < 1e-15);
  // a softmax row: the margin is the logit margin, the loss −log p
  const z = [2, -1.5], e = z.map(Math.exp), s = e[0]! + e[1]!, p = e.map((v) => v / s);
  t.ok(Math.abs(utilityOf('margin', p, 0) - 3.5) < 1e-14, 'log p0 − log p1 = z0 − z1');
  t.ok(Math.abs(utilityOf('loss', p, 0) + Math.log(p[0]!)) < 1e-15);
  t.equal(argmax([0, 5, 5, 1]), 1);
  t.equal(resolveUtility('loss'), 'loss');
  t.throws(() => resolveUtility('accuracy'), /Expected one of margin, logit, loss for --utility but received "accuracy"/);
});

for (const precision of ['f64', 'f32'] as const) {
  t.test(`analyseInteractions on a model whose utility is a quadratic form (${precision}) gives the exact interactions`, async (t) => {
    const c = quadraticCase(6, 9, 3);
    const s = await createSession(c.bytes, { precision });
    try {
      const runner = sessionRunner(s, [1, c.h, c.w]);
      let runs = 0;
      const counting = { ...runner, run: (d: Float32Array | Float64Array, n: number) => { runs++; return runner.run(d, n); } };
      const r = await analyseInteractions(counting, { x: c.x, delta: c.delta, h: c.h, w: c.w, grid: 3, samples: 2, seed: 1, utility: 'logit', batch: 16 });
      const tol = precision === 'f64' ? 1e-11 : 1e-4; // float32: Δv of four outputs ~10× larger than I
      const err = maxDiff(r.interaction, c.interaction) / maxAbs(c.interaction);
      t.ok(err < tol, `max |I − I_exact| / max |I_exact| = ${err.toExponential(2)}`);
      t.ok(Math.abs(r.shapleySum - (r.vFull - r.vEmpty)) <= 1e-12 * Math.max(1, Math.abs(r.vFull)), `efficiency: Σφ ${r.shapleySum} = v(Ω) − v(∅) ${r.vFull - r.vEmpty}`);
      // v(Ω) = Σφ_exact
      t.ok(Math.abs(r.vFull - c.shapley.reduce((a, b) => a + b, 0)) < (precision === 'f64' ? 1e-11 : 1e-4) * maxAbs(c.shapley) * 9);
      // x + δ_∅ is x; a batch of 2 and a batch of 1 may round differently in the float32 GEMM
      t.ok(Math.abs(r.vEmpty) <= (precision === 'f64' ? 1e-12 : 1e-5) * Math.abs(r.u0), `v(∅) = ${r.vEmpty}`);
      t.ok(runs < r.evaluations / 8, `batched: ${r.evaluations} evaluations in ${runs} model runs`);
      t.equal(r.grid, 3); t.equal(r.units, 9); t.equal(r.class, 0);
      t.ok(r.seconds > 0);
    } finally {
      await s.release();
    }
  });
}

t.test('modelGame refuses mismatched inputs; randomLike keeps the pixel-space norm', async (t) => {
  const c = quadraticCase(4, 4, 2);
  const s = await createSession(c.bytes);
  try {
    const { cellOf } = gridUnits(4, 4, 2);
    await t.rejects(modelGame(sessionRunner(s, [1, 4, 4]), c.x, c.delta.subarray(1), cellOf, 4, { utility: 'logit', batch: 4 }), /Expected length 16 for delta but received length 15/);
    await t.rejects(modelGame(sessionRunner(s, [1, 4, 4]), c.x, c.delta, cellOf, 4, { utility: 'logit', batch: 0 }), /Expected an integer between 1 and \d+ for batch but received 0/);
  } finally {
    await s.release();
  }
  const d = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const r = randomLike(d, [0.5, 2], 3, 7);
  const pn = (a: Float64Array) => Math.hypot(...Array.from(a, (v, i) => v * (i < 3 ? 0.5 : 2)));
  t.ok(Math.abs(pn(r) - pn(d)) < 1e-12);
  t.same(randomLike(d, [0.5, 2], 3, 7), r, 'seeded');
});
