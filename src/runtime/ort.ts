// The one place that talks to onnxruntime-web: our defaults (wasm execution provider, log level
// warning, one thread), a memoized one-time set-up, and a promise chain so that only one session
// creation or run is in flight at a time (the wasm backend is a single instance; interleaved
// calls from several async callers would otherwise contend for it). Internal: summarize.
import * as ort from 'onnxruntime-web';

/** Options passed through to onnxruntime; ours are defaults that these override. */
export interface OrtOptions {
  /** wasm threads; 1 by default (on the 2-core reference machine 2 threads were slower, see bench/README.md) */
  numThreads?: number;
  /** onnxruntime log level, default 'warning' */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  /** extra onnxruntime session options (override ours) */
  session?: ort.InferenceSession.SessionOptions;
}

const SEVERITY = Object.freeze({ verbose: 0, info: 1, warning: 2, error: 3, fatal: 4 } as const);

let ready: Promise<void> | undefined;
let chain: Promise<unknown> = Promise.resolve();

/** Configures the onnxruntime environment once; later calls return the same promise. */
export function ortReady(opts: OrtOptions = {}): Promise<void> {
  ready ??= Promise.resolve().then(() => {
    ort.env.wasm.numThreads = opts.numThreads ?? 1;
    ort.env.wasm.simd = true;
    ort.env.logLevel = opts.logLevel ?? 'warning';
  });
  return ready;
}

/** Runs `fn` after every previously queued onnxruntime call has settled. */
export function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

/** A compact description of tensors: names, dims and dtypes, never the data. */
export function summarize(feeds: Record<string, { dims: readonly number[]; type: string }>): string {
  return Object.entries(feeds).map(([k, v]) => `${k}: ${v.type}[${v.dims.join('×')}]`).join(', ') || '(none)';
}

/** Creates an onnxruntime session from model bytes with our defaults; logs a summary and rethrows on failure. */
export async function createOrt(bytes: Uint8Array, opts: OrtOptions = {}, what = 'model'): Promise<ort.InferenceSession> {
  await ortReady(opts);
  return serial(async () => {
    try {
      return await ort.InferenceSession.create(bytes, {
        executionProviders: ['wasm'],
        logSeverityLevel: SEVERITY[opts.logLevel ?? 'warning'],
        ...opts.session,
      });
    } catch (err) {
      console.error(`nullspace: onnxruntime could not create a session for ${what} (${bytes.byteLength} bytes)`);
      throw err;
    }
  });
}

/** Runs a session on typed feeds; on failure logs what was passed and rethrows the original error. */
export async function runOrt(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, what = 'model'): Promise<ort.InferenceSession.OnnxValueMapType> {
  return serial(async () => {
    try {
      return await session.run(feeds);
    } catch (err) {
      console.error(`nullspace: onnxruntime run failed for ${what} with inputs ${summarize(feeds)}`);
      throw err;
    }
  });
}

export { ort };
