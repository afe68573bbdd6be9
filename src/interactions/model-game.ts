// The game a perturbation plays inside a model: v(S) = u(x + δ_S) − u(x), u the utility of the
// original top-1 class (utility.ts), δ_S the perturbation on the units in S (units.ts). Coalitions
// are run `batch` masked images per model run. Browser-safe: the model is any batch runner, e.g.
// sessionRunner over a src/runtime Session.
import { assertInt, invalidParameter } from '../core/errors.js';
import { rng } from '../linalg/random.js';
import type { Session } from '../runtime/session.js';
import type { Game } from './estimate.js';
import { maskedInputs } from './units.js';
import { argmax, utilityOf, type UtilityKind } from './utility.js';

/** Runs `count` images (count × C·H·W, NCHW) and returns the first output, count rows. */
export interface BatchRunner {
  /** the largest batch the model takes (1 for a model with a fixed batch dimension) */
  maxBatch: number;
  precision: 'f32' | 'f64';
  run(data: Float32Array | Float64Array, count: number): Promise<ArrayLike<number>>;
}

/**
 * A BatchRunner over a session's first image input and first output.
 * @param chw the model input's [C, H, W]
 */
export function sessionRunner(session: Session, chw: readonly [number, number, number]): BatchRunner {
  const meta = session.inputMeta[0]!;
  const fixed = typeof meta.dims[0] === 'number' ? (meta.dims[0] as number) : 0;
  const out = session.outputNames[0]!;
  return {
    maxBatch: fixed > 0 ? fixed : Number.MAX_SAFE_INTEGER,
    precision: session.precision,
    async run(data, count) {
      const res = await session.run({ [meta.name]: { data, dims: [count, ...chw] } });
      const o = res[out]!;
      const d = o.data;
      return d instanceof BigInt64Array ? Float64Array.from(d, (v) => Number(v)) : (d as ArrayLike<number>);
    },
  };
}

export interface ModelGame {
  game: Game;
  /** the original's top-1 index in the (flattened) first output */
  cls: number;
  /** u(x): the utility of the unperturbed original */
  u0: number;
  /** values per image in the first output */
  outputs: number;
}

export interface ModelGameOptions {
  utility: UtilityKind;
  /** masked images per model run (capped by the runner's maxBatch) */
  batch: number;
}

/**
 * The game of perturbation `delta` on image `x` (both model-space C·H·W) with units `cellOf`.
 * @throws RangeError for mismatched sizes or a bad batch
 */
export async function modelGame(runner: BatchRunner, x: Float64Array, delta: Float64Array, cellOf: Int32Array, units: number, opts: ModelGameOptions): Promise<ModelGame> {
  if (delta.length !== x.length) throw new RangeError(`Expected length ${x.length} for delta but received length ${delta.length}`);
  if (x.length % cellOf.length) throw invalidParameter('cellOf', `a partition of the ${x.length}-value input's planes`, cellOf.length, RangeError);
  assertInt('batch', opts.batch, 1);
  const batch = Math.min(opts.batch, runner.maxBatch);
  const size = x.length;
  const alloc = (n: number) => (runner.precision === 'f64' ? new Float64Array(n) : new Float32Array(n));
  const first = await runner.run(runner.precision === 'f64' ? x : Float32Array.from(x), 1);
  const K = first.length;
  const cls = argmax(first);
  const u0 = utilityOf(opts.utility, first, cls);
  const buf = alloc(batch * size);
  const game: Game = async (masks, count) => {
    const values = new Float64Array(count);
    for (let s = 0; s < count; s += batch) {
      const c = Math.min(batch, count - s);
      const view = buf.subarray(0, c * size);
      maskedInputs(x, delta, cellOf, units, masks.subarray(s * units, (s + c) * units), c, view);
      const out = await runner.run(view, c);
      if (out.length !== c * K) throw new Error(`internal: the model returned ${out.length} values for ${c} images of ${K}`);
      for (let b = 0; b < c; b++) {
        const row = Array.prototype.slice.call(out, b * K, (b + 1) * K) as number[];
        values[s + b] = utilityOf(opts.utility, row, cls) - u0;
      }
    }
    return values;
  };
  return { game, cls, u0, outputs: K };
}

/**
 * A seeded Gaussian direction with the same pixel-space L2 norm as `delta` (model space, C planes
 * of `plane` values; model channel c is pixel/std[c] shifted, so pixel = model·std[c]).
 */
export function randomLike(delta: Float64Array, std: readonly number[], plane: number, seed: number): Float64Array {
  const g = rng(seed);
  const r = Float64Array.from({ length: delta.length }, () => g.normal());
  const pixelNorm = (a: Float64Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) { const v = a[i]! * std[Math.floor(i / plane)]!; s += v * v; }
    return Math.sqrt(s);
  };
  const k = pixelNorm(delta) / pixelNorm(r);
  for (let i = 0; i < r.length; i++) r[i]! *= k;
  return r;
}
