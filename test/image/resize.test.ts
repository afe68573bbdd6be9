import t from 'tap';
import { resizeBilinear } from '../../src/image/resize.js';
import type { Image } from '../../src/image/image.js';

const gray = (width: number, height: number, values: number[]): Image => ({ width, height, channels: 1, bitDepth: 8, data: Float64Array.from(values) });

t.test('resizeBilinear(2×2 → 4×4) matches PyTorch interpolate(bilinear, align_corners=False)', (t) => {
  // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear', align_corners=False)
  const out = resizeBilinear(gray(2, 2, [1, 2, 3, 4]), { width: 4, height: 4 });
  t.same(Array.from(out.data), [
    1, 1.25, 1.75, 2,
    1.5, 1.75, 2.25, 2.5,
    2.5, 2.75, 3.25, 3.5,
    3, 3.25, 3.75, 4,
  ]);
  t.end();
});

t.test('resizeBilinear halves by averaging pixel pairs and keeps identity sizes unchanged', (t) => {
  const src = gray(4, 2, [0, 0.2, 0.4, 0.6, 1, 0.8, 0.6, 0.4]);
  const half = resizeBilinear(src, { width: 2, height: 1 });
  const expected = [(0 + 0.2 + 1 + 0.8) / 4, (0.4 + 0.6 + 0.6 + 0.4) / 4];
  t.ok(half.data.every((v, i) => Math.abs(v - expected[i]!) < 1e-15));
  const same = resizeBilinear(src, { width: 4, height: 2 });
  t.same(Array.from(same.data), Array.from(src.data));
  t.end();
});

t.test('resizeBilinear interpolates every channel and validates the size', (t) => {
  const rgba: Image = { width: 1, height: 2, channels: 4, bitDepth: 16, data: Float64Array.from([0, 0.1, 0.2, 1, 1, 0.9, 0.8, 0]) };
  const out = resizeBilinear(rgba, { width: 3, height: 3 });
  t.equal(out.channels, 4);
  t.equal(out.bitDepth, 16);
  // Row 1 samples source y = 1.5·(2/3) − 0.5 = 0.5: the mean of both rows in every channel.
  t.ok([0.5, 0.5, 0.5, 0.5].every((v, c) => Math.abs(out.data[(1 * 3 + 1) * 4 + c]! - v) < 1e-15));
  t.throws(() => resizeBilinear(rgba, { width: 0, height: 3 }), /Expected an integer between 1 and \d+ for size\.width but received 0/);
  t.end();
});
