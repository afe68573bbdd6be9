// The real model behind verify and drift: onnxruntime sessions at float32 and float64 (src/runtime),
// the first layer from collide's loader (A_img and its forward in the WASM core), and — for the
// layer profile — sessions with intermediate outputs exposed. Browser-safe (bytes in, no files).
import { createSession, type Output, type Session, type SessionBackend } from '../runtime/session.js';
import { BACKENDS, type BackendName } from '../runtime/backends.js';
import { loadFirstLayer, type LoadedLayer } from '../collide/model-layer.js';
import { imageOperator } from '../collide/operator.js';
import { decodeModel } from '../onnx/model.js';
import type { LinearOperator } from '../linalg/operator.js';
import type { ExternalReader } from '../onnx/limits.js';
import type { Outputs, OutputTensor } from './compare.js';
import { firstLayerForward, type FirstLayerForward } from './first-layer.js';
import type { DriftRunner } from './drift.js';
import type { VerifyRunner } from './verify.js';

export interface ModelRunnerOptions {
  /** file name for messages */
  source?: string;
  /** H×W for a model with a dynamic input size (ignored when the model's size is fixed) */
  size?: { h: number; w: number };
  /** also build sessions that expose intermediate outputs: the linear layers' (drift's layer profile), or 'all' node outputs (verify --layers) */
  profile?: boolean | 'all';
  /** which precisions to build sessions for (default both) */
  precisions?: readonly ('f32' | 'f64')[];
  external?: ExternalReader;
  /** backend of the float32 sessions: 'wasm' (default), 'webgpu' or 'native' */
  backend?: BackendName;
  /** extra float32 backends, run side by side (drift --backends); their runs are in run32On */
  compare?: readonly BackendName[];
}

export interface ModelRunner extends DriftRunner, VerifyRunner {
  layer: LoadedLayer;
  op: LinearOperator;
  /** the image input: name and NCHW dims */
  input: { name: string; dims: [number, number, number, number] };
  /** model output names */
  outputs: string[];
  /** where the float32 and float64 sessions run (float64 never on webgpu: there it runs on wasm) */
  backends: { f32?: SessionBackend; f64?: SessionBackend };
  /** float32 runs on each backend of opts.compare (and the main one), by name */
  run32On: Partial<Record<BackendName, (x: Float32Array) => Promise<Outputs>>>;
  /** report entries of run32On's sessions */
  compared: SessionBackend[];
  /** why the layer profile is unavailable (exposing or lowering the edited graph failed) */
  profileError?: string;
  release(): Promise<void>;
}

function numeric(o: Output): OutputTensor {
  const d = o.data;
  // int64 outputs (class ids) become numbers so that every comparison is numeric
  const data = d instanceof BigInt64Array ? Float64Array.from(d, (v) => Number(v)) : (d as ArrayLike<number>);
  return { dims: o.dims, data };
}

function pick(res: Record<string, Output>, names: readonly string[]): Outputs {
  return Object.fromEntries(names.map((n) => [n, numeric(res[n]!)]));
}

/** True when the model's image input (first 4-D graph input) has a symbolic or unknown H or W. */
export function hasDynamicSize(bytes: Uint8Array, source = 'model'): boolean {
  const g = decodeModel(bytes, source).graph;
  const inits = new Set((g?.initializer ?? []).map((t) => t.name));
  const inputs = (g?.input ?? []).filter((v) => !inits.has(v.name));
  const dimsOf = (v: (typeof inputs)[number]) => v.type?.tensorType?.shape?.dim ?? [];
  const img = inputs.find((v) => dimsOf(v).length === 4) ?? inputs[0];
  if (!img) return false;
  return dimsOf(img).slice(-2).some((d) => d.dimParam || d.dimValue == null || Number(d.dimValue) <= 0);
}

/**
 * Loads the first layer and creates the sessions.
 * @throws InputError for a model collide cannot read, or a dynamic input size without opts.size
 */
export async function createModelRunner(bytes: Uint8Array, opts: ModelRunnerOptions = {}): Promise<ModelRunner> {
  const source = opts.source ?? 'model';
  const size = opts.size && hasDynamicSize(bytes, source) ? opts.size : undefined;
  const layer = loadFirstLayer(bytes, { where: source, size, external: opts.external });
  const input = layer.input;
  const fl: FirstLayerForward = firstLayerForward(layer.spec);
  const op = imageOperator(layer.spec).op;
  const precisions = new Set(opts.precisions ?? ['f32', 'f64']);
  const sessions: Session[] = [];
  const backend = opts.backend ?? 'wasm';
  // float64 needs double kernels: with webgpu it runs on the wasm reference
  const backend64: BackendName = BACKENDS[backend].float64 ? backend : 'wasm';
  const everyTensor = () => {
    const g = decodeModel(bytes, source).graph;
    return (g?.node ?? []).filter((n) => n.opType !== 'Constant').flatMap((n) => (n.output ?? []).filter(Boolean)) as string[];
  };
  const make = async (precision: 'f32' | 'f64', expose: boolean | string[], on: BackendName = precision === 'f64' ? backend64 : backend) => {
    const s = await createSession(bytes, { precision, source, expose, backend: on });
    sessions.push(s);
    return s;
  };
  const s32 = precisions.has('f32') ? await make('f32', false) : undefined;
  const s64 = precisions.has('f64') ? await make('f64', false) : undefined;
  const outputs = [...((s32 ?? s64)!.outputNames)];
  const feed = (x: Float64Array | Float32Array) => ({ [input.name]: { data: x, dims: input.dims } });
  const run32On: ModelRunner['run32On'] = {};
  const compared: SessionBackend[] = [];
  for (const b of opts.compare ?? []) {
    const s = b === backend && s32 ? s32 : await make('f32', false, b);
    run32On[b] = async (x) => pick(await s.run(feed(x)), outputs);
    compared.push(s.backend);
  }
  const missing = (p: string) => async (): Promise<never> => { throw new Error(`internal: no ${p} session was created`); };

  let layers: DriftRunner['layers'];
  let profileError: string | undefined;
  if (opts.profile) {
    // the profile is an extra: a graph the exposing edit or the float64 lowering cannot handle
    // leaves the table intact and says why
    let e32: Session, e64: Session;
    try {
      const names = opts.profile === 'all' ? everyTensor() : true;
      e32 = await make('f32', names);
      e64 = await make('f64', names);
    } catch (e) {
      profileError = (e as Error).message.split('\n')[0];
    }
    if (!profileError) {
      const model = decodeModel(bytes, source);
      const opOf = new Map<string, string>();
      for (const n of model.graph?.node ?? []) for (const o of n.output ?? []) opOf.set(o, n.opType ?? '');
      const list = e32!.exposed.map((name) => ({ name, op: opOf.get(name) ?? '?' }));
      const names = list.map((l) => l.name);
      layers = {
        list,
        run64: async (x) => pick(await e64!.run(feed(x)), names),
        run32: async (x) => pick(await e32!.run(feed(x)), names),
      };
    }
  }
  return {
    layer, op, input, outputs, firstLayer: fl, layers, profileError, run32On, compared,
    backends: { ...(s32 ? { f32: s32.backend } : {}), ...(s64 ? { f64: s64.backend } : {}) },
    run64: s64 ? async (x) => pick(await s64.run(feed(x)), outputs) : missing('float64'),
    run32: s32 ? async (x) => pick(await s32.run(feed(x)), outputs) : missing('float32'),
    async release() { for (const s of sessions) await s.release(); },
  };
}
