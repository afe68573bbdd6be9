// Exact collisions at a stem tensor L, end to end through createPipeline with default flags, checked
// by onnxruntime at float64 (the model's own graph, L exposed as an output): L's output and the
// model's outputs at x' equal those at x to round-off, while the first layer's output and the pixels
// moved — asserted together. Also: which L is chosen (a residual block after the pool: the pool
// output), a branch that bypasses L (refused as a cut, with the reason), a stem whose equality rows
// pin x (unmoved, with the reason), and --target.
import t from 'tap';
import { createPipeline, accepted } from '../../src/collide/pipeline.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { createSession } from '../../src/runtime/session.js';
import { decodeModel } from '../../src/onnx/model.js';
import { loadFirstLayer } from '../../src/collide/model-layer.js';
import { stemChain } from '../../src/stem/chain.js';
import type { Image } from '../../src/image/image.js';
import { boundImage } from '../collide/models.js';
import { stemModel, type StemSpec } from '../../src/stem/example.js';
import { none, relDiff, tool } from './shared.js';

/** onnxruntime float64 outputs of x and x' for the model's outputs and the exposed tensors. */
async function f64Outputs(bytes: Uint8Array, names: string[], imgs: Image[], h: number, w: number) {
  const s = await createSession(bytes, { precision: 'f64', expose: names });
  const out = [];
  for (const img of imgs) {
    const r = await s.run({ x: { data: toModelTensor(img, { ...none, channels: 3 }), dims: [1, 3, h, w] } });
    out.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v.data as Float64Array)])));
  }
  await s.release();
  return out;
}

/** The parts of a tap test exactAtL uses. */
interface Asserts { ok(v: unknown, m: string): unknown; comment(...m: unknown[]): unknown }

async function exactAtL(t: Asserts, spec: StemSpec, kinds: ('photo' | 'corners' | 'near')[], expectAt: string) {
  const bytes = stemModel(spec);
  const p = await createPipeline(bytes, { normalization: none, tool });
  t.ok(p.fixed!.stem, 'the first layer is injective: the stem engine is chosen');
  for (const kind of kinds) {
    const x = boundImage(kind, spec.h, spec.w, 5);
    const r = p.process(x, 0, kind);
    const rec = r.record;
    const [fx, fxp] = await f64Outputs(bytes, [expectAt, 'z0'], [r.x, r.xPrime], spec.h, spec.w);
    const atL = relDiff(fx![expectAt]!, fxp![expectAt]!);
    const out = relDiff(fx!.out!, fxp!.out!);
    const first = relDiff(fx!.z0!, fxp!.z0!);
    const inBox = r.xPrime.data.every((v) => v >= 0 && v <= 1) && rec.exact.clipped === 0;
    const ok = rec.verdict === 'exact' && accepted(rec, false) && rec.stem!.at === expectAt && atL <= 1e-12 && out <= 1e-12 &&
      first > 1e-3 && rec.exact.psnr <= 40 && rec.stem!.minSlack > 0 && rec.stem!.broken === 0 && inBox;
    t.ok(ok, `${kind}: exact at ${expectAt} (onnxruntime f64: L ${atL.toExponential(2)}, outputs ${out.toExponential(2)}; first layer moved ${first.toExponential(2)}; PSNR ${rec.exact.psnr.toFixed(1)} dB; slack ${rec.stem!.minSlack.toExponential(2)}; winners ${rec.stem!.equalityResidual.toExponential(2)})`);
    if (!ok) t.comment(JSON.stringify({ verdict: rec.verdict, reason: rec.reason, stem: rec.stem }));
  }
}

t.test('Conv → BN → ReLU → MaxPool 3×3/2 pad 1 → residual block: exact at the pool output, not before', async (t) => {
  await exactAtL(t, { h: 40, w: 40, outC: 32, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual' }, ['photo', 'corners'], 'p');
});

t.test('Conv → ReLU → MaxPool 3×3/2 with ceil_mode, no padding (SqueezeNet-like; the last row and column no window reads)', async (t) => {
  const spec: StemSpec = { h: 38, w: 46, outC: 24, k: 3, stride: 2, pad: 0, pool: { k: 3, stride: 2, pad: 0, ceil: true } };
  // the first layer's only free directions are the unread pixels: that does not count, the stem is taken
  const f = (await createPipeline(stemModel(spec), { normalization: none, tool })).fixed!;
  t.ok(f.stem && f.analysis.figures.freeInputs === 3 * (38 + 46 - 1) && f.analysis.figures.lowerBound === f.analysis.figures.freeInputs,
    `unread pixels ${f.analysis.figures.freeInputs}, nullity ≥ ${f.analysis.figures.lowerBound}: stem engine ${!!f.stem}`);
  await exactAtL(t, spec, ['near', 'photo'], 'p');
});

t.test('Conv → BN → ReLU6 (Clip 0..6), no pool: exact at the activation', async (t) => {
  await exactAtL(t, { h: 24, w: 24, outC: 4, k: 3, stride: 1, pad: 1, bn: true, act: 'relu6' }, ['photo'], 'a');
});

t.test('a branch that bypasses the pool: refused as a cut, with the reason; --at names it', async (t) => {
  const bytes = stemModel({ h: 32, w: 32, outC: 16, k: 7, stride: 2, pad: 3, pool: { k: 3, stride: 2, pad: 1 }, after: 'bypass' });
  const proto = decodeModel(bytes);
  const chain = stemChain(proto, loadFirstLayer(proto, {}));
  const byName = Object.fromEntries(chain.candidates.map((c) => [c.tensor, c.refused]));
  t.equal(byName.a, null, 'the activation is a cut (the branch reads it)');
  t.match(byName.p, /output side is reached from the image without passing through p/, 'the pool is not');
  await t.rejects(createPipeline(bytes, { normalization: none, tool, at: 'p' }), /not a cut of the graph/);
});

t.test('a stem whose equality rows pin x: unmoved, with the reason', async (t) => {
  // 3×3 stride 1, 32 channels, no pool: ~16 winners per pixel position against 3 pixel values
  const bytes = stemModel({ h: 16, w: 16, outC: 32, k: 3, stride: 1, pad: 1 });
  const p = await createPipeline(bytes, { normalization: none, tool, stemIterations: 50 });
  const rec = p.process(boundImage('photo', 16, 16, 2), 0, 'photo').record;
  t.ok(rec.verdict === 'unmoved' && !accepted(rec, true) && rec.stem!.dimensionBound === 0 && /pin|no room/.test(rec.reason ?? ''),
    `unmoved: ${rec.reason}`);
});

t.test('--target: x\' is measurably closer to T, still exact at L', async (t) => {
  const spec: StemSpec = { h: 32, w: 32, outC: 32, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 } };
  const bytes = stemModel(spec);
  const target = boundImage('corners', 32, 32, 9);
  const p = await createPipeline(bytes, { normalization: none, tool, direction: 'target', target });
  const rec = p.process(boundImage('photo', 32, 32, 1), 0, 'photo').record;
  const d = rec.targetDistance!;
  t.ok(rec.verdict === 'exact' && d.after < 0.97 * d.before, `exact ${rec.verdict}, ‖x' − T‖ ${d.after.toFixed(3)} < ‖x − T‖ ${d.before.toFixed(3)}`);
});

// The saturated corners are flat, so most of their samples are read by tied maxima and stay; those at
// the corners' edges are free to move into the box.
t.test('pixels on a bound keep their one-sided room: saturated pixels move inward, and x′ is exact at L', async (t) => {
  const spec: StemSpec = { h: 40, w: 40, outC: 32, k: 7, stride: 2, pad: 3, bn: true, pool: { k: 3, stride: 2, pad: 1 }, after: 'residual' };
  const bytes = stemModel(spec);
  const p = await createPipeline(bytes, { normalization: none, tool });
  const x = boundImage('corners', spec.h, spec.w, 5);
  const r = p.process(x, 0, 'corners');
  const [fx, fxp] = await f64Outputs(bytes, ['p'], [r.x, r.xPrime], spec.h, spec.w);
  const atL = relDiff(fx!.p!, fxp!.p!);
  let onBound = 0; let movedIn = 0; let out = 0;
  r.x.data.forEach((v, i) => {
    const w = r.xPrime.data[i]!;
    if (w < 0 || w > 1) out++;
    if (v === 0 || v === 1) { onBound++; if (Math.abs(w - v) > 1e-6) movedIn++; }
  });
  const ok = r.record.verdict === 'exact' && atL <= 1e-12 && out === 0 && onBound > 0 && movedIn >= 20; // held at δ = 0 (the old rule) none of them moves
  t.ok(ok, `${r.record.verdict} at p (L ${atL.toExponential(2)}); of ${onBound} samples on 0/1, ${movedIn} moved into the box; ${out} outside it`);
});
