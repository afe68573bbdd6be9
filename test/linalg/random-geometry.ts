// A seeded random convolution geometry for the tests of the normal equations (band assembly and
// factor): stride 1–3, kernel 1–7, dilation 1–2, asymmetric padding, groups, rectangular images.
import { convGeometry, outputSize, type ConvGeometry } from '../../src/linalg/geometry.js';
import { rng } from '../../src/linalg/random.js';

/** A seeded random geometry: stride 1–3, kernel 1–7, dilation 1–2, asymmetric padding, groups, rectangular images. */
export function randomGeometry(seed: number): ConvGeometry {
  const u = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(u.uniform() * (hi - lo + 1));
  for (;;) {
    const groups = int(1, 2);
    const g = convGeometry({
      c: groups * int(1, 2), outC: groups * int(1, 3), h: int(3, 14), w: int(3, 14), kh: int(1, 7), kw: int(1, 7),
      sh: int(1, 3), sw: int(1, 3), dh: int(1, 2), dw: int(1, 2),
      padTop: int(0, 2), padLeft: int(0, 3), padBottom: int(0, 1), padRight: int(0, 2), groups,
    });
    const o = outputSize(g);
    if (o.oh >= 1 && o.ow >= 1) return g;
  }
}
