// The body of `nullspace collide` (see collide.ts for its flags): null-space search per image.
// Without IMAGES it reads a stream of concatenated PNGs on stdin and writes the colliding PNGs,
// in order, to stdout; with IMAGES (files or directories) it writes to --out-dir. Reports go to
// --report (NDJSON).
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { createPipeline, accepted, type Pipeline, type ProcessedImage, type SizedSetup } from '../collide/pipeline.js';
import { NoExactCollision } from '../collide/collider.js';
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

/** Opens the report sink: a file, stderr ('-'), or nothing. */
function reportSink(target: string | undefined): { write(r: CollideRecord): void; close(): void } {
  if (!target) return { write() {}, close() {} };
  if (target === '-') return { write: (r) => process.stderr.write(formatRecord(r) + '\n'), close() {} };
  const fd = openSync(target, 'w');
  return { write: (r) => writeSync(fd, formatRecord(r) + '\n'), close: () => closeSync(fd) };
}

/** One line about A_img for stderr. */
export function setupSummary(p: SizedSetup): string {
  const f = p.analysis.figures;
  const l = p.layer.spec;
  const what = l.kind === 'conv'
    ? `Conv ${l.geometry.outC}←${l.geometry.c} ${l.geometry.kh}×${l.geometry.kw}/${l.geometry.sh}${l.geometry.groups > 1 ? ` groups ${l.geometry.groups}` : ''}`
    : `dense ${l.m}←${l.n}`;
  const sig = f.sigmaMinRelative !== undefined ? `σ_min/‖A‖ ≲ ${f.sigmaMinRelative.toExponential(2)}` : '';
  const ker = f.lowerBound > 0 ? `nullity ≥ ${f.lowerBound}`
    : f.trivial ? `kernel trivial (${[f.certificate?.injective ? 'proven: block-triangular' : '', sig].filter(Boolean).join(', ')})`
    : `${sig} (numerically singular)`;
  const w = f.windowNullity ? `, ker(W) ${f.windowNullity.join('/')}` : '';
  const head = `${what} at ${p.height}×${p.width}: A_img ${f.rows}×${f.cols} (${f.shape}${f.overlap ? ', windows overlap' : ''}), ${ker}${w}`;
  if (p.stem) {
    const s = p.stem;
    const folded = s.chain.folded.length ? ` (${s.chain.folded.join(', ')} folded in)` : '';
    const at = s.usable.map((u) => `${u.candidate.tensor} after ${u.candidate.node}, ${u.candidate.shape.c}×${u.candidate.shape.h}×${u.candidate.shape.w}`).join('; ');
    return `${head}; collisions at the stem${folded}: ${at}; set-up ${(s.setupMs / 1000).toFixed(2)} s`;
  }
  const c = p.collider!;
  const ns = c.normal;
  const solver = ns ? `, solver ${ns.kind === 'banded' ? `factored A·Aᵀ (band ${ns.bandwidth}, ${((ns.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB)` : ns.kind}` : '';
  return `${head}; set-up ${(c.setupMs / 1000).toFixed(2)} s, mode ${c.mode}${solver}`;
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

/** NoExactCollision from a set-up built mid-stream (a dynamic model's new size) exits with 3. */
function noExact(label: string, e: unknown): never {
  if (e instanceof NoExactCollision) throw new ExitError(`${label}: ${e.message}`, EXIT.noExactCollision);
  throw e;
}

export async function run(args: ArgumentsCamelCase): Promise<void> {
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
  const quiet = !!argv.json || argv.report === '-';
  const announce = (s: SizedSetup) => { if (!quiet) process.stderr.write(`nullspace collide: ${setupSummary(s)}\n`); };
  if (pipeline.fixed) announce(pipeline.fixed);
  pipeline.onSetup = announce;
  const report = reportSink(argv.report);
  const refusals = new Refusals(argv.report === '-');
  try {
    if (!argv.images || argv.images.length === 0) await streamMode(pipeline, argv, report, refusals, model.label, shard);
    else await filesMode(pipeline, argv, report, refusals, model.label, shard);
  } finally {
    report.close();
  }
  refusals.finish();
}

async function streamMode(p: Pipeline, a: CollideArgs, report: { write(r: CollideRecord): void }, refusals: Refusals, label: string, shard: Shard): Promise<void> {
  const writer = createPayloadWriter(process.stdout);
  if (a.format === 'npy' && !a.npyDir) throw new RangeError('--format npy on a stream needs --npy-dir DIR (stdout carries the PNG stream)');
  const npyDir = a.npyDir;
  if (npyDir) mkdirSync(npyDir, { recursive: true });
  for await (const item of stdinPngStream({ maxPixels: a.maxPixels, source: 'stdin' })) {
    if (!inShard(shard, item.index)) continue;
    const image = decodePng(item.bytes, { location: item.location, maxPixels: a.maxPixels });
    let r: ProcessedImage;
    try { r = p.process(image, item.index, item.location); } catch (e) { noExact(label, e); }
    if (!refusals.check(item.location, r.record, !!a.allowApproximate)) { report.write(r.record); continue; }
    if (npyDir) {
      const name = join(npyDir, streamItemName(item.index, { ext: 'npy' }));
      await writeFileAtomic(name, imageToNpy(r.xPrime));
      r.record.outputs = { npy: name };
    }
    report.write(r.record);
    if (!(await writer.write(r.png))) return; // the reader went away: stop quietly
  }
}

async function filesMode(p: Pipeline, a: CollideArgs, report: { write(r: CollideRecord): void }, refusals: Refusals, label: string, shard: Shard): Promise<void> {
  const files = await listImages(a.images!);
  const names = outputNames(files);
  const npyNames = outputNames(files, { ext: 'npy' });
  mkdirSync(a.outDir, { recursive: true });
  for (let i = 0; i < files.length; i++) {
    if (!inShard(shard, i)) continue;
    const image = await readImageFile(files[i]!, { maxPixels: a.maxPixels });
    let r: ProcessedImage;
    try { r = p.process(image, i, files[i]!); } catch (e) { noExact(label, e); }
    if (!refusals.check(files[i]!, r.record, !!a.allowApproximate)) {
      report.write(r.record);
      if (a.json) process.stdout.write(formatRecord(r.record) + '\n');
      continue;
    }
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
