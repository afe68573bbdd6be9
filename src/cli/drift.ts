// `nullspace drift MODEL IMAGE`: the theory-against-practice experiment (DESIGN.md §2). Writes
// drift.csv, drift.json, drift.svg and drift.png into --out (atomically) and prints the table.
// This module holds the flags (loaded at every start-up); the body, drift-run.ts, is imported
// when the command runs.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { modelInputOptions, type ModelInputArgs } from './model-input-flags.js';
import { backendOption, type BackendArgs } from './backend-args.js';

export interface DriftArgs extends ModelInputArgs, BackendArgs {
  backends?: string;
  model: string;
  image: string;
  alphas: string;
  out: string;
  seed: number;
  json?: boolean;
  profile: boolean;
  profileAlpha?: number;
}

export const command = 'drift <model> <image>';
export const describe = 'measure how practice drifts from an exact collision: float32, PNG storage, clipping, patch mode, against α; writes drift.csv/json/svg/png';

export function builder(y: Argv): Argv<DriftArgs> {
  return backendOption(modelInputOptions(y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('image', { type: 'string', describe: 'the original image (PNG or float64 .npy at the model input size)', demandOption: true })
    .option('alphas', { type: 'string', default: '1e-3:1e3:13', describe: 'α values: lo:hi:n (log-spaced, inclusive) or a comma list; α is the RMS of the perturbation in pixel units (pixels in [0, 1]), as collide --alpha; default 1e-3:1e3:13' })
    .option('out', { type: 'string', default: 'drift', describe: 'directory for drift.csv, drift.json, drift.svg, drift.png (created); default ./drift' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the noise direction projected onto ker(A_img); default 0' })
    .option('json', { type: 'boolean', describe: 'print the JSON report instead of the table' })
    .option('profile', { type: 'boolean', default: true, describe: 'also trace the difference layer by layer (float32 vs float64); --no-profile skips it' })
    .option('profile-alpha', { type: 'number', describe: 'α of the layer profile; default the α closest to 1' })
    .option('backends', { type: 'string', describe: 'channel (b) on each of these backends side by side, e.g. wasm,webgpu,native (the float64 channels run on --backend, or on wasm when that is webgpu)' })))
    .example('$0 drift cls.onnx x.png --preset paddle --out results/', 'the drift table and plots for one image')
    .example('$0 drift cls.onnx x.png --preset paddle --backends wasm,webgpu,native', 'does the collision survive GPU arithmetic? channel (b) per backend')
    .epilogue('Channels: (a) exact δ ∈ ker(A_img), float64 forward; (b) the same x′, float32 forward; (c)/(d) x′ rounded to the 16-/8-bit PNG grid; (e) x′ clipped to [0, 1]; (f) the paper\'s patch mode. All but (b) run in float64. Exit code 3 when ker(A_img) is trivial (no exact δ exists).') as unknown as Argv<DriftArgs>;
}

/** yargs calls this with the parsed flags (typed loosely there; see DriftArgs). */
export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const { run } = await import('./drift-run.js');
  await run(argv as unknown as DriftArgs);
}
