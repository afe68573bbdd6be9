// The theory-against-practice experiment (DESIGN.md §2): for each α and each channel (a)–(f),
// feed x and a perturbed x′ through the model and measure the first-layer and output deviation
// and the prediction agreement; plus, for one α, the layer-by-layer profile in float32 and float64.
// Every channel except (b) runs in float64 so that it isolates one effect (rounding to a PNG grid,
// clipping to the pixel box, window overlap); (b) isolates float32 arithmetic. A real PNG file
// both rounds and clips: at α where x′ leaves [0, 1], (e) is the larger of the two effects.
import { compareOutputs, predictionAgreement, worstRelative, type Outputs } from './compare.js';
import { relativeL2 } from './metrics.js';
import type { FirstLayerForward } from './first-layer.js';
import type { DriftChannel } from './channels.js';
import type { DriftRow, LayerProfile } from './records.js';
import { invalidParameter } from '../core/errors.js';

/** The model as drift drives it; all tensors are flattened model-space CHW of the model input. */
export interface DriftRunner {
  run64(x: Float64Array): Promise<Outputs>;
  run32(x: Float32Array): Promise<Outputs>;
  firstLayer: FirstLayerForward;
  /** float32 runs by backend name, for channel (b) side by side (DriftInput.backends) */
  run32On?: Partial<Record<string, (x: Float32Array) => Promise<Outputs>>>;
  /** runs that return exposed intermediate outputs, for the layer profile (optional) */
  layers?: {
    /** the exposed tensors in graph order */
    list: { name: string; op: string }[];
    run64(x: Float64Array): Promise<Outputs>;
    run32(x: Float32Array): Promise<Outputs>;
  };
}

export interface DriftInput {
  /** the original image, model space (CHW) */
  x: Float64Array;
  /** a direction in ker(A_img), model space; rescaled here to unit pixel RMS */
  delta: Float64Array;
  /** the paper's patch-mode direction (channel f); rescaled to unit pixel RMS; omit to skip (f) */
  patchDelta?: Float64Array;
  /** per model channel: pixel = model·std + mean, pixels in [0, 1] */
  mean: readonly number[];
  std: readonly number[];
  /** α values: x′ = x + α·δ̂ with δ̂ of unit RMS in pixel units (pixel δ = std·δ_m), as collide's --alpha */
  alphas: readonly number[];
  /** α of the layer profile (default: the α closest to 1 on a log scale) */
  profileAlpha?: number;
  /** channels to run (default all that the inputs allow) */
  channels?: readonly DriftChannel[];
  /** channel (b) on each of these backends (names in runner.run32On), one row each; default: runner.run32 alone */
  backends?: readonly string[];
  /** called after each α (progress) */
  onAlpha?: (done: number, total: number) => void;
}

export interface DriftResult {
  rows: DriftRow[];
  profile?: LayerProfile;
}

/** Parses "lo:hi:n" (log-spaced, inclusive) or a comma list into α values. @throws TypeError/RangeError */
export function parseAlphas(spec: string): number[] {
  const s = spec.trim();
  const m = /^([^:]+):([^:]+):(\d+)$/.exec(s);
  let out: number[];
  if (m) {
    const lo = Number(m[1]), hi = Number(m[2]), n = Number(m[3]);
    if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi) || !(n >= 1) || n > 1000) throw invalidParameter('alphas', 'lo:hi:n with 0 < lo ≤ hi and 1 ≤ n ≤ 1000', spec, RangeError);
    // whole decades are parsed from text: 10 ** -4 is 0.00009999999999999999 in V8
    const pow10 = (e: number) => (Math.abs(e - Math.round(e)) < 1e-12 ? Number(`1e${Math.round(e)}`) : 10 ** e);
    out = n === 1 ? [lo] : Array.from({ length: n }, (_, i) => pow10(Math.log10(lo) + (i * (Math.log10(hi) - Math.log10(lo))) / (n - 1)));
  } else {
    out = s.split(',').map((t) => Number(t.trim()));
    if (out.length === 0 || out.some((a) => !(a > 0) || !Number.isFinite(a))) throw invalidParameter('alphas', 'positive numbers separated by commas, or lo:hi:n', spec, RangeError);
  }
  return out;
}

/** RMS of a − b in pixel units: model-space entries of channel c scale by std[c]. */
function pixelRms(a: ArrayLike<number>, b: ArrayLike<number> | undefined, std: readonly number[]): number {
  const plane = a.length / std.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i]! - (b ? b[i]! : 0)) * std[Math.floor(i / plane)]!) ** 2;
  return Math.sqrt(s / a.length);
}

function unitPixelRms(v: Float64Array, std: readonly number[]): Float64Array {
  const rms = pixelRms(v, undefined, std);
  if (!(rms > 0)) throw new RangeError('drift: the perturbation direction is zero');
  return v.map((a) => a / rms);
}

/**
 * x′ through one storage effect, in pixel space: with `bits`, rounded to the grid of a `bits`-bit
 * PNG (k / (2^bits − 1)) — the grid extended beyond [0, 1], so that rounding is measured apart
 * from the range limit; without, clipped to the pixel box [0, 1]. Mapped back to model space.
 */
export function storeAsPixels(xm: Float64Array, mean: readonly number[], std: readonly number[], bits?: number): Float64Array {
  const plane = xm.length / mean.length;
  const levels = bits ? 2 ** bits - 1 : 0;
  const out = new Float64Array(xm.length);
  for (let i = 0; i < xm.length; i++) {
    const ch = Math.floor(i / plane);
    let p = xm[i]! * std[ch]! + mean[ch]!;
    if (levels) p = Math.round(p * levels) / levels;
    else p = p < 0 ? 0 : p > 1 ? 1 : p;
    out[i] = (p - mean[ch]!) / std[ch]!;
  }
  return out;
}

/** Runs the drift table (and the profile, when the runner exposes layers). */
export async function runDrift(runner: DriftRunner, input: DriftInput): Promise<DriftResult> {
  const { x, mean, std, alphas } = input;
  if (input.delta.length !== x.length) throw new RangeError(`drift: δ has ${input.delta.length} values but x has ${x.length}`);
  if (mean.length !== std.length || x.length % mean.length !== 0) throw new RangeError(`drift: mean/std must give one value per model channel (${mean.length}, ${std.length})`);
  const delta = unitPixelRms(input.delta, std);
  const patch = input.patchDelta ? unitPixelRms(input.patchDelta, std) : undefined;
  const want = new Set<DriftChannel>(input.channels ?? ['exact-f64', 'float32', 'png16', 'png8', 'clipped', 'patch']);
  if (!patch) want.delete('patch');

  const x32 = Float32Array.from(x);
  const ref64 = await runner.run64(x);
  const ref32 = await runner.run32(x32);
  // channel (b) per backend: each compares x′ with x on the same backend
  const side: { backend: string; run: (x: Float32Array) => Promise<Outputs>; ref: Outputs }[] = [];
  for (const b of input.backends ?? []) {
    const run = runner.run32On?.[b];
    if (!run) throw new RangeError(`drift: no float32 run on backend ${b}`);
    side.push({ backend: b, run, ref: await run(x32) });
  }
  const fl64 = runner.firstLayer.f64(x);
  const fl32 = runner.firstLayer.f32(x32);

  const rows: DriftRow[] = [];
  const cell64 = async (channel: DriftChannel, alpha: number, xp: Float64Array) => {
    const cmp = compareOutputs(ref64, await runner.run64(xp));
    rows.push({ alpha, channel, firstLayerDeviation: relativeL2(fl64, runner.firstLayer.f64(xp)), outputDeviation: worstRelative(cmp), predictionAgreement: predictionAgreement(cmp), inputRms: pixelRms(xp, x, std) });
  };
  for (let k = 0; k < alphas.length; k++) {
    const alpha = alphas[k]!;
    const xa = x.map((v, i) => v + alpha * delta[i]!);
    if (want.has('exact-f64')) await cell64('exact-f64', alpha, xa);
    if (want.has('float32')) {
      const xa32 = Float32Array.from(xa);
      const fl = relativeL2(fl32, runner.firstLayer.f32(xa32));
      const rms = pixelRms(xa32, x, std);
      if (side.length === 0) {
        const cmp = compareOutputs(ref32, await runner.run32(xa32));
        rows.push({ alpha, channel: 'float32', firstLayerDeviation: fl, outputDeviation: worstRelative(cmp), predictionAgreement: predictionAgreement(cmp), inputRms: rms });
      }
      for (const s of side) {
        const cmp = compareOutputs(s.ref, await s.run(xa32));
        rows.push({ alpha, channel: 'float32', firstLayerDeviation: fl, outputDeviation: worstRelative(cmp), predictionAgreement: predictionAgreement(cmp), inputRms: rms, backend: s.backend });
      }
    }
    if (want.has('png16')) await cell64('png16', alpha, storeAsPixels(xa, mean, std, 16));
    if (want.has('png8')) await cell64('png8', alpha, storeAsPixels(xa, mean, std, 8));
    if (want.has('clipped')) await cell64('clipped', alpha, storeAsPixels(xa, mean, std));
    if (want.has('patch') && patch) await cell64('patch', alpha, x.map((v, i) => v + alpha * patch[i]!));
    input.onAlpha?.(k + 1, alphas.length);
  }

  let profile: LayerProfile | undefined;
  if (runner.layers && alphas.length > 0) {
    const alpha = input.profileAlpha ?? alphas.reduce((b, a) => (Math.abs(Math.log10(a)) < Math.abs(Math.log10(b)) ? a : b));
    const xa = x.map((v, i) => v + alpha * delta[i]!);
    const [a64, b64] = [await runner.layers.run64(x), await runner.layers.run64(xa)];
    const [a32, b32] = [await runner.layers.run32(x32), await runner.layers.run32(Float32Array.from(xa))];
    const layers = runner.layers.list.map((l, index) => {
      const rel = (p: Outputs, q: Outputs) => (p[l.name] && q[l.name] ? relativeL2(p[l.name]!.data, q[l.name]!.data) : NaN);
      return { index, name: l.name, op: l.op, f32: rel(a32, b32), f64: rel(a64, b64) };
    });
    profile = { alpha, layers };
  }
  return { rows, profile };
}
