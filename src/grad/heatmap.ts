// A diverging-colour picture of a pixel gradient: per pixel the sum over colour channels, blue for
// negative, white for zero, red for positive, scaled so the 99.5th percentile of |g| saturates
// (a few extreme pixels would otherwise wash the rest out).
import type { Image } from '../image/image.js';

/**
 * @param g gradient H×W×C row-major (C colour channels)
 * @returns an 8-bit RGB image and the |g| value that saturates
 */
export function gradientHeatmap(g: Float64Array, width: number, height: number, channels: number): { image: Image; scale: number } {
  const plane = width * height;
  const s = new Float64Array(plane);
  for (let p = 0; p < plane; p++) { let v = 0; for (let c = 0; c < channels; c++) v += g[p * channels + c]!; s[p] = v; }
  const mags = Float64Array.from(s, Math.abs).sort();
  const scale = mags[Math.min(plane - 1, Math.floor(0.995 * plane))]! || mags[plane - 1]! || 1;
  const data = new Float64Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    const t = Math.max(-1, Math.min(1, s[p]! / scale));
    // white → red (t > 0) or white → blue (t < 0)
    const fade = 1 - Math.abs(t);
    data[p * 3] = t >= 0 ? 1 : fade;
    data[p * 3 + 1] = fade;
    data[p * 3 + 2] = t <= 0 ? 1 : fade;
  }
  return { image: { width, height, channels: 3, bitDepth: 8, data }, scale };
}
