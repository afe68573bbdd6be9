// `nullspace grad MODEL IMAGE --out DIR`: the gradient of a logit (or of the top-1 margin) with
// respect to the image's pixel values, as grad.npy (float64 H×W×C) and a diverging-colour heat map
// (grad.png). Thin: read, call src/grad, write. Heavy modules load in the handler.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { backendOption, type BackendArgs } from './backend-args.js';
import { modelInputOptions, type ModelInputArgs } from './model-input-flags.js';

export interface GradArgs extends ModelInputArgs, BackendArgs {
  model: string;
  image: string;
  output?: string;
  class?: number;
  out: string;
  precision: string;
  json?: boolean;
}

export const command = 'grad <model> <image>';
export const describe = 'gradient of a logit (or of the top-1 margin) with respect to the image: grad.npy (float64 H×W×C) and grad.png (heat map)';

export function builder(y: Argv): Argv<GradArgs> {
  return backendOption(modelInputOptions(y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('image', { type: 'string', describe: 'the image (PNG or float64 .npy H×W×C in [0, 1]) at the model input size', demandOption: true })
    .option('output', { type: 'string', describe: 'tensor the scalar is read from: a model output or any intermediate tensor name; default the first model output' })
    .option('class', { type: 'number', describe: 'entry of that tensor (flattened, one image) to differentiate; default the top-1 margin y[top-1] − y[runner-up]' })
    .option('out', { type: 'string', demandOption: true, describe: 'directory for grad.npy, grad.png and grad.json (created)' })
    .option('precision', { type: 'string', default: 'f64', describe: 'f64 (the float64 lowering) or f32 (onnxruntime); default f64' })
    .option('json', { type: 'boolean', describe: 'print the JSON report instead of a summary' })))
    .example('$0 grad cls.onnx x.png --preset paddle --out g/', 'where the classifier looks (top-1 margin)')
    .example('$0 grad cls.onnx x.png --preset paddle --output p2o.Add.87 --class 1 --out g/', 'gradient of logit 1')
    .epilogue('grad.npy holds ∂scalar/∂pixel for pixel values in [0, 1] (the space of collide --format npy). Exit code 0 on success, 1 on bad input.') as unknown as Argv<GradArgs>;
}

/** yargs calls this with the parsed flags (typed loosely there; see GradArgs). */
export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as GradArgs;
  const [{ mkdirSync, readFileSync }, { join }, errors, io, png, npy, grad, mf, mia, version] = await Promise.all([
    import('node:fs'), import('node:path'), import('../core/errors.js'), import('../image/io.js'), import('../image/png.js'), import('../image/npy.js'),
    import('../grad/index.js'), import('./model-file.js'), import('./model-input-args.js'), import('./version.js'),
  ]);
  const { backendOf } = await import('./backend-resolve.js');
  const precision = args.precision === 'f32' || args.precision === 'f64' ? args.precision : undefined;
  if (!precision) throw errors.invalidParameter('--precision', 'one of f32, f64', args.precision, RangeError);
  const backend = backendOf(args, precision === 'f64');
  if (args.class !== undefined && (!Number.isInteger(args.class) || args.class < 0)) throw errors.invalidParameter('--class', 'a non-negative integer', args.class, RangeError);
  const norm = mia.normalizationOf(args);
  const image = await io.readImageFile(args.image);
  const file = mf.readModelFile(args.model);
  const bytes = new Uint8Array(readFileSync(args.model));
  const size = mia.parseSize(args.size) ?? { h: image.height, w: image.width };
  if (image.height !== size.h || image.width !== size.w) throw new errors.InputError(`${args.image}: image is ${image.height}×${image.width} but --size is ${size.h}×${size.w}; grad differentiates at model resolution (resize the image first)`);
  const declared = file.model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  const channels = declared != null && Number(declared) === 1 ? 1 : 3;
  const r = await grad.imageGradient(bytes, image, { ...norm, channels }, { output: args.output, classIndex: args.class, precision, source: file.label, backend: backend.name });
  const colors = r.gradient.length / (image.width * image.height);
  mkdirSync(args.out, { recursive: true });
  const heat = grad.gradientHeatmap(r.gradient, image.width, image.height, colors);
  let l2 = 0, linf = 0;
  for (const v of r.gradient) { l2 += v * v; linf = Math.max(linf, Math.abs(v)); }
  const report = {
    tool: version.tool, model: { path: args.model, name: file.label, sha256: file.sha256 }, image: args.image,
    settings: { precision, backend: backend.name, output: r.output, class: args.class ?? null, preset: args.preset ?? 'none', mean: norm.mean, std: norm.std, bgr: norm.bgr ?? false, size: `${size.h}x${size.w}` },
    scalar: r.scalar, outputDims: r.outputDims, backend: r.backend ?? null,
    gradient: { shape: [image.height, image.width, colors], l2: Math.sqrt(l2), linf, heatmapScale: heat.scale },
    files: { npy: join(args.out, 'grad.npy'), png: join(args.out, 'grad.png'), json: join(args.out, 'grad.json') },
  };
  await io.writeFileAtomic(report.files.npy, npy.writeNpy(r.gradient, [image.height, image.width, colors]));
  await io.writeFileAtomic(report.files.png, png.encodePng(heat.image, { bitDepth: 8 }));
  await io.writeFileAtomic(report.files.json, new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const what = r.scalar.kind === 'margin' ? `top-1 margin y[${r.scalar.index}] − y[${r.scalar.runnerUp}]` : `y[${r.scalar.index}]`;
    process.stdout.write(`${r.output}: ${what} = ${r.scalar.value.toPrecision(6)}; gradient ‖·‖₂ ${Math.sqrt(l2).toExponential(3)}, max |·| ${linf.toExponential(3)} (${precision}) → ${args.out}/grad.npy, grad.png\n`);
  }
}
