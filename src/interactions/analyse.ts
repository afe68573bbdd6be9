// One interactions run: a perturbation δ = x′ − x on an image, split into grid × grid units, played
// as a game inside a model (model-game.ts), estimated (estimate.ts), and summarised into the record
// the CLI prints and writes: Shapley values, the interaction matrix, their standard errors, each
// unit's summed interaction, the means, evaluations and time.
import { estimateInteractions, type InteractionEstimate } from './estimate.js';
import { modelGame, type BatchRunner } from './model-game.js';
import { gridUnits } from './units.js';
import type { UtilityKind } from './utility.js';

export interface AnalyseOptions {
  /** model-space x and δ, C·H·W (NCHW without the batch) */
  x: Float64Array;
  delta: Float64Array;
  h: number;
  w: number;
  grid: number;
  samples: number;
  seed: number;
  utility: UtilityKind;
  batch: number;
  onProgress?: (round: number, rounds: number) => void;
}

export interface InteractionReport extends InteractionEstimate {
  grid: number;
  /** the original's top-1 index and its utility u(x) */
  class: number;
  u0: number;
  /** Σ_i φ_i (= vFull − vEmpty to round-off) */
  shapleySum: number;
  meanAbsShapley: number;
  /** per unit: Σ_j I(i, j) (the heat map) */
  summedInteraction: Float64Array;
  seconds: number;
}

/** Runs the estimate for one perturbation. @throws RangeError for a bad grid, samples or batch */
export async function analyseInteractions(runner: BatchRunner, o: AnalyseOptions): Promise<InteractionReport> {
  const t0 = performance.now();
  const { units, cellOf } = gridUnits(o.h, o.w, o.grid);
  const mg = await modelGame(runner, o.x, o.delta, cellOf, units, { utility: o.utility, batch: o.batch });
  const est = await estimateInteractions(mg.game, units, { samples: o.samples, seed: o.seed, chunk: Math.max(o.batch, 256), onProgress: o.onProgress });
  const summed = new Float64Array(units);
  for (let i = 0; i < units; i++) for (let j = 0; j < units; j++) summed[i]! += est.interaction[i * units + j]!;
  let sum = 0, abs = 0;
  for (const v of est.shapley) { sum += v; abs += Math.abs(v); }
  return {
    ...est, grid: o.grid, class: mg.cls, u0: mg.u0, shapleySum: sum, meanAbsShapley: abs / units, summedInteraction: summed,
    evaluations: est.evaluations + 1, seconds: (performance.now() - t0) / 1000,
  };
}
