// How much of a PNG candidate's first-layer difference its integer rounding explains.
//
// For a foreign candidate c we cannot know the unrounded x′ it came from, so we compare two
// measurable things (both float64, model space, bias cancels):
//   response = ‖A_img (c − x)‖ — the first layer's reaction to everything c changed; for a perfect
//              collision rounded to a PNG grid, only the rounding error e = c − x′ contributes
//              (A_img x′ = A_img x), so response = ‖A_img e‖;
//   expected = E‖A_img e‖ for e with independent entries uniform in ±q/2, q = 1/(2^bits − 1) in
//              pixel units (÷ std per channel in model units) — the response a rounding error of
//              that bit depth has, estimated from a few seeded draws.
// explained = expected / response: ≈ 1 when rounding alone accounts for the difference, ≪ 1 when
// the candidate differs from a collision by more than its storage explains.
import type { LinearOperator } from '../linalg/operator.js';
import { rng } from '../linalg/random.js';
import { norm2 } from './metrics.js';
import type { RoundingExplanation } from './records.js';

export interface RoundingOptions {
  /** number of random rounding-error draws (default 8) */
  draws?: number;
  /** seed of the draws (default 0) */
  seed?: number;
}

/**
 * @param op A_img (cols = c·h·w, flattened CHW, model space)
 * @param x original, model space (CHW)
 * @param candidate candidate, model space (CHW)
 * @param bitDepth the candidate PNG's bit depth (8 or 16)
 * @param std per model channel: model units per pixel unit are 1/std[ch] (length c)
 */
export function roundingExplanation(op: LinearOperator, x: Float64Array, candidate: Float64Array, bitDepth: number, std: readonly number[], opts: RoundingOptions = {}): RoundingExplanation {
  const n = op.cols;
  if (x.length !== n || candidate.length !== n) throw new RangeError(`roundingExplanation: expected images of ${n} values, got ${x.length} and ${candidate.length}`);
  const plane = n / std.length;
  if (!Number.isInteger(plane)) throw new RangeError(`roundingExplanation: ${n} values do not split into ${std.length} channels`);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = candidate[i]! - x[i]!;
  const y = op.apply(d);
  const response = norm2((i) => y[i]!, y.length);
  const draws = opts.draws ?? 8;
  const q = 1 / (2 ** bitDepth - 1);
  const g = rng(opts.seed ?? 0);
  let sum = 0;
  const e = new Float64Array(n);
  for (let k = 0; k < draws; k++) {
    for (let i = 0; i < n; i++) e[i] = ((g.uniform() - 0.5) * q) / std[Math.floor(i / plane)]!;
    const ye = op.apply(e);
    sum += norm2((i) => ye[i]!, ye.length);
  }
  const expected = draws > 0 ? sum / draws : NaN;
  return { bitDepth, response, expectedRoundingResponse: expected, explained: response === 0 ? 1 : expected / response, draws };
}
