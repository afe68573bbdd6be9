// collide on models the tests build: exactness of the per-window fold and of the operator
// projection, the trivial-kernel case, dense, grouped and segmentation-style first layers,
// targets and masks. Independent checks: the first-layer residual is recomputed here with
// conv2d (WASM) from x' as decoded from the PNG/float64 output, and model outputs come from
// onnxruntime-web.
import t from 'tap';
import { createPipeline, type Pipeline } from '../../src/collide/pipeline.js';
import { NoExactCollision } from '../../src/collide/collider.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { conv2d } from '../../src/linalg/conv.js';
import { createSession } from '../../src/runtime/session.js';
import type { Image } from '../../src/image/image.js';
import { convModel, gemmModel, segModel, testImage } from './models.js';

const tool = { name: 'nullspace', version: 'test' };
const none = { mean: 0, std: 1 };

function nrm(a: ArrayLike<number>): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/** ‖conv(x') − conv(x)‖ / ‖conv(x)‖ without bias, computed independently of the collide code. */
function convChange(p: Pipeline, x: Image, xp: Image): number {
  const l = p.fixed!.layer.spec;
  if (l.kind !== 'conv') throw new Error('conv only');
  const a = conv2d(toModelTensor(x, p.fixed!.normalization), l.weight, l.geometry);
  const b = conv2d(toModelTensor(xp, p.fixed!.normalization), l.weight, l.geometry);
  const d = a.map((v, i) => b[i]! - v);
  return nrm(d) / nrm(a);
}

t.test('patch mode: disjoint 8×8/8 windows fold exactly (first-layer residual ≤ 1e-13)', async (t) => {
  const m = convModel({ c: 3, h: 32, w: 32, outC: 64, k: 8, stride: 8 });
  const p = await createPipeline(m.bytes, { method: 'patch', normalization: none, tool, alpha: 0.05 });
  t.equal(p.fixed!.collider!.analysis.figures.windowNullity![0], 3 * 64 - 64, 'ker(W) has nullity 128');
  t.equal(p.fixed!.collider!.image.overlap, false);
  const r = p.process(testImage(32, 32), 0, 'img');
  t.ok(r.record.exact.residual <= 1e-13, `residual ${r.record.exact.residual}`);
  t.equal(r.record.verdict, 'exact');
  t.ok(r.record.exact.delta.rms > 0.01, 'the image really moved');
  t.ok(convChange(p, r.x, r.xPrime) < 1e-13, 'independent conv2d check');
});

t.test('overlapping 3×3/2 conv, wide operator: operator mode ≤ 1e-12, patch mode visibly not', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const op = await createPipeline(m.bytes, { method: 'operator', normalization: none, tool, alpha: 0.05 });
  const f = op.fixed!.collider!.analysis.figures;
  t.equal(f.shape, 'wide');
  t.equal(f.overlap, true);
  t.equal(f.lowerBound, 768 - 256);
  const r = op.process(testImage(16, 16), 0, 'img');
  t.ok(r.record.exact.residual <= 1e-12, `operator residual ${r.record.exact.residual}`);
  t.ok(convChange(op, r.x, r.xPrime) < 1e-11, 'independent conv2d check');
  const pt = await createPipeline(m.bytes, { method: 'patch', normalization: none, tool, alpha: 0.05 });
  const q = pt.process(testImage(16, 16), 0, 'img');
  t.ok(q.record.exact.residual > 1e-3, `patch residual ${q.record.exact.residual}`);
  t.not(q.record.verdict, 'exact');
});

t.test('injective first layer (16←3 3×3/1 padded): NoExactCollision; approximate mode predicts the first-layer change', async (t) => {
  const m = convModel({ c: 3, h: 12, w: 12, outC: 16, k: 3, stride: 1, pad: 1 });
  await t.rejects(createPipeline(m.bytes, { normalization: none, tool, at: 'first-layer' }), NoExactCollision);
  await t.rejects(createPipeline(m.bytes, { normalization: none, tool, at: 'first-layer' }), /no exact collision exists at this layer for this input size/);
  // by default the ReLU after it is a stem tensor to collide at (src/stem)
  t.ok((await createPipeline(m.bytes, { normalization: none, tool })).fixed!.stem, 'the default goes past the first layer');
  const p = await createPipeline(m.bytes, { normalization: none, tool, allowApproximate: true, alpha: 0.02 });
  const f = p.fixed!.collider!.analysis.figures;
  t.equal(f.trivial, true);
  t.equal(f.lowerBound, 0);
  t.ok(f.sigmaMinRelative! > 1e-6);
  const r = p.process(testImage(12, 12), 0, 'img');
  t.equal(r.record.mode, 'approximate');
  const c = r.record.firstLayerChange!;
  t.ok(Math.abs(c.predicted - c.actual) <= 1e-6 * c.actual + 1e-12, `predicted ${c.predicted} vs actual ${c.actual}`);
  // the actual change, measured independently (the layer's bias only enters the denominator)
  const indep = convChange(p, r.x, r.xPrime);
  t.ok(indep > 0 && indep < 0.5, `independent change ${indep}`);
});

t.test('Gemm first layer on the flattened input (transB 0 and 1): exact collisions', async (t) => {
  for (const transB of [false, true]) {
    const m = gemmModel({ c: 3, h: 8, w: 8, m: 10, transB });
    const p = await createPipeline(m.bytes, { normalization: none, tool, alpha: 0.05 });
    t.equal(p.fixed!.layer.spec.kind, 'dense');
    t.equal(p.fixed!.collider!.analysis.figures.lowerBound, 192 - 10);
    const r = p.process(testImage(8, 8, 4), 0, 'img');
    t.ok(r.record.exact.residual <= 1e-12, `transB ${transB}: residual ${r.record.exact.residual}`);
    // independent: y = x·B (B stored [n, m]) or x·Bᵀ
    const n = 192;
    const xm = toModelTensor(r.x, p.fixed!.normalization); const xpm = toModelTensor(r.xPrime, p.fixed!.normalization);
    let num = 0; let den = 0;
    for (let j = 0; j < 10; j++) {
      let a = 0; let b = 0;
      for (let i = 0; i < n; i++) { const w = transB ? m.weight[j * n + i]! : m.weight[i * 10 + j]!; a += w * xm[i]!; b += w * xpm[i]!; }
      num += (a - b) ** 2; den += a * a;
    }
    t.ok(Math.sqrt(num / den) < 1e-12, `independent Gemm change ${Math.sqrt(num / den)}`);
    const pt = await createPipeline(m.bytes, { method: 'patch', normalization: none, tool, alpha: 0.05 });
    t.ok(pt.process(testImage(8, 8, 4), 0, 'img').record.exact.residual <= 1e-13, 'patch mode on a dense layer is exact (one window)');
  }
});

t.test('grouped first conv (groups 3, 6←3 3×3/2): per-group ker(W) and exact operator collisions', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 6, k: 3, stride: 2, pad: 1, groups: 3 });
  const p = await createPipeline(m.bytes, { normalization: none, tool, alpha: 0.05, direction: 'basis', basisIndex: 1 });
  t.same(p.fixed!.collider!.analysis.figures.windowNullity, [7, 7, 7]);
  const r = p.process(testImage(16, 16, 2), 0, 'img');
  t.ok(r.record.exact.residual <= 1e-12, `residual ${r.record.exact.residual}`);
  t.ok(convChange(p, r.x, r.xPrime) < 1e-11);
});

t.test('segmentation-style model (4×4/4 patch stem, dense per-pixel output): outputs agree in float32', async (t) => {
  const m = segModel({ c: 3, h: 32, w: 32, stem: 16, k: 4, classes: 3 });
  const p = await createPipeline(m.bytes, { method: 'patch', normalization: none, tool, alpha: 0.08 });
  const r = p.process(testImage(32, 32, 5), 0, 'img');
  t.ok(r.record.exact.residual <= 1e-13, `patch fold exact on disjoint windows: ${r.record.exact.residual}`);
  t.ok(r.record.exact.psnr < 25, `PSNR ${r.record.exact.psnr}`);
  const s = await createSession(m.bytes, { precision: 'f32' });
  const run = async (img: Image) => (await s.run({ x: { data: toModelTensor(img, p.fixed!.normalization), dims: [1, 3, 32, 32] } }))[s.outputNames[0]!]!.data as Float32Array;
  const a = await run(r.x); const b = await run(r.xPrime);
  t.equal(a.length, 3 * 32 * 32, 'one score per pixel and class');
  const d = a.map((v, i) => v - b[i]!);
  t.ok(nrm(d) / nrm(a) < 1e-5, `per-pixel output relative difference ${nrm(d) / nrm(a)}`);
  await s.release();
});

t.test('--target: x\' is measurably closer to T than x was, and stays exact', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const target = testImage(16, 16, 9);
  const p = await createPipeline(m.bytes, { normalization: none, tool, direction: 'target', target });
  const r = p.process(testImage(16, 16, 1), 0, 'img');
  const d = r.record.targetDistance!;
  t.ok(d.after < 0.8 * d.before, `distance to T ${d.before} → ${d.after}`);
  t.ok(r.record.captured! > 0.2 && r.record.captured! < 1);
  t.ok(r.record.exact.residual <= 1e-12);
});

t.test('--mask: δ is zero outside the mask and the collision stays exact (column-restricted projection)', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const mask = { width: 16, height: 16, channels: 1 as const, bitDepth: 8 as const, data: new Float64Array(256) };
  for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) mask.data[y * 16 + x] = 1;
  const p = await createPipeline(m.bytes, { normalization: none, tool, alpha: 0.05, mask });
  const r = p.process(testImage(16, 16, 3), 0, 'img');
  t.ok(r.record.exact.residual <= 1e-12, `residual ${r.record.exact.residual}`);
  let outside = 0; let inside = 0;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) {
    const i = (y * 16 + x) * 3 + c;
    const dv = Math.abs(r.xPrime.data[i]! - r.x.data[i]!);
    if (x >= 8) outside = Math.max(outside, dv); else inside = Math.max(inside, dv);
  }
  t.equal(outside, 0, 'untouched outside the mask');
  t.ok(inside > 0.01, 'moved inside');
  t.equal(r.record.mask!.kind, 'pixel');
});

t.test('--fit keeps x\' inside [0, 1] and the residual stays at float64 level; --psnr sets the distortion', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const img = testImage(16, 16, 6);
  const free = await createPipeline(m.bytes, { normalization: none, tool, psnr: 30 });
  const a = free.process(img, 0, 'img');
  t.ok(Math.abs(a.record.exact.psnr - 30) < 0.05, `PSNR ${a.record.exact.psnr}`);
  const p = await createPipeline(m.bytes, { normalization: none, tool, psnr: 12, fit: true });
  const r = p.process(img, 0, 'img');
  t.ok(r.record.fit!.outsideBefore > 0, 'the unfitted step would leave the box');
  t.ok(r.xPrime.data.every((v) => v >= 0 && v <= 1));
  t.ok(r.record.exact.residual <= 1e-11, `residual after fit ${r.record.exact.residual}`);
});

t.test('--bit-depth: the stored PNG is measured as written — 8-bit rounding leaves the null space more than 16-bit', async (t) => {
  const m = convModel({ c: 3, h: 16, w: 16, outC: 4, k: 3, stride: 2, pad: 1 });
  const img = testImage(16, 16, 7);
  const res: Record<number, number> = {};
  for (const bitDepth of [8, 16] as const) {
    const p = await createPipeline(m.bytes, { normalization: none, tool, alpha: 0.03, bitDepth });
    const r = p.process(img, 0, 'img');
    t.equal(r.record.stored!.bitDepth, bitDepth);
    t.ok(r.record.exact.residual <= 1e-12);
    res[bitDepth] = r.record.stored!.residual;
  }
  t.ok(res[16]! > 1e-9 && res[16]! < 1e-3, `16-bit stored residual ${res[16]}`);
  t.ok(res[8]! > 50 * res[16]!, `8-bit stored residual ${res[8]} vs 16-bit ${res[16]}`);
});
