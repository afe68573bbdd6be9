// The single factory for inference sessions, at float32 (onnxruntime as is) or float64 (the graph
// rewritten by lower-f64.ts and run by onnxruntime in double). A session is created once and
// reused over a stream of inputs. A float64 session specialises the lowered graph to each input
// size it meets (sizes are probed with one float32 run on zeros) and keeps the last few.
// The backend (backends.ts) is chosen once per session; a session reports it, its execution
// provider and onnxruntime's node placement with the nodes it put on the CPU instead (webgpu),
// read from its log where visible (ort-log.ts, placement.ts).
// Internal: everything except createSession and its types.
import { InputError, invalidParameter } from '../core/errors.js';
import { decodeModel } from '../onnx/model.js';
import { dtypeName, onnx, type ModelProto } from '../onnx/proto.js';
import { exposeOutputs } from './expose.js';
import { float64Plan, lowerToFloat64 } from './lower-f64.js';
import { float64Refused, resolveBackend, type BackendName } from './backends.js';
import { createOrt, loadRuntime, placementOf, runOrt, type OrtModule, type OrtOptions, type OrtSession, type OrtTensor } from './ort.js';
import { placementReport, type PlacementReport } from './placement.js';
import type { GpuAdapterInfo } from './webgpu-node.js';

/** Arithmetic precision of a session. */
export type Precision = 'f32' | 'f64';
const PRECISIONS: Readonly<Record<string, Precision>> = Object.freeze({ f32: 'f32', f64: 'f64', float32: 'f32', float64: 'f64' });

function resolvePrecision(p: unknown): Precision {
  const r = typeof p === 'string' ? PRECISIONS[p] : undefined;
  if (!r) throw invalidParameter('precision', `one of ${Object.keys(PRECISIONS).join(', ')}`, p);
  return r;
}

export interface SessionOptions extends OrtOptions {
  /** 'f32' (default) or 'f64' */
  precision?: Precision | 'float32' | 'float64';
  /** intermediate tensors to return as extra outputs; `true` for the default set (see expose.ts) */
  expose?: readonly string[] | boolean;
  /** name used in messages, e.g. the model's file name */
  source?: string;
  /** float64 only: how many input sizes keep a compiled session (default 4) */
  maxSizes?: number;
}

/** An input tensor: row-major data and its dims. Float data is converted to the session precision. */
export interface Feed {
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
  dims: readonly number[];
}

/** An output tensor (Float32Array at f32, Float64Array at f64 for float outputs). */
export interface Output {
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
  dims: number[];
  /** onnxruntime type name: 'float32', 'float64', 'int64', ... */
  type: string;
}

/** A declared graph input: dims hold numbers or the names of dynamic dimensions. */
export interface InputMeta {
  name: string;
  dims: (number | string)[];
  type: string;
}

/** Where a session runs, for reports. */
export interface SessionBackend {
  name: BackendName;
  /** onnxruntime's execution provider */
  executionProvider: string;
  /** webgpu: the adapter (SwiftShader is a CPU emulation) */
  adapter?: GpuAdapterInfo;
  /** which provider onnxruntime put the nodes on, and those that fell back to the CPU (float64:
   *  of the lowered graph last compiled, known after the first run) */
  placement: PlacementReport;
}

export interface Session {
  readonly precision: Precision;
  readonly backend: SessionBackend;
  readonly inputNames: readonly string[];
  /** model outputs, then exposed tensors */
  readonly outputNames: readonly string[];
  /** exposed intermediate tensors, in graph order */
  readonly exposed: readonly string[];
  readonly inputMeta: readonly InputMeta[];
  /** Runs the model; feeds are validated first (all problems in one message). */
  run(feeds: Record<string, Feed>): Promise<Record<string, Output>>;
  /** Frees the onnxruntime sessions. */
  release(): Promise<void>;
}

function inputMeta(model: ModelProto): InputMeta[] {
  const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).filter((v) => !inits.has(v.name)).map((v) => ({
    name: v.name ?? '',
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : '?')),
    type: dtypeName(v.type?.tensorType?.elemType ?? 0),
  }));
}

function checkFeeds(meta: readonly InputMeta[], feeds: Record<string, Feed>, source: string): void {
  const problems: string[] = [];
  for (const m of meta) {
    const f = feeds[m.name];
    if (!f) { problems.push(`missing input ${m.name} (${m.type}[${m.dims.join('×')}])`); continue; }
    const count = f.dims.reduce((a, b) => a * b, 1);
    if (f.data.length !== count) problems.push(`input ${m.name}: dims [${f.dims.join('×')}] need ${count} values but data has ${f.data.length}`);
    if (m.dims.length && (f.dims.length !== m.dims.length || m.dims.some((d, i) => typeof d === 'number' && d !== f.dims[i]))) {
      problems.push(`input ${m.name}: expected dims [${m.dims.join('×')}] but received [${f.dims.join('×')}]`);
    }
  }
  if (problems.length) throw new InputError(`${source}: ${problems.join('; ')}`);
  const extra = Object.keys(feeds).filter((k) => !meta.some((m) => m.name === k));
  if (extra.length) console.warn(`nullspace: ${source}: ignoring unknown inputs ${extra.join(', ')}`);
}

function toOrt(T: OrtModule['Tensor'], meta: InputMeta, f: Feed, precision: Precision): OrtTensor {
  const dims = [...f.dims];
  if (meta.type === 'float32' || meta.type === 'float64' || meta.type === 'float16') {
    if (precision === 'f64') return new T('float64', f.data instanceof Float64Array ? f.data : Float64Array.from(f.data as ArrayLike<number>), dims);
    return new T('float32', f.data instanceof Float32Array ? f.data : Float32Array.from(f.data as ArrayLike<number>), dims);
  }
  if (meta.type === 'int64') return new T('int64', f.data instanceof BigInt64Array ? f.data : BigInt64Array.from(f.data as ArrayLike<number>, (v) => BigInt(v)), dims);
  if (meta.type === 'int32') return new T('int32', f.data instanceof Int32Array ? f.data : Int32Array.from(f.data as ArrayLike<number>), dims);
  throw new InputError(`input ${meta.name}: inputs of type ${meta.type} are not supported`);
}

function zeros(T: OrtModule['Tensor'], meta: InputMeta, dims: readonly number[]): OrtTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (meta.type === 'int64') return new T('int64', new BigInt64Array(n), [...dims]);
  if (meta.type === 'int32') return new T('int32', new Int32Array(n), [...dims]);
  return new T('float32', new Float32Array(n), [...dims]);
}

function fromOrt(results: Record<string, unknown>, names: readonly string[]): Record<string, Output> {
  const out: Record<string, Output> = {};
  for (const name of names) {
    const t = results[name] as OrtTensor;
    out[name] = { data: t.data as Output['data'], dims: [...t.dims], type: t.type };
  }
  return out;
}

/**
 * Creates a session for an ONNX model.
 * @param model ONNX bytes or a decoded ModelProto (not modified)
 * @param opts precision 'f32' | 'f64' (default 'f32'); backend 'wasm' (default) | 'webgpu' | 'native'; expose: extra outputs; onnxruntime options
 * @returns a Session whose run() takes and returns plain typed arrays with dims
 * @throws InputError for a malformed model, unknown expose names, or (f64) every unsupported op at once;
 *   BackendUnavailable when the backend cannot start here; RangeError for f64 on webgpu
 *
 * Notes: at f64, every float tensor is widened to double and the ops onnxruntime lacks in double
 * (LOWERINGS: Conv, ConvTranspose, AveragePool, GlobalAveragePool, GlobalMaxPool, HardSigmoid,
 * HardSwish, LeakyRelu, Mean, Clip before opset 13, nearest Resize/Upsample, Erf and Gelu by Cody's
 * rational approximations) are rewritten into
 * Slice/Gather/MatMul/Reduce/elementwise ops (NATIVE_F64 lists the ops run as they are). The graph
 * is specialised to each input size on first use: one float32 run on zeros reports the sizes the
 * lowering needs, then the lowered graph gets its own onnxruntime session (kept for `maxSizes`
 * sizes). Float64 sessions run with graphOptimizationLevel 'basic', because onnxruntime's extended
 * fusions produce com.microsoft ops without double kernels.
 */
export async function createSession(model: Uint8Array | ModelProto, opts: SessionOptions = {}): Promise<Session> {
  const precision = resolvePrecision(opts.precision ?? 'f32');
  const backendInfo = resolveBackend(opts.backend ?? 'wasm');
  if (precision === 'f64' && !backendInfo.float64) throw float64Refused(backendInfo);
  const source = opts.source ?? 'model';
  if (opts.expose !== undefined && typeof opts.expose !== 'boolean' && !Array.isArray(opts.expose)) throw invalidParameter('expose', 'an array of tensor names or a boolean', opts.expose);
  const maxSizes = opts.maxSizes ?? 4;
  const proto = model instanceof Uint8Array ? decodeModel(model, source) : model;
  const { model: base, exposed } = opts.expose ? exposeOutputs(proto, opts.expose === true ? undefined : opts.expose, source) : { model: proto, exposed: [] as string[] };
  const meta = inputMeta(base);
  const modelOutputs = (proto.graph?.output ?? []).map((o) => o.name ?? '');
  const outputNames = [...modelOutputs, ...exposed.filter((e) => !modelOutputs.includes(e))];
  const inputNames = meta.map((m) => m.name);
  const rt = await loadRuntime(opts);
  const T = rt.ort.Tensor;
  const backend: SessionBackend = { name: rt.backend.name, executionProvider: rt.backend.executionProvider, ...(rt.adapter ? { adapter: rt.adapter } : {}), placement: placementReport(rt.backend.name, undefined) };

  if (precision === 'f32') {
    const s = await createOrt(onnx.ModelProto.encode(base).finish(), opts, source);
    backend.placement = placementReport(rt.backend.name, placementOf(s));
    return {
      precision, backend, inputNames, outputNames, exposed, inputMeta: meta,
      async run(feeds) {
        checkFeeds(meta, feeds, source);
        const t = Object.fromEntries(meta.map((m) => [m.name, toOrt(T, m, feeds[m.name]!, precision)]));
        return fromOrt(await runOrt(s, t, source), outputNames);
      },
      release: () => s.release(),
    };
  }

  const plan = float64Plan(base, source);
  const produced = new Set((base.graph?.node ?? []).flatMap((n) => n.output ?? []));
  const probeNames = plan.probe.filter((p) => produced.has(p));
  let prober: Promise<OrtSession> | undefined;
  const sized = new Map<string, Promise<OrtSession>>();

  async function compile(dims: Record<string, readonly number[]>): Promise<OrtSession> {
    const known = new Map<string, readonly number[]>(Object.entries(dims));
    if (probeNames.length) {
      prober ??= createOrt(onnx.ModelProto.encode(exposeOutputs(base, probeNames, source).model).finish(), opts, `${source} (size probe)`);
      const p = await prober;
      const res = await runOrt(p, Object.fromEntries(meta.map((m) => [m.name, zeros(T, m, dims[m.name]!)])), `${source} (size probe)`);
      for (const name of probeNames) known.set(name, [...(res[name] as OrtTensor).dims]);
    }
    const lowered = lowerToFloat64(base, known, source);
    // 'extended' optimisations fuse patterns into com.microsoft ops (QuickGelu, ...) that have no
    // float64 kernels; 'basic' (constant folding, redundant-node removal) keeps standard ops.
    const f64Opts = { ...opts, session: { graphOptimizationLevel: 'basic' as const, ...opts.session } };
    const s = await createOrt(onnx.ModelProto.encode(lowered).finish(), f64Opts, `${source} (float64)`);
    backend.placement = placementReport(rt.backend.name, placementOf(s));
    return s;
  }

  return {
    precision, backend, inputNames, outputNames, exposed, inputMeta: meta,
    async run(feeds) {
      checkFeeds(meta, feeds, source);
      const dims = Object.fromEntries(meta.map((m) => [m.name, feeds[m.name]!.dims]));
      const key = JSON.stringify(dims);
      let s = sized.get(key);
      if (!s) {
        s = compile(dims);
        sized.set(key, s);
        s.catch(() => sized.delete(key));
        if (sized.size > maxSizes) {
          const [oldKey, old] = sized.entries().next().value!;
          sized.delete(oldKey);
          void old.then((o) => o.release(), () => undefined);
        }
      } else {
        sized.delete(key); // keep most recently used last
        sized.set(key, s);
      }
      const session = await s;
      const t = Object.fromEntries(meta.map((m) => [m.name, toOrt(T, m, feeds[m.name]!, precision)]));
      return fromOrt(await runOrt(session, t, `${source} (float64)`), outputNames);
    },
    async release() {
      const all = [...sized.values()];
      sized.clear();
      for (const s of all) await s.then((o) => o.release(), () => undefined);
      if (prober) await prober.then((o) => o.release(), () => undefined);
    },
  };
}
