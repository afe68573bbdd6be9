// `nullspace collide MODEL [IMAGES…]`: null-space search per image. Without IMAGES it reads a
// stream of concatenated PNGs on stdin and writes the colliding PNGs, in order, to stdout; with
// IMAGES (files or directories) it writes to --out-dir. Reports go to --report (NDJSON).
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { createPipeline, type Pipeline, type ProcessedImage } from '../collide/pipeline.js';
import { NoExactCollision } from '../collide/collider.js';
import { formatRecord, type CollideRecord } from '../collide/report.js';
import { readImageFile, listImages, writeFileAtomic } from '../image/io.js';
import { stdinPngStream, createPayloadWriter } from '../image/io-stream.js';
import { decodePng } from '../image/png.js';
import { imageToNpy } from '../image/image-npy.js';
import { outputNames, streamItemName } from '../image/names.js';
import { DEFAULT_MAX_PIXELS } from '../image/png-chunks.js';
import { readModelFile } from './model-file.js';
import { EXIT, EXIT_CODES_HELP, ExitError } from './errors.js';
import { tool } from './version.js';
import { pipelineOptions, reportSettings, type CollideArgs } from './collide-options.js';
import { parseShard, inShard, SHARD_OPTION, type Shard } from './shard.js';

export const command = 'collide <model> [images..]';
export const describe = 'Make images whose first-layer features (hence the prediction) equal the originals\': x\' = x + α·δ with δ in ker(A_img)';

export function builder(y: Argv): Argv<CollideArgs> {
  return y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('images', { type: 'string', array: true, describe: 'PNG/.npy files or directories; none: a PNG stream on stdin → PNG stream on stdout' })
    .option('method', { type: 'string', default: 'operator', describe: 'operator: project onto ker(A_img) of the whole first layer (exact); patch: the paper\'s per-window fold of a ker(W) vector (exact only for disjoint windows)' })
    .option('direction', { type: 'string', describe: 'seed direction: noise (seeded Gaussian; the default)' })
    .option('target', { type: 'string', describe: 'seed direction t − x for this PNG: x\' = x + α·P(t − x), the collision closest to T the null space allows (α default 1)' })
    .option('basis', { type: 'number', describe: 'seed direction: ker(W) basis vector K folded into every window (then projected, in operator mode)' })
    .option('alpha', { type: 'number', describe: 'step in model space: δ scaled to unit pixel RMS times α (default 0.05); with --target a multiple of P(t − x) (default 1)' })
    .option('psnr', { type: 'number', describe: 'choose α for this PSNR(x, x\') in dB (pixel space, peak 1, before clipping and rounding)' })
    .option('mask', { type: 'string', describe: 'PNG of multipliers (gray, [0,1]): input size = per pixel, first-layer output size = per window; operator mode keeps δ = 0 where the mask is 0 and stays exact' })
    .option('fit', { type: 'boolean', describe: 'keep x\' in [0,1] by alternating projections between ker(A_img) and the pixel box (reports the residual left)' })
    .option('fit-iter', { type: 'number', describe: 'rounds of --fit (default 6)' })
    .option('allow-approximate', { type: 'boolean', describe: 'when ker(A_img) is trivial, use the smallest singular vectors of A_img instead of exiting with 3' })
    .option('approx-k', { type: 'number', default: 4, describe: 'smallest singular vectors used by --allow-approximate' })
    .option('approx-iter', { type: 'number', describe: 'Lanczos products for them (default 800; fewer give Ritz vectors that are not the smallest, with exact predictions)' })
    .option('seed', { type: 'number', default: 0, describe: 'random seed (image i uses seed + i)' })
    .option('bit-depth', { type: 'number', default: 16, describe: 'PNG sample depth of x\': 8 or 16 (rounding leaves the null space; 16 leaves it least)' })
    .option('format', { type: 'string', default: 'png', describe: 'png, or npy: also write x\' as float64 .npy (H×W×C, [0,1]) — the exact collision' })
    .option('npy-dir', { type: 'string', describe: 'write the .npy files here (stream mode: required for --format npy; implies it)' })
    .option('out-dir', { type: 'string', default: './collisions', describe: 'output folder when IMAGES are given' })
    .option('size', { type: 'string', describe: 'model input size HxW (needed when the model\'s is dynamic)' })
    .option('resize', { type: 'boolean', describe: 'resize inputs of another size to the model\'s (bilinear, before perturbing; default: error)' })
    .option('preset', { type: 'string', describe: 'normalisation preset: imagenet | paddle (mean = std = 0.5) | none (default)' })
    .option('mean', { type: 'string', describe: 'per-channel mean after scaling to [0,1], RGB order: "0.5" or "0.485,0.456,0.406"' })
    .option('std', { type: 'string', describe: 'per-channel std, RGB order' })
    .option('bgr', { type: 'boolean', describe: 'the model takes channels as B, G, R' })
    // nargs 1: without it yargs-parser reads `--report -` as an empty value and drops the dash (yargs/yargs#1312)
    .option('report', { type: 'string', nargs: 1, describe: 'write one NDJSON record per image to FILE, or to stderr with - (then stderr carries only the records and errors)' })
    .option('max-pixels', { type: 'number', default: DEFAULT_MAX_PIXELS, describe: 'refuse PNGs whose header declares more pixels (checked before inflating)' })
    .option('tol', { type: 'number', default: 1e-13, describe: 'solver target for ‖Aδ‖/(‖A‖‖δ‖)' })
    .option('max-iter', { type: 'number', describe: 'solver iteration cap (default 3000)' })
    .option('json', { type: 'boolean', describe: 'IMAGES mode: print the NDJSON records to stdout instead of the text summary' })
    .option('shard', SHARD_OPTION)
    .epilogue(EXIT_CODES_HELP)
    .example('$0 collide cls.onnx --preset paddle < in.png > out.png', 'one image through a pipe')
    .example('$0 collide cls.onnx imgs/ --preset paddle --psnr 24 --fit --format npy --report r.ndjson', 'a folder, exact .npy beside the PNGs') as unknown as Argv<CollideArgs>;
}

/** Opens the report sink: a file, stderr ('-'), or nothing. */
function reportSink(target: string | undefined): { write(r: CollideRecord): void; close(): void } {
  if (!target) return { write() {}, close() {} };
  if (target === '-') return { write: (r) => process.stderr.write(formatRecord(r) + '\n'), close() {} };
  const fd = openSync(target, 'w');
  return { write: (r) => writeSync(fd, formatRecord(r) + '\n'), close: () => closeSync(fd) };
}

/** One line about A_img for stderr. */
export function setupSummary(p: Pipeline): string {
  const f = p.collider.analysis.figures;
  const l = p.layer.spec;
  const what = l.kind === 'conv'
    ? `Conv ${l.geometry.outC}←${l.geometry.c} ${l.geometry.kh}×${l.geometry.kw}/${l.geometry.sh}${l.geometry.groups > 1 ? ` groups ${l.geometry.groups}` : ''}`
    : `dense ${l.m}←${l.n}`;
  const sig = f.sigmaMinRelative !== undefined ? `σ_min/‖A‖ ≲ ${f.sigmaMinRelative.toExponential(2)}` : '';
  const ker = f.lowerBound > 0 ? `nullity ≥ ${f.lowerBound}`
    : f.trivial ? `kernel trivial (${[f.certificate?.injective ? 'proven: block-triangular' : '', sig].filter(Boolean).join(', ')})`
    : `${sig} (numerically singular)`;
  const w = f.windowNullity ? `, ker(W) ${f.windowNullity.join('/')}` : '';
  return `${what} at ${p.height}×${p.width}: A_img ${f.rows}×${f.cols} (${f.shape}${f.overlap ? ', windows overlap' : ''}), ${ker}${w}; set-up ${(p.collider.setupMs / 1000).toFixed(2)} s, mode ${p.collider.mode}`;
}

function summaryLine(name: string, out: string, r: CollideRecord): string {
  const s = r.stored!;
  const fc = r.firstLayerChange ? `, first-layer change ${r.firstLayerChange.actual.toExponential(2)} (predicted ${r.firstLayerChange.predicted.toExponential(2)})` : '';
  return `${name} → ${out}: ${r.verdict} (residual ${r.exact.residual.toExponential(2)} float64, ${s.residual.toExponential(2)} as ${s.bitDepth}-bit PNG), PSNR ${s.psnr.toFixed(2)} dB, clipped ${(r.exact.clipped * 100).toFixed(2)}%${fc}`;
}

export async function handler(args: ArgumentsCamelCase): Promise<void> {
  const argv = args as unknown as CollideArgs;
  const opts = pipelineOptions(argv);
  const shard = parseShard(argv.shard, process.env);
  const maxPixels = argv.maxPixels;
  const model = readModelFile(argv.model);
  const target = argv.target !== undefined ? await readImageFile(argv.target, { maxPixels }) : undefined;
  const mask = argv.mask !== undefined ? await readImageFile(argv.mask, { maxPixels }) : undefined;
  let pipeline: Pipeline;
  try {
    pipeline = await createPipeline(model.model, {
      ...opts, target, mask, tool, sha256: model.sha256, modelName: model.label, external: model.external, settings: reportSettings(argv),
    });
  } catch (e) {
    if (e instanceof NoExactCollision) throw new ExitError(`${model.label}: ${e.message}`, EXIT.noExactCollision);
    throw e;
  }
  // with --report - stderr is an NDJSON stream: the set-up line would break it
  if (!argv.json && argv.report !== '-') process.stderr.write(`nullspace collide: ${setupSummary(pipeline)}\n`);
  const report = reportSink(argv.report);
  try {
    if (!argv.images || argv.images.length === 0) await streamMode(pipeline, argv, report, shard);
    else await filesMode(pipeline, argv, report, shard);
  } finally {
    report.close();
  }
}

async function streamMode(p: Pipeline, a: CollideArgs, report: { write(r: CollideRecord): void }, shard: Shard): Promise<void> {
  const writer = createPayloadWriter(process.stdout);
  if (a.format === 'npy' && !a.npyDir) throw new RangeError('--format npy on a stream needs --npy-dir DIR (stdout carries the PNG stream)');
  const npyDir = a.npyDir;
  if (npyDir) mkdirSync(npyDir, { recursive: true });
  for await (const item of stdinPngStream({ maxPixels: a.maxPixels, source: 'stdin' })) {
    if (!inShard(shard, item.index)) continue;
    const image = decodePng(item.bytes, { location: item.location, maxPixels: a.maxPixels });
    const r = p.process(image, item.index, item.location);
    if (npyDir) {
      const name = join(npyDir, streamItemName(item.index, { ext: 'npy' }));
      await writeFileAtomic(name, imageToNpy(r.xPrime));
      r.record.outputs = { npy: name };
    }
    report.write(r.record);
    if (!(await writer.write(r.png))) return; // the reader went away: stop quietly
  }
}

async function filesMode(p: Pipeline, a: CollideArgs, report: { write(r: CollideRecord): void }, shard: Shard): Promise<void> {
  const files = await listImages(a.images!);
  const names = outputNames(files);
  const npyNames = outputNames(files, { ext: 'npy' });
  mkdirSync(a.outDir, { recursive: true });
  for (let i = 0; i < files.length; i++) {
    if (!inShard(shard, i)) continue;
    const image = await readImageFile(files[i]!, { maxPixels: a.maxPixels });
    const r: ProcessedImage = p.process(image, i, files[i]!);
    const png = join(a.outDir, names[i]!);
    await writeFileAtomic(png, r.png);
    r.record.outputs = { png };
    if (a.format === 'npy' || a.npyDir) {
      const dir = a.npyDir ?? a.outDir;
      mkdirSync(dir, { recursive: true });
      const npy = join(dir, npyNames[i]!);
      await writeFileAtomic(npy, imageToNpy(r.xPrime));
      r.record.outputs.npy = npy;
    }
    report.write(r.record);
    if (a.json) process.stdout.write(formatRecord(r.record) + '\n');
    else process.stdout.write(summaryLine(files[i]!, png, r.record) + '\n');
  }
}
