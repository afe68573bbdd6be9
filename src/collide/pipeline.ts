// Per-image processing: pixels → model tensor → δ (collider.ts) → x' in pixels → PNG bytes, with a
// report record measured on both the float64 x' (what .npy stores) and the PNG as written (decoded
// back, so rounding to the bit depth is measured, not assumed). Set-up (A_img, ker(W), the
// nullity analysis, projector or singular vectors) happens once in createPipeline; per image,
// memory is a few copies of that image. Browser-safe (no Node APIs).
import { InputError } from '../core/errors.js';
import type { Image } from '../image/image.js';
import { decodePng, encodePng } from '../image/png.js';
import { toModelTensor, fromModelTensor, modelBox, type ModelInputOptions } from '../image/tensor.js';
import { psnr, deltaStats, clipFraction, clip01 } from '../image/metrics.js';
import { resizeBilinear } from '../image/resize.js';
import { loadFirstLayer, type LoadedLayer } from './model-layer.js';
import { prepareCollider, type Collider, type ColliderOptions } from './collider.js';
import { verdictOf, sha256Hex, type CollideRecord, type CollisionMeasures } from './report.js';
import type { ChannelAffine } from './space.js';
import type { ExternalReader } from '../onnx/limits.js';
import type { ModelProto } from '../onnx/proto.js';

export interface PipelineOptions extends Omit<ColliderOptions, 'affine' | 'mask' | 'maskImage'> {
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
}

export interface Pipeline {
  layer: LoadedLayer;
  collider: Collider;
  sha256: string;
  /** model input size */
  height: number; width: number; channels: number;
  normalization: ModelInputOptions;
  /** Runs one image. location names it in errors ("a.png", "stdin:image 3"). */
  process(image: Image, index: number, location: string): ProcessedImage;
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

function affineOf(n: ModelInputOptions): ChannelAffine {
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
  const layer = loadFirstLayer(model, { where: opts.modelName ?? 'model', size: opts.size, external: opts.external });
  const [, C, H, W] = layer.input.dims;
  if (C !== 1 && C !== 3) throw new InputError(`${opts.modelName ?? 'model'}: input ${layer.input.name} has ${C} channels; collide handles 1 or 3`);
  const normalization: ModelInputOptions = { ...opts.normalization, channels: C };
  const affine = affineOf(normalization);
  const atSize = (img: Image, location: string): Image => {
    if (img.width === W && img.height === H) return img;
    if (!opts.resize) throw new InputError(`${location}: image is ${img.height}×${img.width} but the model takes ${H}×${W}; pass --resize to resize it first (before perturbing), or --size HxW for a model with a dynamic input`);
    return resizeBilinear(img, { width: W, height: H });
  };
  const collider = prepareCollider(layer.spec, { ...opts, mask: undefined, affine, maskImage: opts.mask });
  const targetModel = opts.target ? toModelTensor(atSize(opts.target, 'target'), normalization, 'target') : undefined;
  const targetPixels = targetModel ? colourData(fromModelTensor(targetModel, normalization, atSize(opts.target!, 'target'))) : undefined;
  const sha256 = opts.sha256 ?? (model instanceof Uint8Array ? await sha256Hex(model) : '');
  const bitDepth = opts.bitDepth ?? 16;
  const op = collider.image.op;
  const bias = layer.spec.bias;

  const measure = (xm: Float64Array, xRef: Image, out: Image): CollisionMeasures & { deltaModel: Float64Array } => {
    const om = toModelTensor(out, normalization);
    const dm = new Float64Array(om.length);
    for (let i = 0; i < om.length; i++) dm[i] = om[i]! - xm[i]!;
    const dn = nrm2(dm);
    const residual = dn === 0 ? 0 : nrm2(op.apply(dm)) / (collider.norm * dn);
    const a = colourData(xRef); const b = colourData(out);
    const dp = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) dp[i] = b[i]! - a[i]!;
    const s = deltaStats(dp, 1);
    return { residual, delta: { l2: s.l2, linf: s.linf, rms: s.rms }, psnr: psnr(a, b), clipped: 0, verdict: verdictOf(residual), deltaModel: dm };
  };

  const process = (input: Image, index: number, location: string): ProcessedImage => {
    const img = atSize(input, location);
    const xm = toModelTensor(img, normalization, location);
    const xRef = fromModelTensor(xm, normalization, img);
    const mc = collider.collide(xm, index, targetModel);
    const xpm = new Float64Array(xm.length);
    for (let i = 0; i < xm.length; i++) xpm[i] = xm[i]! + mc.delta[i]!;
    const raw = fromModelTensor(xpm, normalization, img);
    const clipped = clipFraction(colourData(raw));
    const xPrime: Image = { ...raw, data: clip01(raw.data), bitDepth: 16 };
    const exact = measure(xm, xRef, xPrime);
    const png = encodePng(xPrime, { bitDepth });
    const storedImg = decodePng(png, { location: `${location} (output)` });
    const stored = measure(xm, xRef, storedImg);
    const record: CollideRecord = {
      index, source: location,
      method: collider.settings.method, mode: collider.mode,
      direction: collider.settings.direction === 'basis' ? `basis ${collider.settings.basisIndex ?? 0}` : collider.settings.direction,
      alpha: mc.alpha, seed: mc.seed,
      verdict: stored.verdict,
      nullity: collider.analysis.figures,
      exact: { residual: exact.residual, delta: exact.delta, psnr: exact.psnr, clipped, verdict: exact.verdict },
      stored: { residual: stored.residual, delta: stored.delta, psnr: stored.psnr, clipped, verdict: stored.verdict, bitDepth },
      tool: opts.tool,
      model: { sha256, layer: layer.spec.name ?? '', kind: layer.spec.kind },
      settings: opts.settings ?? {},
    };
    if (mc.captured !== undefined) record.captured = mc.captured;
    if (mc.solver) record.solver = mc.solver;
    if (mc.fit) record.fit = mc.fit;
    if (collider.settings.mask) record.mask = { kind: collider.settings.mask.kind, keptFraction: collider.settings.mask.keptFraction };
    if (targetPixels) {
      const a = colourData(xRef); const b = colourData(storedImg);
      let before = 0; let after = 0;
      for (let i = 0; i < a.length; i++) { before += (a[i]! - targetPixels[i]!) ** 2; after += (b[i]! - targetPixels[i]!) ** 2; }
      record.targetDistance = { before: Math.sqrt(before), after: Math.sqrt(after) };
    }
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
    return { x: xRef, xPrime, png, record };
  };
  return { layer, collider, sha256, height: H, width: W, channels: C, normalization, process };
}
