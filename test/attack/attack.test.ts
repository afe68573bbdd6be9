// The attacks on models the tests build: PGD stays in its ball and the box and reaches the goal; the
// L-BFGS attack (Szegedy et al.) reaches the target with a smaller ‖r‖₂ than PGD-L2 on the same
// images at the same success.
import t from 'tap';
import { attackImage, type AttackSettings } from '../../src/attack/attack.js';
import { createClassifier } from '../../src/attack/classifier.js';
import { smoothImage, VIT, vitModel } from '../verify/models.js';

const base: AttackSettings = { method: 'pgd', norm: 'l2', eps: 1, steps: 40, label: 3, randomStart: false, seed: 0, bitDepth: 16 };

t.test('lbfgs reaches the target with a smaller L2 norm than PGD-L2 at the same success (ViT-shaped model)', async (t) => {
  const images = [4, 5, 6].map((s) => smoothImage(VIT, s));
  const c = await createClassifier(vitModel(), images[0]!, { mean: 0.5, std: 0.5, channels: 3 }, { precision: 'f32' });
  try {
    let both = 0;
    for (const [i, img] of images.entries()) {
      const p = await attackImage(c, img, base, i, `img${i}`);
      const l = await attackImage(c, img, { ...base, method: 'lbfgs', steps: 15, searchSteps: 6 }, i, `img${i}`);
      t.equal(p.record.success, p.record.top1.after === 3, 'pgd: success means the target');
      t.equal(l.record.success, l.record.top1.after === 3, 'lbfgs: success means the target');
      t.ok(p.record.delta.l2 <= 255 + 1e-9, 'pgd stays in the L2 ball (ε = 1 → 255 levels)');
      t.ok(l.adversarial.data.every((v) => v >= 0 && v <= 1) && p.adversarial.data.every((v) => v >= 0 && v <= 1), 'both stay in the pixel box');
      if (p.record.success && l.record.success) {
        both++;
        t.ok(l.record.delta.l2 < p.record.delta.l2, `image ${i}: ‖r‖₂ lbfgs ${l.record.delta.l2.toFixed(2)} < pgd ${p.record.delta.l2.toFixed(2)} (c = ${l.record.c})`);
      }
    }
    t.ok(both >= 2, `both attacks succeed on ${both} of 3 images`);
  } finally {
    await c.release();
  }
});
