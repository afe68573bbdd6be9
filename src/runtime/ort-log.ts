// onnxruntime's own log lines, collected while one session is created, so that its node placement
// ("Node placements", placement.ts) can be reported. onnxruntime states placement nowhere else: no
// API returns it, and its profiler (enableProfiling) names a node's provider only for nodes that
// ran, in a file (native) or on stdout (web). In Node, onnxruntime-web's Emscripten module writes
// its log with fs.writeSync(2, …) (checked on 1.30; not through console), so the capture replaces
// writeSync on Node's fs module for the duration of one creation (creations are serial, ort.ts)
// and passes every write that is not an onnxruntime verbose/info line through unchanged.
// onnxruntime-node logs from C++ straight to the process's stderr, out of JavaScript's reach: it is
// not captured. In a browser the log goes to console.error, which the page collects itself (web/).
// Internal: everything.
import { env } from '../env.js';

type WriteSync = (fd: number, data: unknown, ...rest: unknown[]) => number;
interface FsLike { writeSync: WriteSync }

let fsModule: Promise<FsLike | undefined> | undefined;
// one capture at a time across backends (each backend's creations are already serial), so that
// the lines of two creations never mix
let lock: Promise<unknown> = Promise.resolve();

/** Node's fs module object (the one Emscripten calls writeSync on), or undefined outside Node. */
function nodeFs(): Promise<FsLike | undefined> {
  // a variable specifier keeps bundlers for the browser page from resolving a Node built-in
  const name = 'node:fs';
  fsModule ??= env.isNode ? import(name).then((m: { default?: FsLike }) => m.default, () => undefined) : Promise.resolve(undefined);
  return fsModule;
}

/** true when captureOrtLog can see onnxruntime-web's log here (Node). */
export async function ortLogVisible(): Promise<boolean> {
  return (await nodeFs()) !== undefined;
}

const QUIET = /\[[VI]:onnxruntime/;

/**
 * Runs `fn` (one session creation) while collecting the lines onnxruntime-web writes to stderr.
 * Verbose and info lines are kept and not shown; warnings and errors, and anything else written
 * to stderr meanwhile, pass through.
 */
export async function captureOrtLog<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const fs = await nodeFs();
  if (!fs) return { value: await fn(), lines: [] };
  const run = lock.then(() => captured(fs, fn));
  lock = run.catch(() => undefined);
  return run;
}

async function captured<T>(fs: FsLike, fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = fs.writeSync;
  const tap: WriteSync = function (this: unknown, fd, data, ...rest) {
    if (fd === 2 && typeof data === 'string' && (QUIET.test(data) || !data.trim())) {
      if (lines.length < 200_000) lines.push(...data.split('\n').filter(Boolean));
      return new TextEncoder().encode(data).length;
    }
    return original.call(this, fd, data, ...rest);
  };
  fs.writeSync = tap;
  try {
    return { value: await fn(), lines };
  } finally {
    fs.writeSync = original;
  }
}
