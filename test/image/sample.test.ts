import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderSample, SAMPLE_PNG_URL } from '../../src/image/sample.js';
import { decodePng } from '../../src/image/png.js';

t.test('SAMPLE_PNG_URL (assets/sample.png) is renderSample() stored exactly: 192×48 RGB dark text on light paper', (t) => {
  const stored = decodePng(readFileSync(SAMPLE_PNG_URL), { location: 'assets/sample.png' });
  const drawn = renderSample();
  t.same({ w: stored.width, h: stored.height, c: stored.channels, d: stored.bitDepth }, { w: 192, h: 48, c: 3, d: 8 });
  t.ok(stored.data.every((v, i) => v === drawn.data[i]), 'identical samples');
  const lum = Array.from({ length: 192 * 48 }, (_, p) => (stored.data[3 * p]! + stored.data[3 * p + 1]! + stored.data[3 * p + 2]!) / 3);
  const dark = lum.filter((v) => v < 0.3).length / lum.length;
  t.ok(dark > 0.05 && dark < 0.4, `ink covers ${(100 * dark).toFixed(1)}% of the image`);
  t.ok(Math.max(...lum) > 0.85, 'light background');
  t.end();
});
