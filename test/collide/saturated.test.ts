// collide's defaults on images with pixels on and near the bounds of the box (white paper, black
// ink, clipped highlights): every image comes out an exact collision that really moved, inside
// [0, 1] before any clip, or — all white, all black — is reported as unmoved with its reason.
// Independent checks: the first-layer change is recomputed with conv2d from the float64 x', the
// box is checked on x' as the library wrote it (record.exact.clipped counts what was outside before
// the final clip, so it must be 0), and the model's float32 outputs come from onnxruntime-web.
import t from 'tap';
import { createPipeline, accepted } from '../../src/collide/pipeline.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { conv2d } from '../../src/linalg/conv.js';
import { createSession } from '../../src/runtime/session.js';
import type { Image } from '../../src/image/image.js';
import { boundImage, convModel } from './models.js';

const tool = { name: 'nullspace', version: 'test' };
const paddle = { mean: 0.5, std: 0.5 };

function nrm(a: ArrayLike<number>): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

t.test('default flags on text on white, saturated corners, near-saturated and 5%-clipped images: exact, moved, in the box, same outputs', async (t) => {
  const H = 24; const W = 48;
  const m = convModel({ c: 3, h: H, w: W, outC: 8, k: 3, stride: 2, pad: 1, seed: 4 });
  const p = await createPipeline(m.bytes, { normalization: paddle, tool });
  const setup = p.fixed!;
  const l = setup.layer.spec;
  if (l.kind !== 'conv') throw new Error('conv');
  const s = await createSession(m.bytes, { precision: 'f32' });
  const run = async (img: Image) => Array.from((await s.run({ x: { data: toModelTensor(img, setup.normalization), dims: [1, 3, H, W] } }))[s.outputNames[0]!]!.data as Float32Array);
  for (const kind of ['text', 'corners', 'near', 'photo'] as const) {
    const x = boundImage(kind, H, W, 3);
    let onBound = 0;
    for (const v of x.data) if (v === 0 || v === 1) onBound++;
    const r = p.process(x, 0, kind);
    const rec = r.record;
    // independent first-layer check on the float64 x' (what .npy stores)
    const a = conv2d(toModelTensor(r.x, setup.normalization), l.weight, l.geometry);
    const b = conv2d(toModelTensor(r.xPrime, setup.normalization), l.weight, l.geometry);
    const dm = toModelTensor(r.xPrime, setup.normalization).map((v, i) => v - toModelTensor(r.x, setup.normalization)[i]!);
    const residual = nrm(a.map((v, i) => b[i]! - v)) / (rec.nullity.norm * nrm(dm));
    const inBox = rec.exact.clipped === 0 && r.xPrime.data.every((v) => v >= 0 && v <= 1);
    const [y0, y1] = [await run(r.x), await run(r.xPrime)];
    const outDiff = nrm(y0.map((v, i) => v - y1[i]!)) / nrm(y0);
    t.ok(rec.verdict === 'exact' && accepted(rec, false) && residual <= 1e-12 && inBox && rec.exact.delta.rms >= 0.01 && outDiff <= 1e-5,
      `${kind} (${(100 * onBound / x.data.length).toFixed(1)}% on a bound): ${rec.verdict}, residual ${residual.toExponential(2)} (record ${rec.exact.residual.toExponential(2)}), in box ${inBox}, pixel RMS ${rec.exact.delta.rms.toFixed(4)} (asked ${rec.strength?.asked}), PSNR ${rec.exact.psnr.toFixed(2)} dB, float32 outputs ${outDiff.toExponential(2)}`);
    // images with room to move reach the default strength (PSNR ≈ 26 dB) after the fit
    if (kind === 'corners' || kind === 'photo') t.ok(Math.abs(rec.exact.psnr - 26.02) < 1.5, `${kind}: PSNR ${rec.exact.psnr.toFixed(2)} dB at the default strength`);
  }
  await s.release();
});

t.test('all-white and all-black images: unmoved (not a collision), with the reason, never accepted', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const p = await createPipeline(m.bytes, { normalization: paddle, tool });
  for (const kind of ['white', 'black'] as const) {
    const r = p.process(boundImage(kind, 16, 16), 0, kind);
    t.same([r.record.verdict, accepted(r.record, false), accepted(r.record, true)], ['unmoved', false, false], kind);
    t.match(r.record.reason, /every pixel sits on a bound/);
    t.same(r.xPrime.data, r.x.data, 'x\' is x');
  }
});

t.test('--no-fit on a saturated image: clipped, so approximate and refused unless allowApproximate; the fit makes the same image exact', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 32, outC: 4, k: 3, stride: 2, pad: 1 });
  const x = boundImage('corners', 16, 32, 1);
  const off = await createPipeline(m.bytes, { normalization: paddle, tool, fit: false });
  const a = off.process(x, 0, 'img').record;
  t.ok(a.exact.clipped > 0 && a.verdict === 'approximate' && !accepted(a, false) && accepted(a, true), `no fit: clipped ${a.exact.clipped}, ${a.verdict}, residual ${a.exact.residual}`);
  t.match(a.reason, /clipped to \[0, 1\].*box fit was off/);
  const on = await createPipeline(m.bytes, { normalization: paddle, tool });
  const b = on.process(x, 0, 'img').record;
  t.ok(b.verdict === 'exact' && b.exact.clipped === 0 && b.fit!.outsideBefore > 0, `fit: ${b.verdict}, ${(b.fit!.outsideBefore * 100).toFixed(1)}% outside before`);
});

t.test('--psnr aims at the fitted result; --alpha is reported as asked and reached', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 32, outC: 4, k: 3, stride: 2, pad: 1 });
  const x = boundImage('photo', 16, 32, 2);
  const p = await createPipeline(m.bytes, { normalization: paddle, tool, psnr: 22 });
  const r = p.process(x, 0, 'img').record;
  t.ok(r.verdict === 'exact' && Math.abs(r.exact.psnr - 22) < 1, `PSNR ${r.exact.psnr} for --psnr 22`);
  const q = (await createPipeline(m.bytes, { normalization: paddle, tool, alpha: 0.2 })).process(x, 0, 'img').record;
  t.ok(q.verdict === 'exact' && q.strength!.asked === 0.2 && q.strength!.reached < 0.2 && Math.abs(q.strength!.reached - q.exact.delta.rms) < 1e-3,
    `--alpha 0.2: reached ${q.strength!.reached}, measured ${q.exact.delta.rms}`);
});

t.test('a light-blue background (B = 255 everywhere, R and G just below): unmoved with its reason at once; with a photo below it, exact and moved', async (t) => {
  // 3×3/2 conv 8←3: the rows are two thirds of the entries, the held blue channel one third — the
  // others are exactly as many as the rows, so only δ = 0 is left (the global fit ran for minutes on this)
  const H = 24; const W = 48;
  const m = convModel({ c: 3, h: H, w: W, outC: 8, k: 3, stride: 2, pad: 1, seed: 4 });
  const p = await createPipeline(m.bytes, { normalization: paddle, tool });
  const sky = (rows: number): Image => {
    const photo = boundImage('photo', H, W, 3);
    const data = new Float64Array(H * W * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      if (y < rows) { data[i] = (241 + ((x * 7 + y * 3) % 3)) / 255; data[i + 1] = (251 + ((x + y) % 2)) / 255; data[i + 2] = 1; } else for (let c = 0; c < 3; c++) data[i + c] = photo.data[i + c]!;
    }
    return { width: W, height: H, channels: 3, bitDepth: 8, data };
  };
  const all = p.process(sky(H), 0, 'sky').record;
  t.same([all.verdict, accepted(all, false), all.fit?.gamma, all.fit?.iterations], ['unmoved', false, 0, 0], 'no ADMM iteration run');
  t.match(all.reason, /33\.3% of the samples on a bound, held there\) leaves no room/);
  const half = p.process(sky(H / 2), 1, 'half sky');
  const rec = half.record;
  const blueUp = Array.from({ length: H * W }, (_, q) => half.xPrime.data[q * 3 + 2]!).some((v) => v > 1);
  t.ok(rec.verdict === 'exact' && rec.exact.residual <= 1e-12 && rec.exact.delta.rms >= 0.01 && rec.exact.clipped === 0 && !blueUp,
    `half sky: ${rec.verdict}, residual ${rec.exact.residual.toExponential(2)}, pixel RMS ${rec.exact.delta.rms.toFixed(4)}`);
});

t.test('a patch stem (8×8/8, disjoint windows) on a clipped photo: the tile fit (tiles of whole windows), exact at the default strength', async (t) => {
  // strides above 4 went to the global ADMM fit (18 s on a 224×224 photo with 23% of its samples on a bound)
  const m = convModel({ c: 3, h: 32, w: 48, outC: 16, k: 8, stride: 8, seed: 6 });
  const p = await createPipeline(m.bytes, { normalization: paddle, tool });
  const x = boundImage('photo', 32, 48, 3);
  const rec = p.process(x, 0, 'photo').record;
  t.ok(rec.fit?.solver === 'tile' && rec.verdict === 'exact' && rec.exact.residual <= 1e-12 && rec.exact.clipped === 0 && Math.abs(rec.exact.psnr - 26.02) < 0.5,
    `${rec.fit?.solver}: ${rec.verdict}, residual ${rec.exact.residual.toExponential(2)}, PSNR ${rec.exact.psnr.toFixed(2)} dB`);
});
