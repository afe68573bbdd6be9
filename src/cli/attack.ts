// `nullspace attack MODEL [IMAGES…]`: adversarial examples (PGD, L-BFGS, Square) with collide's stream
// contract — a PNG stream on stdin → the adversarial PNGs on stdout, or files → --out-dir; NDJSON
// records to --report. Thin: parse, call src/attack, write. Heavy modules load in the handler.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { backendOption, type BackendArgs } from './backend-args.js';
import { modelInputOptions, type ModelInputArgs } from './model-input-flags.js';

export interface AttackArgs extends ModelInputArgs, BackendArgs {
  model: string;
  images?: string[];
  method: string;
  norm: string;
  eps: string;
  steps: number;
  stepSize?: string;
  label?: number;
  randomStart: boolean;
  searchSteps: number;
  c: number;
  queries: number;
  pInit?: number;
  seed: number;
  bitDepth: number;
  format: string;
  npyDir?: string;
  outDir: string;
  report?: string;
  output?: string;
  precision: string;
  maxPixels: number;
  json?: boolean;
}

export const command = 'attack <model> [images..]';
export const describe = 'adversarial examples: PGD (L∞ or L2), the L-BFGS attack of Szegedy et al., or the gradient-free Square Attack; PNG stream in → PNG stream out, as collide';

export function builder(y: Argv): Argv<AttackArgs> {
  return backendOption(modelInputOptions(y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('images', { type: 'string', array: true, describe: 'PNG/.npy files or directories; none: a PNG stream on stdin → PNG stream on stdout' })
    .option('method', { type: 'string', default: 'pgd', describe: 'pgd: projected gradient descent (Madry et al. 2018); lbfgs: min c·‖r‖² + CE(x + r, K) in the pixel box by box-constrained L-BFGS with a search over c (Szegedy et al. 2014); square: score-based random search over square windows, no gradients (Andriushchenko et al. 2020)' })
    .option('norm', { type: 'string', default: 'linf', describe: 'linf or l2: the ball the perturbation stays in' })
    .option('eps', { type: 'string', default: '8/255', describe: 'radius of the ball on the [0, 1] pixel scale, a number or a fraction ("8/255"); L2: of the whole perturbation; default 8/255' })
    .option('steps', { type: 'number', default: 10, describe: 'pgd: gradient steps (stops at the first that reaches the goal); lbfgs: L-BFGS iterations per value of c; default 10' })
    .option('search-steps', { type: 'number', default: 8, describe: 'lbfgs: values of c tried (×10 / ÷10 until the target is reached and missed, then geometric bisection); default 8' })
    .option('c', { type: 'number', default: 1, describe: 'lbfgs: first c (weight of ‖r‖₂², r on the [0, 1] scale); default 1' })
    .option('queries', { type: 'number', default: 10000, describe: 'square: most model queries per image, the clean image and the starting point included (stops at the first success); default 10000' })
    .option('p-init', { type: 'number', describe: 'square: fraction of the pixels the first windows change, then halved on the paper\'s schedule; default 0.05 (linf), 0.1 (l2)' })
    .option('step-size', { type: 'string', describe: 'step on the [0, 1] pixel scale (number or fraction); default 2.5·eps/steps' })
    .option('label', { type: 'number', describe: 'target class (index into the scores); default pgd: untargeted (leave the clean top-1 class), lbfgs: the runner-up class' })
    .option('random-start', { type: 'boolean', default: true, describe: 'start from a uniform random point of the ball (--no-random-start: from x)' })
    .option('seed', { type: 'number', default: 0, describe: 'random seed (image i uses seed + i)' })
    .option('bit-depth', { type: 'number', default: 16, describe: 'PNG sample depth of the output: 8 or 16' })
    .option('format', { type: 'string', default: 'png', describe: 'png, or npy: also write the float64 result as .npy (H×W×C, [0, 1])' })
    .option('npy-dir', { type: 'string', describe: 'write the .npy files here (stream mode: required for --format npy; implies it)' })
    .option('out-dir', { type: 'string', default: './attacks', describe: 'output folder when IMAGES are given' })
    .option('report', { type: 'string', nargs: 1, describe: 'write one NDJSON record per image to FILE, or to stderr with -' })
    .option('output', { type: 'string', describe: 'tensor of class scores (default the first model output; a Softmax output means its logits)' })
    .option('precision', { type: 'string', default: 'f32', describe: 'f32 (onnxruntime) or f64 (the float64 lowering) for forward passes and gradients; default f32' })
    .option('max-pixels', { type: 'number', default: 50_000_000, describe: 'refuse PNGs whose header declares more pixels' })
    .option('json', { type: 'boolean', describe: 'IMAGES mode: print the NDJSON records to stdout instead of the text summary' })))
    .example('$0 attack cls.onnx --preset paddle < x.png > adv.png', 'untargeted PGD L∞ at ε = 8/255')
    .example('$0 attack cls.onnx --preset paddle --method square --queries 1000 < x.png > adv.png', 'Square Attack (L∞, ε = 8/255): model queries only, no gradients')
    .example('$0 attack cls.onnx --preset paddle < x.png | $0 collide cls.onnx --preset paddle > adv-collide.png', 'colliding adversarial examples (the paper\'s Eq. 7)')
    .epilogue('Exit code 0 even when an attack fails on an image (its record says so); 1 on bad input.') as unknown as Argv<AttackArgs>;
}

/** A number or a fraction "a/b". */
export function parseAmount(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const m = /^([0-9.eE+-]+)(?:\/([0-9.eE+-]+))?$/.exec(s);
  const r = m ? Number(m[1]) / (m[2] !== undefined ? Number(m[2]) : 1) : NaN;
  if (!(r > 0) || !Number.isFinite(r)) throw new RangeError(`Expected a positive number or fraction (e.g. 8/255) for ${name} but received ${JSON.stringify(s)}`);
  return r;
}

export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const a = argv as unknown as AttackArgs;
  const [fs, { join }, errors, io, stream, pngMod, imgNpy, names, attackMod, classifierMod, mf, mia, version] = await Promise.all([
    import('node:fs'), import('node:path'), import('../core/errors.js'), import('../image/io.js'), import('../image/io-stream.js'), import('../image/png.js'),
    import('../image/image-npy.js'), import('../image/names.js'), import('../attack/attack.js'), import('../attack/classifier.js'), import('./model-file.js'), import('./model-input-args.js'), import('./version.js'),
  ]);
  const { backendOf } = await import('./backend-resolve.js');
  const method = attackMod.resolveMethod(a.method);
  if (a.norm !== 'linf' && a.norm !== 'l2') throw errors.invalidParameter('--norm', 'one of linf, l2', a.norm);
  if (a.bitDepth !== 8 && a.bitDepth !== 16) throw errors.invalidParameter('--bit-depth', 'one of 8, 16', a.bitDepth, RangeError);
  if (a.format !== 'png' && a.format !== 'npy') throw errors.invalidParameter('--format', 'one of png, npy', a.format);
  if (a.precision !== 'f32' && a.precision !== 'f64') throw errors.invalidParameter('--precision', 'one of f32, f64', a.precision, RangeError);
  const backend = backendOf(a, a.precision === 'f64');
  if (!Number.isInteger(a.steps) || a.steps < 1) throw errors.invalidParameter('--steps', 'a positive integer', a.steps, RangeError);
  if (a.label !== undefined && (!Number.isInteger(a.label) || a.label < 0)) throw errors.invalidParameter('--label', 'a non-negative integer', a.label, RangeError);
  if (!Number.isInteger(a.seed) || a.seed < 0) throw errors.invalidParameter('--seed', 'a non-negative integer', a.seed, RangeError);
  const settings = {
    method, norm: a.norm as 'linf' | 'l2', eps: parseAmount('--eps', a.eps)!, steps: a.steps, stepSize: parseAmount('--step-size', a.stepSize),
    label: a.label, randomStart: a.randomStart !== false, seed: a.seed, bitDepth: a.bitDepth as 8 | 16, searchSteps: a.searchSteps, c: a.c,
    ...(method === 'square' ? { queries: a.queries, pInit: a.pInit ?? (a.norm === 'linf' ? 0.05 : 0.1) } : {}),
  };
  if (!Number.isInteger(a.queries) || a.queries < 2) throw errors.invalidParameter('--queries', 'an integer ≥ 2', a.queries, RangeError);
  if (a.pInit !== undefined && !(a.pInit > 0 && a.pInit <= 1)) throw errors.invalidParameter('--p-init', 'a number in (0, 1]', a.pInit, RangeError);
  if (!Number.isInteger(a.searchSteps) || a.searchSteps < 1) throw errors.invalidParameter('--search-steps', 'a positive integer', a.searchSteps, RangeError);
  if (!(a.c > 0) || !Number.isFinite(a.c)) throw errors.invalidParameter('--c', 'a positive number', a.c, RangeError);
  const norm = mia.normalizationOf(a);
  const file = mf.readModelFile(a.model);
  const bytes = new Uint8Array(fs.readFileSync(a.model));
  const size = mia.parseSize(a.size);
  const declared = file.model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  const input = { ...norm, channels: (declared != null && Number(declared) === 1 ? 1 : 3) as 1 | 3 };
  const header = { tool: version.tool, model: { name: file.label, sha256: file.sha256 }, settings: { ...settings, output: a.output ?? null, precision: a.precision, backend: backend.name, preset: a.preset ?? 'none', mean: norm.mean, std: norm.std, bgr: norm.bgr ?? false } };
  let classifier: Awaited<ReturnType<typeof classifierMod.createClassifier>> | undefined;
  let shape: { h: number; w: number } | undefined;
  const fd = a.report && a.report !== '-' ? fs.openSync(a.report, 'w') : undefined;
  const writeRecord = (r: object) => {
    const line = `${JSON.stringify({ ...header, ...r })}\n`;
    if (fd !== undefined) fs.writeSync(fd, line);
    else if (a.report === '-') process.stderr.write(line);
  };
  const attack = async (image: Awaited<ReturnType<typeof io.readImageFile>>, index: number, location: string) => {
    const want = size ?? shape ?? { h: image.height, w: image.width };
    if (image.height !== want.h || image.width !== want.w) throw new errors.InputError(`${location}: image is ${image.height}×${image.width} but the model input is ${want.h}×${want.w} (attack works at model resolution)`);
    shape = want;
    classifier ??= await classifierMod.createClassifier(bytes, image, input, { output: a.output, precision: a.precision as 'f32' | 'f64', source: file.label, gradients: method !== 'square', backend: backend.name });
    if (a.label !== undefined && a.label >= classifier.classes) throw errors.invalidParameter('--label', `an integer between 0 and ${classifier.classes - 1}`, a.label, RangeError);
    return attackMod.attackImage(classifier, image, settings, index, location);
  };
  try {
    if (!a.images || a.images.length === 0) {
      if (a.format === 'npy' && !a.npyDir) throw new RangeError('--format npy on a stream needs --npy-dir DIR (stdout carries the PNG stream)');
      if (a.npyDir) fs.mkdirSync(a.npyDir, { recursive: true });
      const writer = stream.createPayloadWriter(process.stdout);
      for await (const item of stream.stdinPngStream({ maxPixels: a.maxPixels, source: 'stdin' })) {
        const image = pngMod.decodePng(item.bytes, { location: item.location, maxPixels: a.maxPixels });
        const r = await attack(image, item.index, item.location);
        if (a.npyDir) {
          const name = join(a.npyDir, names.streamItemName(item.index, { ext: 'npy', suffix: 'attack' }));
          await io.writeFileAtomic(name, imgNpy.imageToNpy(r.adversarial));
          r.record.outputs = { npy: name };
        }
        writeRecord(r.record);
        if (!(await writer.write(r.png))) return;
      }
      return;
    }
    const files = await io.listImages(a.images);
    const pngNames = names.outputNames(files, { suffix: 'attack' });
    const npyNames = names.outputNames(files, { suffix: 'attack', ext: 'npy' });
    fs.mkdirSync(a.outDir, { recursive: true });
    for (let i = 0; i < files.length; i++) {
      const image = await io.readImageFile(files[i]!, { maxPixels: a.maxPixels });
      const r = await attack(image, i, files[i]!);
      const png = join(a.outDir, pngNames[i]!);
      await io.writeFileAtomic(png, r.png);
      r.record.outputs = { png };
      if (a.format === 'npy' || a.npyDir) {
        const dir = a.npyDir ?? a.outDir;
        fs.mkdirSync(dir, { recursive: true });
        const npy = join(dir, npyNames[i]!);
        await io.writeFileAtomic(npy, imgNpy.imageToNpy(r.adversarial));
        r.record.outputs.npy = npy;
      }
      writeRecord(r.record);
      const rec = r.record;
      if (a.json) process.stdout.write(`${JSON.stringify({ ...header, ...rec })}\n`);
      else process.stdout.write(`${files[i]} → ${png}: ${rec.success ? 'success' : 'failed'} (top-1 ${rec.top1.before} → ${rec.top1.after}, PNG ${rec.top1.stored}), margin ${rec.margin.after.toFixed(3)}, ‖r‖∞ ${rec.delta.linf.toFixed(2)} ‖r‖₂ ${rec.delta.l2.toFixed(1)} (8-bit levels), PSNR ${rec.psnr.toFixed(2)} dB, ${rec.steps} steps, ${rec.queries} queries, ${(rec.ms / 1000).toFixed(2)} s\n`);
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    await classifier?.release();
  }
}
