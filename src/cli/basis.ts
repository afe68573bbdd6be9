// `nullspace basis MODEL --out DIR`: the first layer's window null-space basis as a PNG contact
// sheet (basis.png), raw float64 vectors (basis.f64) and a JSON header describing them (basis.json).
// This module holds the flags (loaded at every start-up); the body, basis-run.ts, is imported
// when the command runs.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { invalidParameter } from '../core/errors.js';
import { DEFAULT_MAX_BYTES } from '../onnx/limits.js';
import { checkTolerances } from './inspect.js';

export interface BasisArgs { model: string; out: string; size?: string; rtol?: number; atol?: number; maxBytes: number; zoom?: number }

export const command = 'basis <model>';
export const describe = "write the first layer's window null-space basis as a PNG contact sheet and raw float64 data";

export function builder(y: Argv): Argv<BasisArgs> {
  return y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .option('out', { type: 'string', demandOption: true, describe: 'output folder (created): basis.png, basis.f64, basis.json' })
    .option('size', { type: 'string', describe: 'HxW of the image input, default: as declared' })
    .option('rtol', { type: 'number', describe: 'relative rank tolerance, default max(m,n)·eps(float32)' })
    .option('atol', { type: 'number', describe: 'absolute rank tolerance (wins over --rtol), default none' })
    .option('zoom', { type: 'number', describe: 'pixels per weight in the PNG, default: patches about 48 px tall' })
    .option('max-bytes', { type: 'number', default: DEFAULT_MAX_BYTES, describe: 'largest tensor in bytes, default 4 GiB' }) as unknown as Argv<BasisArgs>;
}

export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as BasisArgs;
  checkTolerances(args);
  if (args.zoom !== undefined && !(Number.isInteger(args.zoom) && args.zoom >= 1 && args.zoom <= 64)) throw invalidParameter('--zoom', 'an integer between 1 and 64', args.zoom, RangeError);
  const { run } = await import('./basis-run.js');
  await run(args);
}
