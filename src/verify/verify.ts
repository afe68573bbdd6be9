// verify's library side: run the original once, then each candidate, at float64 and/or float32;
// compare outputs and first-layer features; give the verdict; for PNG candidates say how much of
// the difference their integer rounding explains (rounding.ts).
import type { LinearOperator } from '../linalg/operator.js';
import { compareOutputs, predictionAgreement, worstRelative, type Outputs } from './compare.js';
import { maxAbs, relativeL2 } from './metrics.js';
import type { FirstLayerForward } from './first-layer.js';
import { roundingExplanation } from './rounding.js';
import { collides, verdictOf, type Precision } from './verdict.js';
import type { CandidateReport, FirstLayerDifference } from './records.js';

/** A tensor's float64 relative difference at or below this counts as identical in the layer profile (verify's exact threshold). */
export const EXACT_LAYER_TOL = 1e-12;
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
  /** runs returning every exposed tensor (verify --layers), for the layer-by-layer profile */
  layers?: { list: { name: string; op: string }[]; run64(x: Float64Array): Promise<Outputs>; run32(x: Float32Array): Promise<Outputs> };
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
  const L = runner.layers;
  const lref64 = L && use64 ? await L.run64(original) : undefined;
  const lref32 = L && use32 ? await L.run32(o32) : undefined;
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
      if (L) {
        const c64 = lref64 ? await L.run64(c.x) : undefined;
        const c32 = lref32 ? await L.run32(Float32Array.from(c.x)) : undefined;
        const rel = (a: Outputs, b: Outputs, k: string) => relativeL2(a[k]!.data, b[k]!.data);
        report.layers = L.list.map(({ name, op }) => ({ name, op, ...(c64 ? { f64: rel(lref64!, c64, name) } : {}), ...(c32 ? { f32: rel(lref32!, c32, name) } : {}) }));
        if (c64) {
          // identical from the first tensor after which nothing differs at float64
          let k = report.layers.length;
          while (k > 0 && report.layers[k - 1]!.f64! <= EXACT_LAYER_TOL) k--;
          if (k < report.layers.length) report.identicalFrom = report.layers[k]!.name;
        }
      }
      const flRel = report.f64?.firstLayer.relative ?? relativeL2(fl64, runner.firstLayer.f64(c.x));
      if (c.pngBitDepth && runner.op) {
        report.rounding = roundingExplanation(runner.op, original, c.x, c.pngBitDepth, opts.std);
        report.featureCollision = report.rounding.explained >= ROUNDING_EXPLAINED_MIN;
      } else report.featureCollision = flRel <= FEATURE_TOL;
      // a 16-bit PNG at its storage floor: the first-layer difference is the rounding's, and no prediction
      // moved (8-bit rounding is 257× coarser: a floor that loose would pass visible noise)
      const kept = [report.f64, report.f32].every((p) => !p || predictionAgreement(p.outputs) === 1);
      const atFloor = report.rounding?.bitDepth === 16 && report.featureCollision && kept;
      report.verdict = verdictOf(report.f64?.worstRelative, report.f32?.worstRelative, atFloor);
      report.collides = collides(report.verdict, opts.precision);
      // a collision past the first layer (a stem's level set): the features are identical from a tensor on
      if (!report.featureCollision && report.identicalFrom && report.layers && report.layers[0]!.name !== report.identicalFrom) report.featureCollision = true;
      return report;
    },
  };
}
