// Report records of verify and drift (plain JSON-able data; writers and plots read these).
import type { DriftChannel } from './channels.js';
import type { OutputComparison } from './compare.js';
import type { Verdict, Precision } from './verdict.js';

/** One cell of the drift table: one α, one channel. */
export interface DriftRow {
  alpha: number;
  channel: DriftChannel;
  /** ‖A x′ + b − (A x + b)‖ / ‖A x + b‖ at the first trainable layer, in the channel's precision */
  firstLayerDeviation: number;
  /** worst relative L2 difference over the model's outputs */
  outputDeviation: number;
  /** smallest share of agreeing predictions over outputs (top-1 or argmax), in [0, 1] */
  predictionAgreement: number;
  /** RMS of (input actually fed − x) in pixel units (pixel range [0, 1]) */
  inputRms: number;
  /** channel (b) with several backends (drift --backends): the backend of this row */
  backend?: string;
}

/** One exposed layer in the layer-by-layer profile. */
export interface LayerDeviation {
  /** position among the exposed outputs (graph order) */
  index: number;
  /** the tensor name */
  name: string;
  /** the producing op (Conv, Gemm, MatMul, …) */
  op: string;
  /** relative L2 difference between the runs on x and x′ in float32 */
  f32: number;
  /** the same in float64 */
  f64: number;
}

export interface LayerProfile {
  alpha: number;
  layers: LayerDeviation[];
}

/** What a report says about where it came from. */
export interface Provenance {
  tool: { name: string; version: string };
  model: { path: string; sha256: string; name: string };
  /** all settings that shaped the result (alphas, seed, preprocessing, …) */
  settings: Record<string, unknown>;
  date: string;
}

export interface DriftReport extends Provenance {
  image: string;
  /** sha256 of the image file's bytes */
  imageSha256?: string;
  rows: DriftRow[];
  profile?: LayerProfile;
  notes: string[];
}

/** The first-layer feature difference of a candidate. */
export interface FirstLayerDifference {
  /** relative L2 difference of the first trainable layer's outputs */
  relative: number;
  maxAbs: number;
}

/** For a PNG candidate: how much of its difference the integer rounding explains. */
export interface RoundingExplanation {
  /** bit depth of the candidate PNG */
  bitDepth: number;
  /** ‖A(c − x)‖ in float64: the first-layer response to everything c changed */
  response: number;
  /** E‖A e‖ for e uniform rounding error of one step of this bit depth (estimated from draws) */
  expectedRoundingResponse: number;
  /** expected / response: ≈ 1 means rounding alone explains the difference; ≪ 1 means it does not */
  explained: number;
  /** number of random rounding-error draws behind expectedRoundingResponse */
  draws: number;
}

export interface CandidateReport {
  index: number;
  source: string;
  verdict: Verdict;
  collides: boolean;
  precision: Precision;
  f64?: { outputs: OutputComparison[]; worstRelative: number; firstLayer: FirstLayerDifference };
  f32?: { outputs: OutputComparison[]; worstRelative: number; firstLayer: FirstLayerDifference };
  rounding?: RoundingExplanation;
  /**
   * Whether the first-layer features themselves collide, up to what the candidate's storage explains:
   * a PNG candidate when rounding explains at least half of its first-layer response
   * (rounding.explained ≥ 0.5); an .npy candidate when its float64 first-layer difference is ≤ 1e-9.
   * The verdict is about outputs; saturated outputs (softmax) can agree while features do not.
   */
  featureCollision: boolean;
  /** verify --layers: every exposed tensor's relative L2 difference, in graph order, at the precisions run */
  layers?: { name: string; op: string; f64?: number; f32?: number }[];
  /** the first tensor from which every later one is identical at float64 (≤ 1e-12 relative): where the collision holds */
  identicalFrom?: string;
}
