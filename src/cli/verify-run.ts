// The body of `nullspace verify` (see verify.ts for its flags): reads the original and the
// candidates, calls src/verify, formats the verdicts. Thin: read, call src/verify, format.
import { open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { InputError, invalidParameter } from '../core/errors.js';
import type { Image } from '../image/image.js';
import { readImageFile } from '../image/io.js';
import { stdinPngStream } from '../image/io-stream.js';
import { decodePng } from '../image/png.js';
import { toModelTensor, type ModelInputOptions } from '../image/tensor.js';
import { createModelRunner, type ModelRunner } from '../verify/model-runner.js';
import { createVerifier } from '../verify/verify.js';
import { resolvePrecision, type Precision } from '../verify/verdict.js';
import { sci } from '../verify/table.js';
import type { CandidateReport } from '../verify/records.js';
import { PNG_SIGNATURE } from '../image/png-chunks.js';
import { EXIT, ExitError } from './errors.js';
import { readModelFile } from './model-file.js';
import { channelStats, normalizationOf, parseSize } from './model-input-args.js';
import type { VerifyArgs } from './verify.js';
import { tool } from './version.js';
import { parseShard, inShard } from './shard.js';
import { backendOf, describeBackend } from './backend-resolve.js';
import { releaseBackends } from '../runtime/ort.js';

interface CandidateSource {
  location: string;
  read(): Promise<{ image: Image; png: boolean }>;
}

async function isPngFile(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return false; // readImageFile reports the missing file
  try {
    const head = new Uint8Array(8);
    await fh.read(head, 0, 8, 0);
    return PNG_SIGNATURE.every((b, i) => head[i] === b);
  } finally {
    await fh.close();
  }
}

async function* candidates(files: string[]): AsyncGenerator<CandidateSource> {
  if (files.length > 0) {
    for (const f of files) yield { location: f, read: async () => ({ image: await readImageFile(f), png: await isPngFile(f) }) };
    return;
  }
  for await (const item of stdinPngStream()) {
    yield { location: item.location, read: async () => ({ image: decodePng(item.bytes, { location: item.location }), png: true }) };
  }
}

function checkSize(image: Image, runner: ModelRunner, location: string): void {
  const [, , H, W] = runner.input.dims;
  if (image.height !== H || image.width !== W) throw new InputError(`${location}: image is ${image.height}×${image.width} but the model input is ${H}×${W}; verify compares at model resolution (no resizing)`);
}

/** The text block for one candidate. */
export function formatCandidate(r: CandidateReport): string {
  const lines = [`${r.source}: ${r.verdict} — ${r.collides ? 'collides' : 'does not collide'} at precision ${r.precision}`];
  const outs = (r.f64 ?? r.f32)!.outputs;
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    const p64 = r.f64?.outputs[i], p32 = r.f32?.outputs[i];
    const agree = p32 ?? p64!;
    const parts = [`  output ${o.name} [${o.dims.join('×')}]`];
    if (p64) parts.push(`float64 rel ${sci(p64.relativeL2)} max ${sci(p64.maxAbs)}`);
    if (p32) parts.push(`float32 rel ${sci(p32.relativeL2)} max ${sci(p32.maxAbs)}`);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    parts.push(agree.kind === 'classification' ? `top-1 ${pct(agree.top1!)} top-5 ${pct(agree.top5!)}` : `argmax agrees at ${pct(agree.argmaxAgreement!)} of positions`);
    lines.push(parts.join('  '));
  }
  const fl = ['  first layer'];
  if (r.f64) fl.push(`float64 rel ${sci(r.f64.firstLayer.relative)} max ${sci(r.f64.firstLayer.maxAbs)}`);
  if (r.f32) fl.push(`float32 rel ${sci(r.f32.firstLayer.relative)} max ${sci(r.f32.firstLayer.maxAbs)}`);
  lines.push(fl.join('  '));
  if (r.rounding) {
    const q = r.rounding;
    if (q.response === 0) lines.push(`  ${q.bitDepth}-bit PNG: first-layer response ‖A(c − x)‖ = 0, nothing for rounding to explain`);
    else lines.push(`  ${q.bitDepth}-bit PNG rounding: first-layer response ‖A(c − x)‖ = ${sci(q.response)}, expected from ${q.bitDepth}-bit rounding alone ${sci(q.expectedRoundingResponse)} → rounding explains ${(Math.min(1, q.explained) * 100).toFixed(0)}% (ratio ${q.explained.toFixed(3)})`);
  }
  if (r.verdict === 'storage-close') lines.push('  storage-close: the outputs differ past float32\'s 1e-5, all of it the 16-bit rounding of the first layer\'s input, every prediction kept (an exact x′ needs lossless storage: collide --npy-dir)');
  if (r.layers) {
    lines.push(`  layers (relative L2 difference, graph order)${r.identicalFrom ? ` — identical at float64 from ${r.identicalFrom} on` : ''}`);
    const w = Math.max(...r.layers.map((l) => l.name.length));
    for (const l of r.layers) {
      const mark = r.identicalFrom && r.layers.indexOf(l) >= r.layers.findIndex((x) => x.name === r.identicalFrom) ? '=' : '≠';
      lines.push(`    ${mark} ${l.name.padEnd(w)}  ${l.op.padEnd(18)}${l.f64 !== undefined ? `  float64 ${sci(l.f64)}` : ''}${l.f32 !== undefined ? `  float32 ${sci(l.f32)}` : ''}`);
    }
  }
  if (r.verdict !== 'differs' && !r.featureCollision) {
    lines.push(r.layers
      ? '  note: the outputs agree; the first-layer features differ by more than storage explains, and no tensor is identical at float64 from some layer on (a stored PNG: see where the profile drops to its rounding level)'
      : '  note: the outputs agree but the first-layer features differ by more than storage explains — not a first-layer collision: one deeper in the network (a stem collision) or saturated outputs; --layers shows where the tensors become identical');
  }
  return lines.join('\n');
}

/** The command's body (verify.ts's handler loads this module and calls it). */
export async function run(args: VerifyArgs): Promise<void> {
  const precision: Precision = resolvePrecision(args.precision);
  const shard = parseShard(args.shard, process.env);
  const backend = backendOf(args, precision === 'f64');
  const norm = normalizationOf(args);
  const images = args.images ?? [];
  let originalPath: string;
  let files: string[];
  if (args.against !== undefined) { originalPath = args.against; files = images; } else {
    if (images.length < 2) throw invalidParameter('images', 'ORIGINAL and at least one CANDIDATE (or --against ORIGINAL with candidates on stdin)', images.join(' '), RangeError);
    [originalPath, ...files] = images as [string, ...string[]];
  }
  if (files.length === 0 && process.stdin.isTTY) throw invalidParameter('candidates', 'CANDIDATE files or a PNG stream on stdin', 'a terminal', RangeError);
  const original = await readImageFile(originalPath);
  const mf = readModelFile(args.model);
  const bytes = new Uint8Array(readFileSync(args.model));
  const size = parseSize(args.size) ?? { h: original.height, w: original.width };
  const runner = await createModelRunner(bytes, { source: mf.label, size, external: mf.external, precisions: precision === 'both' ? ['f32', 'f64'] : [precision], backend: backend.name, profile: args.layers ? 'all' : undefined });
  if (args.layers && runner.profileError) process.stderr.write(`nullspace verify: no layer profile: ${runner.profileError}\n`);
  try {
    checkSize(original, runner, originalPath);
    const options: ModelInputOptions = { ...norm, channels: runner.input.dims[1] as 1 | 3 };
    const std = channelStats(options).std;
    const verifier = await createVerifier(runner, toModelTensor(original, options, originalPath), { precision, std });
    if (!args.json) process.stderr.write(`nullspace verify: runs ${Object.entries(runner.backends).map(([p, b]) => `${p === 'f32' ? 'float32' : 'float64'} on ${describeBackend(b)}`).join(', ')}\n`);
    const reports: CandidateReport[] = [];
    let index = 0;
    for await (const c of candidates(files)) {
      if (!inShard(shard, index)) { index++; continue; }
      const { image, png } = await c.read();
      checkSize(image, runner, c.location);
      const r = await verifier.check({ source: c.location, x: toModelTensor(image, options, c.location), pngBitDepth: png ? image.bitDepth : undefined }, index++);
      reports.push(r);
      if (!args.json) process.stdout.write(`${formatCandidate(r)}\n`);
    }
    if (reports.length === 0) throw new InputError('stdin: no candidate images');
    const failing = reports.filter((r) => !r.collides).length;
    if (args.json) {
      const doc = {
        tool, model: { path: args.model, name: mf.label, sha256: mf.sha256 }, original: originalPath,
        backends: runner.backends,
        settings: { precision, backend: backend.name, preset: args.preset ?? 'none', mean: norm.mean, std: norm.std, bgr: norm.bgr, size: `${runner.input.dims[2]}x${runner.input.dims[3]}`, tolerances: { exact: 1e-12, float32: 1e-5 } },
        collides: failing === 0, candidates: reports,
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    if (failing > 0) throw new ExitError(`${failing} of ${reports.length} candidate${reports.length === 1 ? '' : 's'} do not collide at precision ${precision}`, EXIT.failure);
  } finally {
    await runner.release();
    await releaseBackends();
  }
}
