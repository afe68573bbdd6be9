// `nullspace inspect MODEL…`: the census of each model's trainable weights and its first layer.
// This module is the command's light part (flags and their checks, loaded at every start-up);
// the census itself lives in inspect-run.ts, imported when the command runs.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { invalidParameter } from '../core/errors.js';
import { DEFAULT_MAX_BYTES } from '../onnx/limits.js';
import { optimiseWasmFromFirstCall } from './wasm-tier.js';

export interface InspectArgs {
  models: string[];
  json?: boolean;
  markdown?: boolean;
  size?: string;
  rtol?: number;
  atol?: number;
  threads: number;
  maxBytes: number;
  dumpWeights?: string;
  /** --image: the stem's level set for this image */
  image?: string;
  preset?: string;
  mean?: string;
  std?: string;
  bgr?: boolean;
}

/** "HxW" → {h, w}. */
export function parseSize(s: string | undefined): { h: number; w: number } | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)[xX×](\d+)$/.exec(s);
  if (!m || +m[1]! < 1 || +m[2]! < 1) throw invalidParameter('--size', 'HxW with positive integers, e.g. 224x224', s, RangeError);
  return { h: +m[1]!, w: +m[2]! };
}

/** --rtol and --atol (inspect, basis): non-negative when given. @throws RangeError naming the flag */
export function checkTolerances(args: { rtol?: number; atol?: number }): void {
  for (const k of ['rtol', 'atol'] as const) {
    const v = args[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw invalidParameter(`--${k}`, 'a non-negative number', v, RangeError);
  }
}

/** Writes files into dir under temporary names, then renames them into place. */
export function writeFilesAtomic(dir: string, files: Map<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(dir, name));
  }
}

export const command = 'inspect <models..>';
export const describe = 'census of the trainable weights of ONNX models: rank, nullity, wide/rank-deficient, and the first layer at the input size';

export function builder(y: Argv): Argv<InspectArgs> {
  return y
    .positional('models', { type: 'string', array: true, describe: 'ONNX model files', demandOption: true })
    .option('json', { type: 'boolean', describe: 'print the JSON report' })
    .option('markdown', { type: 'boolean', describe: 'print Markdown tables' })
    .conflicts('json', 'markdown')
    .option('size', { type: 'string', describe: 'HxW of the image input (needed when it is dynamic), default: as declared' })
    .option('rtol', { type: 'number', describe: 'relative rank tolerance: tol = rtol·σmax, default max(m,n)·eps(float32)' })
    .option('atol', { type: 'number', describe: 'absolute rank tolerance (wins over --rtol), default none' })
    .option('threads', { type: 'number', default: availableParallelism(), describe: 'worker threads for the SVDs, started only when several large weights make them worth it; default: all cores' })
    .option('max-bytes', { type: 'number', default: DEFAULT_MAX_BYTES, describe: 'largest tensor in bytes (stored or decoded to float64), default 4 GiB' })
    .option('image', { type: 'string', describe: 'PNG/.npy image: also report, for each tensor after the stem\'s ReLU/Clip/MaxPool layers, the level set of this image — equality rows, inequality rows, and a proven lower bound on the dimension of the polytope of images with the same output there' })
    .option('preset', { type: 'string', describe: 'with --image: normalisation preset imagenet | paddle | none (default)' })
    .option('mean', { type: 'string', describe: 'with --image: per-channel mean, RGB order' })
    .option('std', { type: 'string', describe: 'with --image: per-channel std, RGB order' })
    .option('bgr', { type: 'boolean', describe: 'with --image: the model takes channels as B, G, R' })
    .option('dump-weights', { type: 'string', describe: 'also write every weight as float64 .npy with a manifest into DIR/<model>/' }) as unknown as Argv<InspectArgs>;
}

export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as InspectArgs;
  checkTolerances(args);
  if (!Number.isInteger(args.threads) || args.threads < 1) throw invalidParameter('--threads', 'a positive integer', args.threads, RangeError);
  if (!(args.maxBytes > 0)) throw invalidParameter('--max-bytes', 'a positive number of bytes', args.maxBytes, RangeError);
  parseSize(args.size);
  optimiseWasmFromFirstCall();
  const { run } = await import('./inspect-run.js');
  await run(args);
}
