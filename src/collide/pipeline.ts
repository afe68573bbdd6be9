// Per-image processing: pixels → model tensor → δ (collider.ts) → x' in pixels → PNG bytes, with a
// report record measured on both the float64 x' (what .npy stores) and the PNG as written (decoded
// back, so rounding to the bit depth is measured, not assumed). Set-up (A_img, ker(W), the
// nullity analysis, projector or singular vectors) happens once per input size: in createPipeline
// for a model of fixed size, else the first time an image of each size arrives (a dynamic model
// takes its size from the images). Per image, memory is a few copies of that image.
// The record carries one verdict (report.ts); `accepted` says whether x' may be written.
// Browser-safe (no Node APIs).
import { InputError } from '../core/errors.js';
import type { Image } from '../image/image.js';
import { decodePng, encodePng } from '../image/png.js';
import { toModelTensor, fromModelTensor, modelBox, type ModelInputOptions } from '../image/tensor.js';
import { psnr, deltaStats, clip01 } from '../image/metrics.js';
import { resizeBilinear } from '../image/resize.js';
import { loadFirstLayer, DynamicInputSize, type LoadedLayer } from './model-layer.js';
import { decodeModel } from '../onnx/model.js';
import { prepareCollider, firstLayerFacts, NoExactCollision, type Collider, type ColliderOptions } from './collider.js';
import type { Analysis } from './analyse.js';
import { stemChain } from '../stem/chain.js';
import { prepareStem, type StemSetup } from '../stem/collider.js';
import { roundToGrid, type GridRounding } from './grid-rounding.js';
import { verdictOf, verdictReason, sha256Hex, type CollideRecord, type CollisionMeasures } from './report.js';
import type { ChannelAffine } from './space.js';
import type { ExternalReader } from '../onnx/limits.js';
import type { ModelProto } from '../onnx/proto.js';

export interface PipelineOptions extends Omit<ColliderOptions, 'affine' | 'mask' | 'maskImage' | 'facts'> {
  /** mean/std/bgr of the preprocessing (channels come from the model) */
  normalization: Omit<ModelInputOptions, 'channels'>;
  /** PNG sample depth written (default 16) */
  bitDepth?: 8 | 16;
  /** resize inputs of another size to the model's (bilinear, before perturbing) */
  resize?: boolean;
  /** H×W for models with a dynamic input */
  size?: { h: number; w: number };
  /** --mask, already decoded */
  mask?: Image;
  /** --target, already decoded (one target for every image) */
  target?: Image;
  /** SHA-256 of the model file (computed from the bytes when they are given and this is not) */
  sha256?: string;
  /** file name of the model, for messages */
  modelName?: string;
  external?: ExternalReader;
  tool: { name: string; version: string };
  /** settings echoed into every record */
  settings?: Record<string, unknown>;
  /**
   * Where the collision holds: 'first-layer' (ker(A_img)), a tensor after the stem's discarding
   * layers (src/stem), or undefined — the first layer when its null space has directions beyond
   * pixels no window reads, else the shallowest usable stem tensor.
   */
  at?: string;
  /** primal–dual steps of the stem solver (default 100) */
  stemIterations?: number;
}

/** The set-up for one input size. */
export interface SizedSetup {
  layer: LoadedLayer;
  /** the first-layer engine, or undefined when the collision is at a stem tensor */
  collider?: Collider;
  /** the stem engine (src/stem), when the collision is at a stem tensor */
  stem?: StemSetup;
  /** A_img's figures (from whichever engine) */
  analysis: Analysis;
  /** model input size */
  height: number; width: number; channels: number;
  normalization: ModelInputOptions;
}

export interface Pipeline {
  /** the set-up of the model's fixed size (or --size); undefined for a dynamic model until an image arrives */
  fixed: SizedSetup | undefined;
  sha256: string;
  /**
   * The set-up for an image of this size (the fixed one, or one per distinct size for a dynamic
   * model, built on first use). onNew is called when a new set-up was built.
   * @throws NoExactCollision, InputError as createPipeline
   */
  setupFor(height: number, width: number): SizedSetup;
  /** called with each set-up as it is built (for a one-line summary on stderr) */
  onSetup?: (s: SizedSetup) => void;
  /** Runs one image. location names it in errors ("a.png", "stdin:image 3"). */
  process(image: Image, index: number, location: string): ProcessedImage;
}

/** Whether x' may be written: an exact collision that moved, or anything but `unmoved` with allowApproximate. */
export function accepted(r: CollideRecord, allowApproximate: boolean): boolean {
  return r.verdict === 'exact' || (allowApproximate && r.verdict !== 'unmoved');
}

export interface ProcessedImage {
  /** x at model resolution, in the output's channel layout */
  x: Image;
  /** x' in float64 (clipped to [0, 1]; exactly what .npy stores) */
  xPrime: Image;
  /** PNG bytes of x' at the chosen bit depth */
  png: Uint8Array;
  record: CollideRecord;
}

/** The preprocessing as a per-channel affine map of model space (pixel δ = std·δ_m). */
export function affineOf(n: ModelInputOptions): ChannelAffine {
  const { lower, upper } = modelBox(n);
  const std = new Float64Array(lower.length);
  const mean = new Float64Array(lower.length);
  for (let c = 0; c < lower.length; c++) { std[c] = 1 / (upper[c]! - lower[c]!); mean[c] = -lower[c]! * std[c]!; }
  return { mean, std };
}

function nrm2(a: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); }

/** Colour samples only (alpha excluded), as a flat array, for metrics. */
function colourData(img: Image): Float64Array {
  if (img.channels === 1 || img.channels === 3) return img.data;
  const cc = img.channels - 1;
  const plane = img.width * img.height;
  const out = new Float64Array(plane * cc);
  for (let p = 0; p < plane; p++) for (let k = 0; k < cc; k++) out[p * cc + k] = img.data[p * img.channels + k]!;
  return out;
}

/**
 * Loads the model's first layer, builds the collider and returns the per-image processor.
 * @throws InputError for a bad model; NoExactCollision when ker(A_img) is trivial without allowApproximate
 */
export async function createPipeline(model: Uint8Array | ModelProto, opts: PipelineOptions): Promise<Pipeline> {
  const where = opts.modelName ?? 'model';
  const proto = model instanceof Uint8Array ? decodeModel(model, where) : model;
  const sha256 = opts.sha256 ?? (model instanceof Uint8Array ? await sha256Hex(model) : '');
  const bitDepth = opts.bitDepth ?? 16;
  const setups = new Map<string, SizedSetup>();
  const build = (size: { h: number; w: number } | undefined): SizedSetup => {
    const layer = loadFirstLayer(proto, { where, size, external: opts.external });
    const [, C, H, W] = layer.input.dims;
    if (C !== 1 && C !== 3) throw new InputError(`${where}: input ${layer.input.name} has ${C} channels; collide handles 1 or 3`);
    const normalization: ModelInputOptions = { ...opts.normalization, channels: C };
    const affine = affineOf(normalization);
    const engine = chooseEngine(proto, layer, affine, where);
    const s: SizedSetup = { layer, ...engine, height: H, width: W, channels: C, normalization };
    setups.set(`${H}x${W}`, s);
    pipeline.onSetup?.(s);
    return s;
  };
  // The first layer when asked for, or when its null space has directions a window reads; else the
  // stem (a first layer that only frees unread pixels does not count), else the first layer's answer.
  const chooseEngine = (model: ModelProto, layer: LoadedLayer, affine: ChannelAffine, where: string): { collider?: Collider; stem?: StemSetup; analysis: Analysis } => {
    // the first layer's facts are computed once: they decide the engine, and the first-layer engine reuses them
    const facts = firstLayerFacts(layer.spec, opts);
    const { analysis } = facts;
    const first = () => prepareCollider(layer.spec, { ...opts, mask: undefined, affine, maskImage: opts.mask, facts });
    if (opts.at === 'first-layer') { const c = first(); return { collider: c, analysis: c.analysis }; }
    const f = analysis.figures;
    const useful = !f.trivial && (f.lowerBound > f.freeInputs || f.lowerBound === 0);
    if (opts.at === undefined && (useful || layer.spec.kind !== 'conv' || opts.allowApproximate || opts.method === 'patch')) { const c = first(); return { collider: c, analysis: c.analysis }; }
    const chain = stemChain(model, layer, where);
    const usable = chain.candidates.filter((c) => c.refused === null);
    if (opts.at === undefined && usable.length === 0) {
      if (!f.trivial) { const c = first(); return { collider: c, analysis: c.analysis }; }
      const why = chain.candidates.length ? chain.candidates.map((c) => `${c.tensor}: ${c.refused}`).join('; ') : `the stem walk stops: ${chain.stop}`;
      throw new NoExactCollision(analysis, `the first layer is injective and no tensor after it is a usable stem (${why})`);
    }
    if (opts.target && opts.direction !== 'target') throw new RangeError('--target needs the target direction');
    const stem = prepareStem(chain, { affine, at: opts.at, direction: opts.direction === 'target' ? 'target' : 'noise', alpha: opts.alpha, psnr: opts.psnr, seed: opts.seed, iterations: opts.stemIterations });
    return { stem, analysis };
  };
  let fixed: SizedSetup | undefined;
  const pipeline: Pipeline = {
    fixed: undefined, sha256,
    setupFor(h, w) {
      if (fixed) return fixed;
      return setups.get(`${h}x${w}`) ?? build({ h, w });
    },
    process: (input, index, location) => processImage(pipeline.setupFor(input.height, input.width), input, index, location),
  };
  try {
    fixed = build(opts.size);
  } catch (e) {
    // a dynamic model without --size: each image brings its size (built on first use)
    if (!(e instanceof DynamicInputSize)) throw e;
  }
  pipeline.fixed = fixed;

  const atSize = (su: SizedSetup, img: Image, location: string): Image => {
    if (img.width === su.width && img.height === su.height) return img;
    if (!opts.resize) throw new InputError(`${location}: image is ${img.height}×${img.width} but the model takes ${su.height}×${su.width}; pass --resize to resize it first (before perturbing)`);
    return resizeBilinear(img, { width: su.width, height: su.height });
  };
  // the target, at each set-up's size
  const targets = new Map<SizedSetup, { model: Float64Array; pixels: Float64Array }>();
  const targetFor = (su: SizedSetup) => {
    if (!opts.target) return undefined;
    let t = targets.get(su);
    if (!t) {
      const img = atSize(su, opts.target, 'target');
      const model = toModelTensor(img, su.normalization, 'target');
      t = { model, pixels: colourData(fromModelTensor(model, su.normalization, img)) };
      targets.set(su, t);
    }
    return t;
  };

  // x at the set-up's size in model space (and the target), then x' = x + δ back in pixels: clipped to
  // [0, 1] only by rounding's width (the share outside before is recorded), encoded and decoded back
  const inputOf = (su: SizedSetup, input: Image, location: string) => {
    const img = atSize(su, input, location);
    const xm = toModelTensor(img, su.normalization, location);
    return { img, target: targetFor(su), xm, xRef: fromModelTensor(xm, su.normalization, img) };
  };
  // (img: the input at the set-up's size, whose alpha channel x' keeps.) With a first-layer collider and
  // an x' that was inside the box (a clipped one is no collision to keep), x' goes to the grid by the
  // rounding that A_img sees least (grid-rounding.ts), else to the nearest.
  const outputOf = (su: SizedSetup, img: Image, xm: Float64Array, delta: Float64Array, location: string) => {
    const xpm = new Float64Array(xm.length);
    for (let i = 0; i < xm.length; i++) xpm[i] = xm[i]! + delta[i]!;
    const raw = fromModelTensor(xpm, su.normalization, img);
    const clipped = outsideUnit(colourData(raw));
    const xPrime: Image = { ...raw, data: clip01(raw.data), bitDepth: 16 };
    let grid: GridRounding | undefined;
    let onGrid = xPrime;
    if (su.collider && clipped === 0) {
      // samples in grid units, model order: the normalization with mean 0 and std 1/levels
      const levels = bitDepth === 16 ? 65535 : 255;
      const unit = { ...su.normalization, mean: 0, std: 1 / levels };
      const { std } = affineOf(su.normalization);
      grid = roundToGrid(su.collider.image.layer, su.collider.image.op, toModelTensor(xPrime, unit), Array.from(std, (s) => 1 / (levels * s)), levels);
      onGrid = fromModelTensor(grid.k, unit, xPrime);
    }
    const png = encodePng(onGrid, { bitDepth });
    return { xPrime, clipped, png, grid, storedImg: decodePng(png, { location: `${location} (output)` }) };
  };

  const processImage = (su: SizedSetup, input: Image, index: number, location: string): ProcessedImage => {
    if (su.stem) return processStem(su, su.stem, input, index, location);
    const { normalization, layer } = su;
    const collider = su.collider!;
    const op = collider.image.op;
    const bias = layer.spec.bias;
  const measure = (xm: Float64Array, xRef: Image, out: Image): CollisionMeasures & { deltaModel: Float64Array } => {
    const om = toModelTensor(out, normalization);
    const dm = new Float64Array(om.length);
    for (let i = 0; i < om.length; i++) dm[i] = om[i]! - xm[i]!;
    const dn = nrm2(dm);
    const residual = dn === 0 ? 0 : nrm2(op.apply(dm)) / (collider.norm * dn);
    return { residual, ...pixelChange(xRef, out), clipped: 0, deltaModel: dm };
  };

    const { img, target, xm, xRef } = inputOf(su, input, location);
    const mc = collider.collide(xm, index, target?.model);
    const { xPrime, clipped, png, grid, storedImg } = outputOf(su, img, xm, mc.delta, location);
    const exact = measure(xm, xRef, xPrime);
    const stored = measure(xm, xRef, storedImg);
    const record: CollideRecord = {
      index, source: location,
      method: collider.settings.method, mode: collider.mode,
      direction: collider.settings.direction === 'basis' ? `basis ${collider.settings.basisIndex ?? 0}` : collider.settings.direction,
      alpha: mc.alpha, seed: mc.seed,
      verdict: verdictOf(exact.residual, exact.delta.rms),
      nullity: su.analysis.figures,
      exact: { residual: exact.residual, delta: exact.delta, psnr: exact.psnr, clipped },
      stored: { residual: stored.residual, delta: stored.delta, psnr: stored.psnr, clipped, bitDepth, ...(grid ? { nearestResidual: grid.nearest / (collider.norm * (nrm2(stored.deltaModel) || 1)), moved: grid.moved } : {}) },
      tool: opts.tool,
      model: { sha256, layer: layer.spec.name ?? '', kind: layer.spec.kind },
      settings: opts.settings ?? {},
    };
    if (mc.captured !== undefined) record.captured = mc.captured;
    if (mc.solver) record.solver = mc.solver;
    if (mc.fit) record.fit = mc.fit;
    if (mc.strength) record.strength = mc.strength;
    if (collider.settings.mask) record.mask = { kind: collider.settings.mask.kind, keptFraction: collider.settings.mask.keptFraction };
    if (target) record.targetDistance = targetDistance(target.pixels, xRef, storedImg);
    if (collider.mode === 'approximate') {
      const y = op.apply(xm);
      if (bias) {
        const per = y.length / bias.length;
        for (let i = 0; i < y.length; i++) y[i]! += bias[Math.floor(i / per)]!;
      }
      const yn = nrm2(y) || 1;
      record.firstLayerChange = {
        predicted: (mc.predictedNorm ?? NaN) / yn,
        actual: nrm2(op.apply(exact.deltaModel)) / yn,
        actualStored: nrm2(op.apply(stored.deltaModel)) / yn,
      };
      const sm = collider.approx;
      if (sm) record.sigma = Array.from(sm.values, (s) => s / collider.norm);
    }
    const reason = verdictReason(record);
    if (reason) record.reason = reason;
    return { x: xRef, xPrime, png, record };
  };

  // A stem collision: δ from src/stem, certified by L's output at float64 on x' as stored (.npy)
  // and as written (the PNG decoded back), with the winners' residual and the smallest slack.
  const processStem = (su: SizedSetup, stem: StemSetup, input: Image, index: number, location: string): ProcessedImage => {
    const { normalization } = su;
    const { img, target, xm, xRef } = inputOf(su, input, location);
    const r = stem.collide(xm, index, target?.model);
    const { xPrime, clipped, png, storedImg } = outputOf(su, img, xm, r.delta, location);
    // the float64 x' (.npy) and the PNG as written, against x
    const both = stem.measure(xm, [toModelTensor(xPrime, normalization), toModelTensor(storedImg, normalization)], r.at, r.levelSet);
    const m = both[0]!; const ms = both[1]!;
    const exactPx = pixelChange(xRef, xPrime);
    // exact: L's output unchanged to round-off, every bound kept, and x' moved
    const residual = m.broken > 0 ? Math.max(m.residual.float64, EXACT_BROKEN) : Math.max(m.residual.float64, m.equalityResidual);
    const record: CollideRecord = {
      index, source: location, method: 'stem', mode: 'exact', direction: stem.settings.direction,
      alpha: r.alpha, seed: r.seed,
      verdict: verdictOf(residual, exactPx.delta.rms),
      nullity: su.analysis.figures,
      exact: { residual, ...exactPx, clipped },
      stored: { residual: ms.residual.float64, ...pixelChange(xRef, storedImg), clipped, bitDepth },
      strength: r.strength,
      stem: {
        at: r.level.tensor, node: r.level.node,
        equalities: r.level.equalities, inequalities: r.level.inequalities, tight: r.level.tight, flatOutputs: r.level.flatOutputs,
        interior: r.level.interior, dimensionBound: r.level.dimensionBound,
        tried: r.tried.map((l) => ({ at: l.tensor, equalities: l.equalities, dimensionBound: l.dimensionBound })),
        residual: m.residual, storedResidual: ms.residual, equalityResidual: m.equalityResidual,
        minSlack: m.minSlack, broken: m.broken, tiesKept: m.tiesKept, flips32: m.flips32, storedBroken: ms.broken, firstLayerChange: m.firstLayerChange,
        solver: r.solver,
      },
      tool: opts.tool,
      model: { sha256, layer: r.level.node, kind: 'stem' },
      settings: opts.settings ?? {},
    };
    if (target) record.targetDistance = targetDistance(target.pixels, xRef, storedImg);
    const reason = verdictReason(record);
    if (reason) record.reason = reason;
    return { x: xRef, xPrime, png, record };
  };
  return pipeline;
}

/** The residual a stem x' reports when it breaks a bound of the level set (L's output then differs). */
const EXACT_BROKEN = 1;

/** δ = x' − x in pixel units (colour samples): L2, L∞, RMS, and PSNR (peak 1). */
function pixelChange(x: Image, xPrime: Image): { delta: { l2: number; linf: number; rms: number }; psnr: number } {
  const a = colourData(x); const b = colourData(xPrime);
  const dp = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) dp[i] = b[i]! - a[i]!;
  const s = deltaStats(dp, 1);
  return { delta: { l2: s.l2, linf: s.linf, rms: s.rms }, psnr: psnr(a, b) };
}

/** ‖x' − t‖ and ‖x − t‖ in pixel units (colour samples). */
function targetDistance(t: Float64Array, x: Image, xPrime: Image): { before: number; after: number } {
  const a = colourData(x); const b = colourData(xPrime);
  let before = 0; let after = 0;
  for (let i = 0; i < a.length; i++) { before += (a[i]! - t[i]!) ** 2; after += (b[i]! - t[i]!) ** 2; }
  return { before: Math.sqrt(before), after: Math.sqrt(after) };
}

/** Share of samples outside [0, 1] by more than rounding of the affine map back to pixels. */
function outsideUnit(a: Float64Array): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! < -1e-12 || a[i]! > 1 + 1e-12) k++;
  return a.length ? k / a.length : 0;
}
