// The col2im plan of a ConvTranspose against the direct plan: the same (tap, input pixel) pairs land
// on each output position, counted independently from the definitions.
import t from 'tap';
import { col2imGather, convTransposeGather, type WindowGeometry } from '../../src/runtime/gather-index.js';

const geom = (o: Partial<WindowGeometry> & { h: number; w: number; kh: number; kw: number }): WindowGeometry => ({ sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, pb: 0, pr: 0, ...o });

t.test('col2imGather(g) lists, per output position, exactly the (tap, pixel) pairs the direct plan reads', async (t) => {
  const cases: [string, WindowGeometry, number, number][] = [
    ['7×7 stride 2 pads 3 output_padding 1', geom({ h: 5, w: 6, kh: 7, kw: 7, sh: 2, sw: 2, pt: 3, pl: 3, pb: 3, pr: 3 }), 1, 1],
    ['3×2 dilation 2, asymmetric pads', geom({ h: 3, w: 4, kh: 3, kw: 2, dh: 2, pt: 1, pr: 1 }), 0, 0],
    ['3×3 stride 3 (no overlap)', geom({ h: 2, w: 3, kh: 3, kw: 3, sh: 3, sw: 3 }), 0, 0],
    ['1×1 stride 1', geom({ h: 3, w: 2, kh: 1, kw: 1 }), 0, 0],
  ];
  for (const [name, g, oph, opw] of cases) {
    const direct = convTransposeGather(g, oph, opw);
    const c = col2imGather(g, oph, opw);
    t.same([c.ho, c.wo], [direct.ho, direct.wo], `${name}: output size`);
    const hw = g.h * g.w, taps = g.kh * g.kw, l = c.ho * c.wo;
    let same = true, most = 0;
    for (let q = 0; q < l; q++) {
      // the direct plan: tap t reads input pixel index[t·l + q] (hw = zero)
      const want = [] as number[];
      for (let tp = 0; tp < taps; tp++) { const p = Number(direct.index[tp * l + q]); if (p !== hw) want.push(tp * hw + p); }
      const got = Array.from(c.index.slice(q * c.slots, (q + 1) * c.slots), Number).filter((v) => v !== taps * hw);
      most = Math.max(most, want.length);
      if (want.sort((a, b) => a - b).join() !== got.sort((a, b) => a - b).join()) same = false;
    }
    t.ok(same, `${name}: the same pairs at every output position`);
    t.equal(c.slots, Math.max(1, most), `${name}: slots = the most pairs at one position (${c.slots})`);
    t.equal(c.identity, name === '1×1 stride 1', `${name}: identity only for 1×1 stride 1`);
  }
  t.equal(col2imGather(geom({ h: 20, w: 20, kh: 7, kw: 7, sh: 2, sw: 2, pt: 3, pl: 3, pb: 3, pr: 2 }), 0, 0).slots, 16, '7×7/2: at most ⌈7/2⌉² = 16 entries per output');
});
