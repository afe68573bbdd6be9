// The stem's discarding program against independent references: max-pooling (paddings, ceil_mode,
// dilation) recomputed by a naive loop over the ONNX definition, the activations' flat parts
// composed, and the level set's rules on constructed conv outputs (ties, flat parts, windows that
// overlap).
import t from 'tap';
import { flatsOf, levelSet, poolOutput, stemForward, windowsOf, type Pool, type Step } from '../../src/stem/program.js';
import { rng } from '../../src/linalg/random.js';

/** ONNX MaxPool of relu(z) by its definition: for each output, the max over the in-range taps (padding is −∞). */
function naivePool(z: Float64Array, c: number, h: number, w: number, p: Pool): { out: Float64Array; oh: number; ow: number } {
  // output size straight from the ONNX formula (ceil_mode drops a window that starts in the right padding)
  const size = (n: number, k: number, s: number, d: number, a: number, b: number) => {
    const eff = (n + a + b - ((k - 1) * d + 1)) / s;
    let o = (p.ceil ? Math.ceil(eff) : Math.floor(eff)) + 1;
    if (p.ceil && (o - 1) * s >= n + a) o -= 1;
    return o;
  };
  const oh = size(h, p.kh, p.sh, p.dh, p.padTop, p.padBottom); const ow = size(w, p.kw, p.sw, p.dw, p.padLeft, p.padRight);
  const out = new Float64Array(c * oh * ow);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
    let m = -Infinity;
    for (let i = 0; i < p.kh; i++) for (let j = 0; j < p.kw; j++) {
      const yy = y * p.sh - p.padTop + i * p.dh; const xx = x * p.sw - p.padLeft + j * p.dw;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w) m = Math.max(m, Math.max(0, z[(ch * h + yy) * w + xx]!));
    }
    out[(ch * oh + y) * ow + x] = m;
  }
  return { out, oh, ow };
}

t.test('Relu → MaxPool agrees with the naive ONNX pooling (paddings, ceil_mode, dilation, strides)', async (t) => {
  const r = rng(3);
  const c = 2; const h = 11; const w = 9;
  const z = Float64Array.from({ length: c * h * w }, () => r.normal());
  const pools: Pool[] = [
    { kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, ceil: false },
    { kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, ceil: true },
    { kh: 2, kw: 3, sh: 2, sw: 3, dh: 2, dw: 1, padTop: 1, padLeft: 0, padBottom: 0, padRight: 2, ceil: true },
    { kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, ceil: false },
  ];
  for (const p of pools) {
    const steps: Step[] = [{ kind: 'act', act: { op: 'Relu' } }, { kind: 'pool', pool: p }];
    const win = windowsOf(steps, { c, h, w });
    const ref = naivePool(z, c, h, w, p);
    const ours = stemForward(steps, win, z);
    t.same([win.out.h, win.out.w], [ref.oh, ref.ow], `output size ${JSON.stringify(p)}`);
    t.same(poolOutput(p, h, w), { oh: ref.oh, ow: ref.ow });
    t.same(Array.from(ours), Array.from(ref.out), 'values');
  }
  // two pools compose into one window set: max of max
  const p1 = pools[0]!; const p2 = pools[3]!;
  const two: Step[] = [{ kind: 'act', act: { op: 'Relu' } }, { kind: 'pool', pool: p1 }, { kind: 'pool', pool: p2 }];
  const first = naivePool(z, c, h, w, p1);
  const second = naivePool(first.out, c, first.oh, first.ow, p2);
  t.same(Array.from(stemForward(two, windowsOf(two, { c, h, w }), z)), Array.from(second.out), 'pool of pool');
});

t.test('flat parts of composed activations', async (t) => {
  t.match(flatsOf([{ kind: 'act', act: { op: 'Relu' } }]), { a: 0, b: Infinity });
  t.match(flatsOf([{ kind: 'act', act: { op: 'Clip', min: 0, max: 6 } }]), { a: 0, b: 6 });
  // HardSigmoid(0.2, 0.5) is flat below −2.5 and above 2.5; after a Relu, below 0 too
  t.match(flatsOf([{ kind: 'act', act: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 } }]), { a: -2.5, b: 2.5 });
  t.match(flatsOf([{ kind: 'act', act: { op: 'Relu' } }, { kind: 'act', act: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 } }]), { a: 0, b: 2.5 });
  // Clip(−1, 1) then Relu6: flat below 0 and above 1
  t.match(flatsOf([{ kind: 'act', act: { op: 'Clip', min: -1, max: 1 } }, { kind: 'act', act: { op: 'Clip', min: 0, max: 6 } }]), { a: 0, b: 1 });
  t.match(flatsOf([{ kind: 'act', act: { op: 'HardSwish' } }]), { a: -3, b: Infinity, affine: false });
  t.throws(() => flatsOf([{ kind: 'act', act: { op: 'HardSwish' } }, { kind: 'act', act: { op: 'Relu' } }]), /after HardSwish/);
});

t.test('level set: one winner per window (ties share it or get a zero-slack bound), bounds elsewhere, flat parts', async (t) => {
  // one channel, 1×6 conv output, pool 1×3 stride 2 (windows {0,1,2}, {2,3,4}, {4,5}), after a Relu
  const pool: Pool = { kh: 1, kw: 3, sh: 1, sw: 2, dh: 1, dw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 1, ceil: false };
  const steps: Step[] = [{ kind: 'act', act: { op: 'Relu' } }, { kind: 'pool', pool }];
  const win = windowsOf(steps, { c: 1, h: 1, w: 6 });
  t.equal(win.out.w, 3);
  //               0    1    2    3    4     5
  const z = Float64Array.from([0.5, 2.0, 2.0, 1.0, -1.0, -0.5]);
  const ls = levelSet(win, flatsOf(steps), z);
  // window {0,1,2}: max 2 tied at 1 and 2; window {2,3,4}: max 2 at 2 — the tie reuses position 2 for both
  t.same(Array.from(ls.equal), [0, 0, 1, 0, 0, 0], 'position 2 wins both windows');
  t.equal(ls.upper[1], 2, 'the tied position is bounded by the max with zero slack');
  t.equal(ls.upper[0], 2); t.equal(ls.upper[3], 2);
  // window {4,5}: max −0.5 ≤ 0 is on Relu's flat part: both stay ≤ 0
  t.equal(ls.upper[4], 0); t.equal(ls.upper[5], 0);
  t.equal(ls.equalities, 1); t.equal(ls.inequalities, 5); t.equal(ls.tight, 1); t.equal(ls.flatOutputs, 1);
  // Relu6: a window maximum at or above 6 keeps only its arg-max at ≥ 6; the others are free
  const s6: Step[] = [{ kind: 'act', act: { op: 'Clip', min: 0, max: 6 } }, { kind: 'pool', pool }];
  const l6 = levelSet(windowsOf(s6, { c: 1, h: 1, w: 6 }), flatsOf(s6), Float64Array.from([7, 3, 1, 0.5, 2, 1]));
  t.equal(l6.lower[0], 6, 'arg-max held ≥ 6');
  t.equal(l6.upper[1], Infinity, 'the rest of a saturated window is free');
  t.equal(l6.equal[4], 1, 'window {2,3,4}: its maximum 2 (position 4) is held');
  t.equal(l6.upper[2], 2, 'position 2 stays below that maximum');
  t.equal(l6.equalities, 1);
});
