// Preprocessing flags of verify and drift, with collide's names, formats and defaults (parsed by
// collide-options.ts's parseNormalization so that `collide | verify` agree by construction):
// --preset, --mean, --std, --bgr, --size. Also per-model-channel mean/std arrays (model order).
import type { Argv } from 'yargs';
import { modelBox, type ModelInputOptions, type Normalization } from '../image/tensor.js';
import { parseNormalization } from './collide-options.js';
import { parseSize } from './inspect.js';

export interface ModelInputArgs {
  preset?: string;
  mean?: string;
  std?: string;
  bgr?: boolean;
  size?: string;
}

/** Adds the preprocessing flags to a command. */
export function modelInputOptions<T>(y: Argv<T>): Argv<T & ModelInputArgs> {
  return y
    .option('preset', { type: 'string', describe: 'normalisation preset, as collide: imagenet | paddle (mean = std = 0.5) | none (default)' })
    .option('mean', { type: 'string', describe: 'per-channel mean after scaling to [0,1], RGB order: "0.5" or "0.485,0.456,0.406"' })
    .option('std', { type: 'string', describe: 'per-channel std, RGB order' })
    .option('bgr', { type: 'boolean', describe: 'the model takes channels as B, G, R' })
    .option('size', { type: 'string', describe: 'model input size HxW when the model\'s is dynamic; default: the (original) image\'s size' }) as unknown as Argv<T & ModelInputArgs>;
}

/** The Normalization the flags describe. @throws RangeError/TypeError naming the flag */
export function normalizationOf(a: ModelInputArgs): Normalization {
  return parseNormalization(a);
}

/** Per-model-channel mean and std (model order), from the image module's box. */
export function channelStats(n: ModelInputOptions): { mean: number[]; std: number[] } {
  const { lower, upper } = modelBox(n);
  const std = Array.from(lower, (lo, c) => 1 / (upper[c]! - lo));
  const mean = Array.from(lower, (lo, c) => -lo * std[c]!);
  return { mean, std };
}

export { parseSize };
