// The Square Attack on models the tests build: it reaches an easy goal inside its budget (L∞: every
// coordinate of the result is x ± ε exactly, or a box bound; L2: ‖r‖₂ ≤ ε), counts its queries
// (clean image + start + one per iteration), stops at the query budget, repeats itself for the
// same seed, and runs on a model with an op that has no derivative rule (where PGD cannot).
import t from 'tap';
import { attackImage, type AttackSettings } from '../../src/attack/attack.js';
import { createClassifier } from '../../src/attack/classifier.js';
import { squareFraction } from '../../src/attack/square.js';
import { decodeModel } from '../../src/onnx/model.js';
import { onnx } from '../../src/onnx/proto.js';
import { smoothImage, VIT, vitModel } from '../verify/models.js';

const input = { mean: 0.5, std: 0.5, channels: 3 as const };
const base: AttackSettings = { method: 'square', norm: 'linf', eps: 0.05, steps: 1, randomStart: false, seed: 0, bitDepth: 16, queries: 400 };

t.test('squareFraction(p, it, n) follows the paper\'s schedule, rescaled from 10 000 iterations to n', async (t) => {
  // the paper's table (p_selection in Andriushchenko et al.'s code): iteration → p / divisor
  const table: [number, number][] = [[0, 1], [10, 1], [11, 2], [50, 2], [51, 4], [200, 4], [201, 8], [500, 8], [501, 16], [1000, 16], [1001, 32],
    [2000, 32], [2001, 64], [4000, 64], [4001, 128], [6000, 128], [6001, 256], [8000, 256], [8001, 512], [9999, 512]];
  for (const [it, div] of table) t.equal(squareFraction(0.05, it, 10000), 0.05 / div, `iteration ${it} of 10 000`);
  t.equal(squareFraction(0.1, 3, 100), 0.1 / 8, 'iteration 3 of 100 is iteration 300 of 10 000');
});

t.test('square L∞ (untargeted, ViT-shaped model): success, every coordinate x ± ε, queries = iterations + 2, same seed → same image', async (t) => {
  const img = smoothImage(VIT, 4);
  const c = await createClassifier(vitModel(), img, input, { precision: 'f32', gradients: false });
  try {
    const a = await attackImage(c, img, base, 0, 'a');
    const b = await attackImage(c, img, base, 0, 'a');
    const other = await attackImage(c, img, { ...base, seed: 5 }, 0, 'a');
    t.equal(a.record.success, true, `top-1 ${a.record.top1.before} → ${a.record.top1.after} in ${a.record.queries} queries`);
    t.not(a.record.top1.after, a.record.top1.before);
    t.equal(a.record.queries, a.record.steps + 2, 'one query for x, one for the start, one per iteration');
    t.ok(a.record.queries <= 400);
    // smoothImage lies in [0.1, 0.9], so with ε = 0.05 nothing clips: every coordinate moves by exactly ε
    let worst = 0;
    for (let i = 0; i < img.data.length; i++) worst = Math.max(worst, Math.abs(Math.abs(a.adversarial.data[i]! - img.data[i]!) - 0.05));
    t.ok(worst <= 1e-15, `| |x′ − x| − ε | ≤ ${worst.toExponential(1)} at every coordinate`);
    t.ok(a.record.delta.linf <= 0.05 * 255 * (1 + 1e-12), `‖r‖∞ ${a.record.delta.linf} levels ≤ ε`);
    t.same(Array.from(b.adversarial.data), Array.from(a.adversarial.data), 'same seed: the same image');
    t.equal(b.record.queries, a.record.queries, 'same seed: the same query count');
    t.notSame(Array.from(other.adversarial.data), Array.from(a.adversarial.data), 'another seed: another image');
  } finally {
    await c.release();
  }
});

t.test('square stops at its query budget and says it failed (an unreachable goal)', async (t) => {
  const img = smoothImage(VIT, 5);
  const c = await createClassifier(vitModel(), img, input, { precision: 'f32', gradients: false });
  try {
    // ε = 1/255 is far too small to flip this model (ε = 0.02 fails too, ε = 0.05 succeeds): run out of queries
    const r = await attackImage(c, img, { ...base, eps: 1 / 255, queries: 25 }, 0, 'b');
    t.equal(r.record.success, false, `margin after ${r.record.margin.after}`);
    t.equal(r.record.top1.after, r.record.top1.before);
    t.equal(r.record.queries, 25, 'the whole budget was spent');
    t.equal(r.record.steps, 23);
  } finally {
    await c.release();
  }
});

t.test('square L2 (targeted, ViT-shaped model): reaches the target with ‖r‖₂ ≤ ε, in the pixel box', async (t) => {
  const img = smoothImage(VIT, 4);
  const c = await createClassifier(vitModel(), img, input, { precision: 'f32', gradients: false });
  try {
    let reached = 0;
    for (const label of [0, 1, 2, 3, 4]) {
      const r = await attackImage(c, img, { ...base, norm: 'l2', eps: 2, label, queries: 400 }, label, `l${label}`);
      if (label === r.record.top1.before) continue;
      t.equal(r.record.success, r.record.top1.after === label, `label ${label}: success means the target`);
      if (r.record.success) reached++;
      t.ok(r.record.delta.l2 <= 2 * 255 * (1 + 1e-12), `‖r‖₂ ${(r.record.delta.l2 / 255).toFixed(4)} ≤ ε = 2`);
      t.ok(r.adversarial.data.every((v) => v >= 0 && v <= 1), 'in the pixel box');
      t.equal(r.record.queries, r.record.steps + 2);
    }
    t.ok(reached >= 3, `${reached} of 4 targets reached`);
  } finally {
    await c.release();
  }
});

t.test('square runs on a model with an op that has no derivative rule (Abs), where a gradient classifier refuses it', async (t) => {
  const m = decodeModel(vitModel(), 'vit');
  m.graph!.node!.find((n) => n.opType === 'Erf')!.opType = 'Abs';
  const bytes = onnx.ModelProto.encode(m).finish();
  const img = smoothImage(VIT, 6);
  await t.rejects(createClassifier(bytes, img, input, { precision: 'f32' }), /Abs/);
  const c = await createClassifier(bytes, img, input, { precision: 'f32', gradients: false });
  try {
    const r = await attackImage(c, img, { ...base, eps: 0.1 }, 0, 'abs');
    t.equal(r.record.success, true, `top-1 ${r.record.top1.before} → ${r.record.top1.after} in ${r.record.queries} queries`);
    await t.rejects(c.crossEntropy(img.data, 0), /without gradients/);
  } finally {
    await c.release();
  }
});
