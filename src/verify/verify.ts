// verify's library side: run the original once, then each candidate, at float64 and/or float32;
// compare outputs and first-layer features; give the verdict; for PNG candidates say how much of
// the difference their integer rounding explains (rounding.ts).
import type { LinearOperator } from '../linalg/operator.js';
import { compareOutputs, worstRelative, type Outputs } from './compare.js';
import { maxAbs, relativeL2 } from './metrics.js';
import type { FirstLayerForward } from './first-layer.js';
import { roundingExplanation } from './rounding.js';
import { collides, verdictOf, type Precision } from './verdict.js';
import type { CandidateReport, FirstLayerDifference } from './records.js';

/** An .npy candidate's float64 first-layer difference at or below this is a feature collision. */
export const FEATURE_TOL = 1e-9;
/** A PNG candidate is a feature collision when rounding explains at least this share of its first-layer response. */
export const ROUNDING_EXPLAINED_MIN = 0.5;

/** The model as verify drives it (flattened model-space CHW tensors). */
export interface VerifyRunner {
  run64(x: Float64Array): Promise<Outputs>;
  run32(x: Float32Array): Promise<Outputs>;
  firstLayer: FirstLayerForward;
  /** A_img (bias-free first layer), for the rounding explanation of PNG candidates */
  op?: LinearOperator;
}

/** One candidate in model space. */
export interface Candidate {
  source: string;
  x: Float64Array;
  /** set for PNG candidates: their bit depth (8 or 16) */
  pngBitDepth?: number;
}

export interface VerifierOptions {
  precision: Precision;
  /** per model channel std (model units per pixel unit = 1/std), for the rounding explanation */
  std: readonly number[];
}

export interface Verifier {
  check(candidate: Candidate, index: number): Promise<CandidateReport>;
}

function firstLayerDiff(a: ArrayLike<number>, b: ArrayLike<number>): FirstLayerDifference {
  return { relative: relativeL2(a, b), maxAbs: maxAbs(a, b) };
}

/** Runs the original once (at the precisions asked for) and returns a checker for candidates. */
export async function createVerifier(runner: VerifyRunner, original: Float64Array, opts: VerifierOptions): Promise<Verifier> {
  const n = runner.firstLayer.inputLength;
  if (original.length !== n) throw new RangeError(`verify: the original has ${original.length} values but the model input has ${n}`);
  const use64 = opts.precision !== 'f32';
  const use32 = opts.precision !== 'f64';
  const o32 = Float32Array.from(original);
  const ref64 = use64 ? await runner.run64(original) : undefined;
  const ref32 = use32 ? await runner.run32(o32) : undefined;
  const fl64 = runner.firstLayer.f64(original);
  const fl32 = use32 ? runner.firstLayer.f32(o32) : undefined;
  return {
    async check(c, index) {
      if (c.x.length !== n) throw new RangeError(`${c.source}: the candidate has ${c.x.length} values but the model input has ${n}`);
      const report: CandidateReport = { index, source: c.source, verdict: 'differs', collides: false, precision: opts.precision, featureCollision: false };
      if (ref64) {
        const outputs = compareOutputs(ref64, await runner.run64(c.x));
        report.f64 = { outputs, worstRelative: worstRelative(outputs), firstLayer: firstLayerDiff(fl64, runner.firstLayer.f64(c.x)) };
      }
      if (ref32 && fl32) {
        const c32 = Float32Array.from(c.x);
        const outputs = compareOutputs(ref32, await runner.run32(c32));
        report.f32 = { outputs, worstRelative: worstRelative(outputs), firstLayer: firstLayerDiff(fl32, runner.firstLayer.f32(c32)) };
      }
      report.verdict = verdictOf(report.f64?.worstRelative, report.f32?.worstRelative);
      report.collides = collides(report.verdict, opts.precision);
      const flRel = report.f64?.firstLayer.relative ?? relativeL2(fl64, runner.firstLayer.f64(c.x));
      if (c.pngBitDepth && runner.op) {
        report.rounding = roundingExplanation(runner.op, original, c.x, c.pngBitDepth, opts.std);
        report.featureCollision = report.rounding.explained >= ROUNDING_EXPLAINED_MIN;
      } else report.featureCollision = flRel <= FEATURE_TOL;
      return report;
    },
  };
}
