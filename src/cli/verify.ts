// `nullspace verify MODEL ORIGINAL CANDIDATE…` and `nullspace verify MODEL --against ORIGINAL`
// (candidates as a PNG stream on stdin): is each candidate a feature collision of the original,
// at float64 (exact) and/or float32? This module holds the flags (loaded at every start-up); the
// body, verify-run.ts, is imported when the command runs.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { modelInputOptions, type ModelInputArgs } from './model-input-flags.js';
import { backendOption, type BackendArgs } from './backend-args.js';
import { SHARD_OPTION } from './shard.js';

export interface VerifyArgs extends ModelInputArgs, BackendArgs {
  model: string;
  images: string[];
  against?: string;
  json?: boolean;
  precision: string;
  /** --shard i/n | auto[/n] (shard.ts) */
  shard?: string;
  /** --layers: the layer-by-layer profile */
  layers?: boolean;
}

export const command = 'verify <model> [images..]';
export const describe = 'check that candidates collide with an original: outputs at float64/float32, first-layer features, verdict exact | float32-close | storage-close | differs';

export function builder(y: Argv): Argv<VerifyArgs> {
  return backendOption(modelInputOptions(y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('images', { type: 'string', array: true, describe: 'ORIGINAL then CANDIDATE… (PNG or float64 .npy, H×W×C in [0, 1]); with --against: CANDIDATE… (or none: a PNG stream on stdin)' })
    .option('against', { type: 'string', describe: 'the ORIGINAL image; candidates are the positional images, or a PNG stream on stdin when none are given' })
    .option('json', { type: 'boolean', describe: 'print one JSON report instead of text' })
    .option('layers', { type: 'boolean', describe: 'the layer-by-layer profile: every tensor\'s relative difference in graph order, and the tensor from which all are identical at float64 (a collision at a stem tensor: different up to L, identical from L on)' })
    .option('shard', SHARD_OPTION)
    .option('precision', { type: 'string', default: 'both', describe: 'f64: collide only when exact (float64 outputs within 1e-12 relative); f32: float32 outputs within 1e-5; both: run both, accept exact or float32-close; f32 and both also accept storage-close (a 16-bit PNG whose whole first-layer difference is its rounding, predictions kept); default both' })))
    .example('$0 verify cls.onnx x.png x_prime.npy', 'is x_prime an exact collision of x?')
    .example('nullspace collide cls.onnx < x.png | $0 verify cls.onnx --against x.png', 'verify a stream of collisions')
    .epilogue('Exit code: 0 when every candidate collides at the requested precision, 1 when one does not (or on bad input).') as unknown as Argv<VerifyArgs>;
}

/** yargs calls this with the parsed flags (typed loosely there; see VerifyArgs). */
export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const { run } = await import('./verify-run.js');
  await run(argv as unknown as VerifyArgs);
}
