// The fuzzer's oracle and in-process targets. A case passes when every library entry point it reaches
// either returns or throws an error the CLI maps to exit 1 (bad input) or 3 (no exact collision) with a
// non-empty message of our own — not a JavaScript engine error (a TypeError "Cannot read properties of
// undefined" would also map to 1, so those count as failures), not exit 2 — and when the process's
// resident memory stays within a bound. Used by fuzz/run.ts and by test/fuzz/*.test.ts.
import { mkdtempSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng, type Rng } from '../src/linalg/random.js';
import { exitCodeFor } from '../src/cli/errors.js';
import { pipelineOptions, type CollideArgs } from '../src/cli/collide-options.js';
import { externalReader } from '../src/cli/model-file.js';
import { splitPngs } from '../src/image/png-split.js';
import { stdinPngStream } from '../src/image/io-stream.js';
import { decodePng } from '../src/image/png.js';
import { DEFAULT_MAX_PIXELS } from '../src/image/png-chunks.js';
import { decodeModel } from '../src/onnx/model.js';
import { buildModel } from '../src/onnx/writer.js';
import { census } from '../src/census/census.js';
import { localEngine } from '../src/census/rank-engine.js';
import { createPipeline, type Pipeline, type SizedSetup } from '../src/collide/pipeline.js';
import type { Image } from '../src/image/image.js';
import { pngCase } from './png.js';
import { onnxCase, BASES, EXTERNAL_FILE, EXTERNAL_BYTES } from './onnx.js';
import { int } from './png.js';

export type Target = 'png' | 'onnx';

/** Messages of errors the JavaScript engine (or Node) throws on its own: a bug, whatever the class. */
const ENGINE = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|is not defined|Invalid array length|Invalid typed array length|Array buffer allocation failed|Maximum call stack|out of bounds|outside the bounds|Invalid string length|Cannot convert|Cannot mix BigInt|Invalid count value|toFixed\(\) digits|Invalid code point|Reduce of empty array/;

/** Why an error fails the oracle, or undefined when it is a clean refusal (exit 1 or 3). */
export function verdictOf(err: unknown): string | undefined {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = exitCodeFor(e);
  if (code !== 1 && code !== 3) return `exit ${code} (${e.constructor.name})`;
  if (!e.message.trim()) return 'empty error message';
  if (ENGINE.test(e.message)) return `JavaScript engine error (${e.constructor.name})`;
  return undefined;
}

export interface CaseResult {
  /** failing stage and reason; empty when the case passed */
  failures: { stage: string; reason: string; message: string; stack?: string }[];
  /** stages that returned normally / refused the input cleanly */
  passed: number; refused: number;
  /** names of the stages that returned normally (to show how deep the cases reach) */
  reached: string[];
}

/** Runs one stage, classifying what it throws. Returns its value, or undefined when it threw. */
async function stage<T>(res: CaseResult, name: string, f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    const v = await f();
    res.passed++;
    res.reached.push(name);
    return v;
  } catch (e) {
    const reason = verdictOf(e);
    if (reason) res.failures.push({ stage: name, reason, message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack });
    else res.refused++;
    return undefined;
  }
}

/** The CLI's collide defaults as library options (one place, shared by both targets). */
export function collideOptions(): ReturnType<typeof pipelineOptions> {
  return pipelineOptions({ method: 'operator', seed: 0, bitDepth: 16, format: 'png', outDir: '', maxPixels: DEFAULT_MAX_PIXELS, tol: 1e-13, approxK: 4, model: '', resize: true } as CollideArgs);
}
const TOOL = { name: 'nullspace', version: 'fuzz' };

/** Shared state of a fuzz run: the collide pipeline for PNG cases, the folder for external data. */
export interface FuzzEnv { pipeline: Pipeline; dir: string }

export async function fuzzEnv(): Promise<FuzzEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'nullspace-fuzz-'));
  writeFileSync(join(dir, EXTERNAL_FILE), EXTERNAL_BYTES);
  writeFileSync(join(dir, 'outside.bin'), EXTERNAL_BYTES);
  symlinkSync(join(dir, 'outside.bin'), join(dir, 'link.bin'));
  const pipeline = await createPipeline(buildModel(BASES.conv!()), { ...collideOptions(), tool: TOOL, modelName: 'base.onnx' });
  return { pipeline, dir };
}

/** Feeds bytes in random-sized chunks, as a pipe would. */
async function* chunked(r: Rng, b: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let p = 0; p < b.length;) { const n = int(r, 1, 4096); yield b.subarray(p, p + n); p += n; }
}

/** A PNG case: split (whole), stream-split in chunks → decode → collide pipeline (with resize). */
export async function runPng(bytes: Uint8Array, r: Rng, env: FuzzEnv): Promise<CaseResult> {
  const res: CaseResult = { failures: [], passed: 0, refused: 0, reached: [] };
  await stage(res, 'splitPngs', () => splitPngs(bytes));
  await stage(res, 'stream', async () => {
    for await (const item of stdinPngStream({ input: chunked(r, bytes), maxPixels: DEFAULT_MAX_PIXELS })) {
      const image = await stage(res, 'decodePng', () => decodePng(item.bytes, { location: item.location, maxPixels: DEFAULT_MAX_PIXELS }));
      if (image) await stage(res, 'pipeline.process', () => env.pipeline.process(image, item.index, item.location));
    }
  });
  return res;
}

function imageFor(p: SizedSetup): Image {
  const n = p.height * p.width * p.channels;
  return { width: p.width, height: p.height, channels: p.channels as 1 | 3, bitDepth: 8, data: Float64Array.from({ length: n }, (_, i) => ((i * 37) % 255) / 255) };
}

/** An ONNX case: decode → census (local engine) → collide pipeline → one image through it. */
export async function runOnnx(bytes: Uint8Array, _r: Rng, env: FuzzEnv): Promise<CaseResult> {
  const res: CaseResult = { failures: [], passed: 0, refused: 0, reached: [] };
  const model = await stage(res, 'decodeModel', () => decodeModel(bytes, 'fuzz.onnx'));
  if (!model) return res;
  const external = externalReader(env.dir, 'fuzz.onnx');
  await stage(res, 'census', () => census(model, localEngine(), { path: 'fuzz.onnx', sha256: '', external }));
  const p = await stage(res, 'createPipeline', () => createPipeline(model, { ...collideOptions(), tool: TOOL, modelName: 'fuzz.onnx', external }));
  // a model of fixed size (a dynamic one takes its size from the image: one 16×16 RGB image)
  const su = p?.fixed;
  if (p && su && su.height * su.width * su.channels <= 1 << 20) await stage(res, 'pipeline.process', () => p.process(imageFor(su), 0, 'image'));
  else if (p && !su) await stage(res, 'pipeline.process', () => p.process(imageFor({ height: 16, width: 16, channels: 3 } as SizedSetup), 0, 'image'));
  return res;
}

/** The generator for case i of a run with seed s (so one case can be replayed alone). */
export const caseRng = (seed: number, i: number): Rng => rng(((seed >>> 0) * 1_000_003 + i) >>> 0);

/** Builds case i of target t. */
export function makeCase(t: Target, seed: number, i: number, env: FuzzEnv): { bytes: Uint8Array; what: string[]; r: Rng } {
  const r = caseRng(seed, i);
  const c = t === 'png' ? pngCase(r, { w: env.pipeline.fixed!.width, h: env.pipeline.fixed!.height }) : onnxCase(r);
  return { bytes: c.bytes, what: c.what, r };
}

export const runCase = (t: Target, bytes: Uint8Array, r: Rng, env: FuzzEnv): Promise<CaseResult> => (t === 'png' ? runPng(bytes, r, env) : runOnnx(bytes, r, env));
