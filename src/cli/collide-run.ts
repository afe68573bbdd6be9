// The body of `nullspace collide` (see collide.ts for its flags): null-space search per image.
// Without IMAGES it reads a stream of concatenated PNGs on stdin and writes the colliding PNGs,
// in order, to stdout; with IMAGES (files or directories) it writes to --out-dir. Reports go to
// --report (NDJSON).
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { createPipeline, accepted } from '../collide/pipeline.js';
import { formatRecord, type CollideRecord } from '../collide/report.js';
import { readImageFile, listImages, writeFileAtomic } from '../image/io.js';
import { stdinPngStream, createPayloadWriter } from '../image/io-stream.js';
import { decodePng } from '../image/png.js';
import { imageToNpy } from '../image/image-npy.js';
import { outputNames, streamItemName } from '../image/names.js';
import { readModelFile } from './model-file.js';
import { EXIT, ExitError } from './errors.js';
import { tool } from './version.js';
import { pipelineOptions, reportSettings, type CollideArgs } from './collide-options.js';
import { parseShard, inShard, type Shard } from './shard.js';
import { ImageRunner, ordered, commandError } from './collide-pool.js';

/** Opens the report sink: a file, stderr ('-'), or nothing. */
function reportSink(target: string | undefined): { write(r: CollideRecord): void; close(): void } {
  if (!target) return { write() {}, close() {} };
  if (target === '-') return { write: (r) => process.stderr.write(formatRecord(r) + '\n'), close() {} };
  const fd = openSync(target, 'w');
  return { write: (r) => writeSync(fd, formatRecord(r) + '\n'), close: () => closeSync(fd) };
}

function summaryLine(name: string, out: string | undefined, r: CollideRecord): string {
  const s = r.stored!;
  const fc = r.firstLayerChange ? `, first-layer change ${r.firstLayerChange.actual.toExponential(2)} (predicted ${r.firstLayerChange.predicted.toExponential(2)})` : '';
  const st = r.strength ? `, pixel RMS ${r.strength.reached.toFixed(4)} of ${r.strength.asked.toFixed(4)} asked` : '';
  const head = out ? `${name} → ${out}` : `${name}: not written`;
  if (r.stem) {
    const m = r.stem;
    return `${head}: ${r.verdict} at ${m.at} (residual ${m.residual.float64.toExponential(2)} float64, ${m.residual.float32.toExponential(2)} float32, ${m.storedResidual.float64.toExponential(2)} as ${s.bitDepth}-bit PNG; winners ${m.equalityResidual.toExponential(2)}; ${m.equalities} equality / ${m.inequalities} inequality rows, smallest slack ${m.minSlack.toExponential(2)}; dimension ≥ ${m.dimensionBound}), PSNR ${r.exact.psnr.toFixed(2)} dB${st}, first layer changed by ${m.firstLayerChange.toExponential(2)}${r.reason ? ` — ${r.reason}` : ''}`;
  }
  return `${head}: ${r.verdict} (residual ${r.exact.residual.toExponential(2)} float64, ${s.residual.toExponential(2)} as ${s.bitDepth}-bit PNG), PSNR ${r.exact.psnr.toFixed(2)} dB${st}, clipped ${(r.exact.clipped * 100).toFixed(2)}%${fc}${r.reason ? ` — ${r.reason}` : ''}`;
}

/** Refused images (not exact, no --allow-approximate): a line each on stderr, a count for the exit code. */
class Refusals {
  count = 0; seen = 0;
  constructor(private readonly quiet: boolean) {}
  check(name: string, r: CollideRecord, allowApproximate: boolean): boolean {
    this.seen++;
    const ok = accepted(r, allowApproximate);
    r.written = ok;
    if (!ok) {
      this.count++;
      if (!this.quiet) process.stderr.write(`nullspace collide: ${name}: not written: ${r.verdict} — ${r.reason ?? 'not an exact collision'}\n`);
    }
    return ok;
  }
  finish(): void {
    if (this.count > 0) {
      throw new ExitError(`${this.count} of ${this.seen} image${this.seen === 1 ? '' : 's'} had no exact collision that moved and ${this.count === 1 ? 'was' : 'were'} not written (--allow-approximate writes approximate ones)`, EXIT.noExactCollision);
    }
  }
}

export async function run(args: ArgumentsCamelCase): Promise<void> {
  const argv = args as unknown as CollideArgs;
  const opts = pipelineOptions(argv);
  const shard = parseShard(argv.shard, process.env);
  const maxPixels = argv.maxPixels;
  const model = readModelFile(argv.model);
  const target = argv.target !== undefined ? await readImageFile(argv.target, { maxPixels }) : undefined;
  const mask = argv.mask !== undefined ? await readImageFile(argv.mask, { maxPixels }) : undefined;
  const options = { ...opts, target, mask, tool, sha256: model.sha256, modelName: model.label, settings: reportSettings(argv) };
  let pipeline;
  try {
    pipeline = await createPipeline(model.model, { ...options, external: model.external });
  } catch (e) {
    throw commandError(e, model.label);
  }
  // with --report - stderr is an NDJSON stream: the set-up line would break it
  const quiet = !!argv.json || argv.report === '-';
  const runner = new ImageRunner(pipeline, {
    threads: argv.threads ?? 1,
    spec: { modelPath: model.path, label: model.label, options, wantNpy: argv.format === 'npy' || argv.npyDir !== undefined },
    announce: (line) => { if (!quiet) process.stderr.write(`nullspace collide: ${line}\n`); },
  });
  const report = reportSink(argv.report);
  const refusals = new Refusals(argv.report === '-');
  try {
    if (!argv.images || argv.images.length === 0) await streamMode(runner, argv, report, refusals, shard);
    else await filesMode(runner, argv, report, refusals, shard);
  } finally {
    report.close();
    runner.close();
  }
  refusals.finish();
}

async function streamMode(runner: ImageRunner, a: CollideArgs, report: { write(r: CollideRecord): void }, refusals: Refusals, shard: Shard): Promise<void> {
  const writer = createPayloadWriter(process.stdout);
  if (a.format === 'npy' && !a.npyDir) throw new RangeError('--format npy on a stream needs --npy-dir DIR (stdout carries the PNG stream)');
  const npyDir = a.npyDir;
  if (npyDir) mkdirSync(npyDir, { recursive: true });
  async function* items() {
    for await (const item of stdinPngStream({ maxPixels: a.maxPixels, source: 'stdin' })) {
      if (!inShard(shard, item.index)) continue;
      yield { name: item.location, index: item.index, image: () => decodePng(item.bytes, { location: item.location, maxPixels: a.maxPixels }) };
    }
  }
  await ordered(runner, items(), async (f, r) => {
    if (!refusals.check(f.name, r.record, !!a.allowApproximate)) { report.write(r.record); return true; }
    if (npyDir) {
      const name = join(npyDir, streamItemName(f.index, { ext: 'npy' }));
      await writeFileAtomic(name, imageToNpy(r.xPrime!));
      r.record.outputs = { npy: name };
    }
    report.write(r.record);
    return writer.write(r.png);
  });
}

async function filesMode(runner: ImageRunner, a: CollideArgs, report: { write(r: CollideRecord): void }, refusals: Refusals, shard: Shard): Promise<void> {
  const files = await listImages(a.images!);
  const names = outputNames(files);
  const npyNames = outputNames(files, { ext: 'npy' });
  mkdirSync(a.outDir, { recursive: true });
  async function* items() {
    for (let i = 0; i < files.length; i++) {
      if (!inShard(shard, i)) continue;
      yield { name: files[i]!, index: i, image: () => readImageFile(files[i]!, { maxPixels: a.maxPixels }) };
    }
  }
  await ordered(runner, items(), async (f, r) => {
    const i = f.index;
    if (!refusals.check(f.name, r.record, !!a.allowApproximate)) {
      report.write(r.record);
      if (a.json) process.stdout.write(formatRecord(r.record) + '\n');
      return true;
    }
    const png = join(a.outDir, names[i]!);
    await writeFileAtomic(png, r.png);
    r.record.outputs = { png };
    if (a.format === 'npy' || a.npyDir) {
      const dir = a.npyDir ?? a.outDir;
      mkdirSync(dir, { recursive: true });
      const npy = join(dir, npyNames[i]!);
      await writeFileAtomic(npy, imageToNpy(r.xPrime!));
      r.record.outputs.npy = npy;
    }
    report.write(r.record);
    if (a.json) process.stdout.write(formatRecord(r.record) + '\n');
    else process.stdout.write(summaryLine(f.name, png, r.record) + '\n');
    return true;
  });
}
