import t from 'tap';
import { psnr, deltaStats, clipFraction, clip01 } from '../../src/image/metrics.js';

t.test('psnr(a, b) is 10·log10(1/MSE) on the [0, 1] scale', (t) => {
  t.ok(Math.abs(psnr([0, 0, 0, 0], [0.1, 0.1, 0.1, 0.1]) - 20) < 1e-12);
  t.ok(Math.abs(psnr([0, 0], [0.1, -0.1]) - 20) < 1e-12);
  // One 8-bit level everywhere: 20·log10(255) = 48.1308…
  t.ok(Math.abs(psnr([0.5, 0.2], [0.5 + 1 / 255, 0.2 - 1 / 255]) - 48.13080360867909) < 1e-9);
  t.equal(psnr([0.3, 0.4], [0.3, 0.4]), Infinity);
  t.throws(() => psnr([1], [1, 2]), /Expected length 1 for b but received length 2/);
  t.throws(() => psnr([], []), /psnr of empty arrays is undefined/);
  t.end();
});

t.test('deltaStats(delta) gives L2, L∞ and RMS in 8-bit levels by default, or on the [0, 1] scale', (t) => {
  const d = [3 / 255, -4 / 255];
  const s = deltaStats(d);
  t.ok(Math.abs(s.l2 - 5) < 1e-12 && Math.abs(s.linf - 4) < 1e-12 && Math.abs(s.rms - 5 / Math.SQRT2) < 1e-12);
  t.equal(s.scale, 255);
  t.equal(s.count, 2);
  const u = deltaStats([0.3, 0.4, 0, 0], 1);
  t.ok(Math.abs(u.l2 - 0.5) < 1e-15 && u.linf === 0.4 && Math.abs(u.rms - 0.25) < 1e-15);
  t.same(deltaStats([0, 0]), { l2: 0, linf: 0, rms: 0, scale: 255, count: 2 });
  t.equal(deltaStats([1e200, 1e200], 1).l2, Math.SQRT2 * 1e200, 'no overflow in the sum of squares');
  t.throws(() => deltaStats([1], 0), /Expected a positive finite number for scale but received 0 of type number/);
  t.end();
});

t.test('clipFraction(x) counts entries outside [0, 1]; clip01 clips a copy', (t) => {
  t.equal(clipFraction([0, 1, 0.5, -1e-17, 1 + 1e-15, 2, 0.99, 0]), 3 / 8);
  t.equal(clipFraction([]), 0);
  const x = Float64Array.from([-0.5, 0.25, 1.5]);
  t.same(Array.from(clip01(x)), [0, 0.25, 1]);
  t.same(Array.from(x), [-0.5, 0.25, 1.5], 'input unchanged');
  t.end();
});
