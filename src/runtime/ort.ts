// The one place that talks to onnxruntime: for each backend (backends.ts) its module, loaded on
// first use (onnxruntime-web for wasm, onnxruntime-web/webgpu for webgpu, onnxruntime-node for
// native), our defaults (log level warning, one thread), and a promise chain per backend so that
// only one session creation or run is in flight at a time (the wasm backend is a single instance;
// interleaved calls from several async callers would otherwise contend for it). Internal:
// summarize, loadRuntime.
import type * as OrtWeb from 'onnxruntime-web';
import { env } from '../env.js';
import { BACKENDS, BackendUnavailable, type BackendInfo, type BackendName } from './backends.js';
import { captureOrtLog, ortLogVisible } from './ort-log.js';
import { parsePlacements, type Placement } from './placement.js';
import { releaseWebGpu, webGpuAdapter, type GpuAdapterInfo } from './webgpu-node.js';

/** The onnxruntime API as every backend's module offers it (onnxruntime-common's types). */
export type OrtModule = typeof OrtWeb;
export type OrtSession = OrtWeb.InferenceSession;
export type OrtTensor = OrtWeb.Tensor;

/** Options passed through to onnxruntime; ours are defaults that these override. */
export interface OrtOptions {
  /** 'wasm' (default, the reference), 'webgpu' or 'native' */
  backend?: BackendName;
  /** threads (wasm threads, native intra-op threads); 1 by default (on the 2-core reference machine 2 wasm threads were slower, see bench/README.md) */
  numThreads?: number;
  /** onnxruntime log level, default 'warning' */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  /** extra onnxruntime session options (override ours) */
  session?: OrtWeb.InferenceSession.SessionOptions;
  /** read onnxruntime's node placement from its verbose log at session creation where that log is
   *  visible (onnxruntime-web in Node, ort-log.ts); default: on webgpu only, where nodes can fall
   *  back to the CPU (wasm and native have one provider; verbose logging slows creation ~0.1–0.3 s) */
  placement?: boolean;
}

/** A loaded backend: its onnxruntime module and its call chain. */
export interface Runtime {
  backend: BackendInfo;
  ort: OrtModule;
  /** webgpu: the adapter it runs on */
  adapter?: GpuAdapterInfo;
  serial<T>(fn: () => Promise<T>): Promise<T>;
}

const SEVERITY = Object.freeze({ verbose: 0, info: 1, warning: 2, error: 3, fatal: 4 } as const);
const runtimes = new Map<BackendName, Promise<Runtime>>();
const owner = new WeakMap<object, Runtime>();
const placements = new WeakMap<object, Placement[]>();

function chainer(): Runtime['serial'] {
  let chain: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

async function loadModule(b: BackendInfo, opts: OrtOptions): Promise<{ ort: OrtModule; adapter?: GpuAdapterInfo }> {
  if (b.name === 'wasm') {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = opts.numThreads ?? 1;
    ort.env.wasm.simd = true;
    ort.env.logLevel = opts.logLevel ?? 'warning';
    return { ort };
  }
  if (b.name === 'webgpu') {
    const adapter = await webGpuAdapter();
    const ort = (await import('onnxruntime-web/webgpu')) as OrtModule;
    ort.env.wasm.numThreads = opts.numThreads ?? 1;
    ort.env.logLevel = opts.logLevel ?? 'warning';
    return { ort, adapter };
  }
  if (!env.isNode) throw new BackendUnavailable('the native backend (onnxruntime-node) runs in Node only; in a browser use wasm or webgpu');
  try {
    // a variable specifier keeps bundlers for the browser page from resolving the Node-only package
    const name = 'onnxruntime-node';
    return { ort: (await import(name)) as OrtModule };
  } catch (e) {
    throw new BackendUnavailable(`the native backend needs the optional dependency onnxruntime-node, which is not installed or cannot load here (${firstLine(e)}); install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`);
  }
}

/** The runtime of a backend, loaded once (later options are ignored). @throws BackendUnavailable */
export function loadRuntime(opts: OrtOptions = {}): Promise<Runtime> {
  const b = BACKENDS[opts.backend ?? 'wasm'];
  let r = runtimes.get(b.name);
  if (!r) {
    r = loadModule(b, opts).then(({ ort, adapter }) => ({ backend: b, ort, adapter, serial: chainer() }));
    runtimes.set(b.name, r);
    r.catch(() => runtimes.delete(b.name));
  }
  return r;
}

/** Configures the wasm backend once; later calls return the same promise. */
export async function ortReady(opts: OrtOptions = {}): Promise<void> {
  await loadRuntime(opts);
}

/** A compact description of tensors: names, dims and dtypes, never the data. */
export function summarize(feeds: Record<string, { dims: readonly number[]; type: string }>): string {
  return Object.entries(feeds).map(([k, v]) => `${k}: ${v.type}[${v.dims.join('×')}]`).join(', ') || '(none)';
}

/** Creates an onnxruntime session from model bytes with our defaults; logs a summary and rethrows on failure. */
export async function createOrt(bytes: Uint8Array, opts: OrtOptions = {}, what = 'model'): Promise<OrtSession> {
  const rt = await loadRuntime(opts);
  const threads = rt.backend.name === 'native' ? { intraOpNumThreads: opts.numThreads ?? 1, interOpNumThreads: 1 } : {};
  // the placement is in onnxruntime's verbose log only; read it where that log reaches us, unless
  // the caller set a log level (runs keep onnxruntime-web's default run log level, warning)
  const observe = (opts.placement ?? rt.backend.name === 'webgpu') && rt.backend.name !== 'native' && opts.logLevel === undefined && opts.session?.logSeverityLevel === undefined && (await ortLogVisible());
  const s = await rt.serial(async () => {
    try {
      const create = () => rt.ort.InferenceSession.create(bytes, {
        executionProviders: [rt.backend.executionProvider],
        logSeverityLevel: observe ? SEVERITY.verbose : SEVERITY[opts.logLevel ?? 'warning'],
        ...threads,
        ...opts.session,
      });
      if (!observe) return await create();
      const { value, lines } = await captureOrtLog(create);
      placements.set(value, parsePlacements(lines));
      return value;
    } catch (err) {
      console.error(`nullspace: onnxruntime could not create a session for ${what} (${bytes.byteLength} bytes) on the ${rt.backend.name} backend`);
      throw err;
    }
  });
  owner.set(s, rt);
  return s;
}

/** onnxruntime's node placement of a session as its log stated it; undefined when not observed. */
export function placementOf(session: OrtSession): Placement[] | undefined {
  return placements.get(session);
}

/** The runtime that created a session. */
export function runtimeOf(session: OrtSession): Runtime {
  const rt = owner.get(session);
  if (!rt) throw new Error('internal: a session not created by createOrt');
  return rt;
}

/** Runs a session on typed feeds; on failure logs what was passed and rethrows the original error. */
export async function runOrt(session: OrtSession, feeds: Record<string, OrtTensor>, what = 'model'): Promise<OrtWeb.InferenceSession.OnnxValueMapType> {
  const rt = runtimeOf(session);
  return rt.serial(async () => {
    try {
      return await session.run(feeds);
    } catch (err) {
      console.error(`nullspace: onnxruntime run failed for ${what} with inputs ${summarize(feeds)} on the ${rt.backend.name} backend`);
      throw err;
    }
  });
}

/** Lets go of process-wide backend state (Node's navigator.gpu), so that Node can exit. Call after releasing sessions. */
export async function releaseBackends(): Promise<void> {
  runtimes.delete('webgpu');
  releaseWebGpu();
}
