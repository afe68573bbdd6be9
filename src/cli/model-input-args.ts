// Parses the preprocessing flags of verify and drift (declared in model-input-flags.ts) with
// collide's formats and defaults (collide-options.ts's parseNormalization, so that
// `collide | verify` agree by construction). Also per-model-channel mean/std arrays (model order).
import { modelBox, type ModelInputOptions, type Normalization } from '../image/tensor.js';
import { parseNormalization } from './collide-options.js';
import { parseSize } from './inspect.js';
import type { ModelInputArgs } from './model-input-flags.js';

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
