// The execution backends, a closed set: one frozen table and one resolver (STYLE §2). `wasm`
// (onnxruntime-web on WebAssembly) is the default and the reference; `webgpu` is onnxruntime-web's
// WebGPU execution provider (in Node through the optional `webgpu` package, Dawn); `native` is
// onnxruntime-node's CPU provider (an optional dependency). Loading lives in ort.ts.
import { InputError, invalidParameter } from '../core/errors.js';

export type BackendName = 'wasm' | 'webgpu' | 'native';

export interface BackendInfo {
  readonly name: BackendName;
  /** the onnxruntime execution provider the backend asks for */
  readonly executionProvider: 'wasm' | 'webgpu' | 'cpu';
  /** float64 needs double kernels: WGSL has no f64 type, so webgpu runs float32 only */
  readonly float64: boolean;
  /** the npm package(s) behind it, for messages */
  readonly packages: string;
}

export const BACKENDS: Readonly<Record<BackendName, BackendInfo>> = Object.freeze({
  wasm: Object.freeze({ name: 'wasm', executionProvider: 'wasm', float64: true, packages: 'onnxruntime-web' } as const),
  webgpu: Object.freeze({ name: 'webgpu', executionProvider: 'webgpu', float64: false, packages: 'onnxruntime-web (webgpu) and, in Node, webgpu (Dawn)' } as const),
  native: Object.freeze({ name: 'native', executionProvider: 'cpu', float64: true, packages: 'onnxruntime-node' } as const),
});

/** The backend for a user-facing name. @throws TypeError/RangeError listing the valid names */
export function resolveBackend(name: unknown): BackendInfo {
  const b = typeof name === 'string' ? (BACKENDS as Record<string, BackendInfo>)[name] : undefined;
  if (!b) throw invalidParameter('backend', `one of ${Object.keys(BACKENDS).join(', ')}`, name, typeof name === 'string' ? RangeError : TypeError);
  return b;
}

/** Parses a comma list of backend names ("wasm,webgpu"), each once. @throws RangeError */
export function resolveBackends(list: unknown): BackendInfo[] {
  if (typeof list !== 'string' || !list.trim()) throw invalidParameter('backends', `a comma list of ${Object.keys(BACKENDS).join(', ')}`, list);
  const out: BackendInfo[] = [];
  for (const n of list.split(',').map((s) => s.trim())) {
    const b = resolveBackend(n);
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/** A backend that cannot start here: the message names what is missing and how to get it. */
export class BackendUnavailable extends InputError {
  override name = 'BackendUnavailable';
}

/** The one-line refusal of float64 on a backend without double arithmetic. */
export function float64Refused(b: BackendInfo): RangeError {
  return new RangeError(`float64 runs on the wasm and native backends only, not on ${b.name} (WebGPU shaders, WGSL, have no float64 type)`);
}
