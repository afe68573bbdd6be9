// Bilinear resize, used only with --resize (off by default: resizing a perturbed image destroys the
// collision, so collide perturbs at model resolution). Browser-safe.
import { assertInt } from '../core/errors.js';
import { checkImage, type Image } from './image.js';

/** Source coordinate and weights along one axis (half-pixel centres, align_corners = false). */
function axis(outSize: number, inSize: number): { i0: Int32Array; i1: Int32Array; w1: Float64Array } {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w1 = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    let s = (o + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    const f = Math.min(Math.floor(s), inSize - 1);
    i0[o] = f;
    i1[o] = Math.min(f + 1, inSize - 1);
    w1[o] = s - f;
  }
  return { i0, i1, w1 };
}

/**
 * Resizes every channel (alpha included) to width × height by bilinear interpolation.
 *
 * Notes: the convention is PyTorch's `interpolate(mode='bilinear', align_corners=False, antialias=False)`
 * and OpenCV's INTER_LINEAR: output pixel o samples source coordinate (o + 0.5)·in/out − 0.5, clamped
 * at 0 and at the last pixel. No antialiasing, so large downscales alias.
 *
 * @throws TypeError/RangeError for a malformed image or a non-positive size.
 */
export function resizeBilinear(image: Image, size: { width: number; height: number }): Image {
  checkImage('image', image);
  assertInt('size.width', size.width, 1);
  assertInt('size.height', size.height, 1);
  const { width: W, height: H, channels: C, data } = image;
  const { width: w, height: h } = size;
  const xs = axis(w, W), ys = axis(h, H);
  const out = new Float64Array(w * h * C);
  for (let y = 0; y < h; y++) {
    const r0 = ys.i0[y]! * W, r1 = ys.i1[y]! * W, wy = ys.w1[y]!;
    for (let x = 0; x < w; x++) {
      const c0 = xs.i0[x]!, c1 = xs.i1[x]!, wx = xs.w1[x]!;
      const o = (y * w + x) * C;
      for (let c = 0; c < C; c++) {
        const top = data[(r0 + c0) * C + c]! * (1 - wx) + data[(r0 + c1) * C + c]! * wx;
        const bottom = data[(r1 + c0) * C + c]! * (1 - wx) + data[(r1 + c1) * C + c]! * wx;
        out[o + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return { width: w, height: h, channels: C, bitDepth: image.bitDepth, data: out };
}
