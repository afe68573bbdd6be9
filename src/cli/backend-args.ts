// The --backend flag of every command that runs a model (verify, drift, …): one definition, one
// resolver (src/runtime/backends.ts), and the summary line that reports where a run went.
import type { Argv } from 'yargs';
import { float64Refused, resolveBackend, type BackendInfo } from '../runtime/backends.js';
import type { SessionBackend } from '../runtime/session.js';

export interface BackendArgs {
  backend: string;
}

export const BACKEND_HELP = 'where the model runs: wasm (onnxruntime-web, the reference) | webgpu (onnxruntime-web on WebGPU; in Node via the optional webgpu package, float32 only: float64 then runs on wasm) | native (onnxruntime-node, optional dependency); default wasm';

/** Adds --backend to a command. */
export function backendOption<T>(y: Argv<T>): Argv<T & BackendArgs> {
  return y.option('backend', { type: 'string', default: 'wasm', describe: BACKEND_HELP }) as unknown as Argv<T & BackendArgs>;
}

/** The backend the flags name; refuses float64-only work on a float32-only backend. @throws RangeError */
export function backendOf(a: BackendArgs, needsFloat64 = false): BackendInfo {
  const b = resolveBackend(a.backend);
  if (needsFloat64 && !b.float64) throw float64Refused(b);
  return b;
}

/** "webgpu (webgpu execution provider on Google SwiftShader, a CPU emulation)" */
export function describeBackend(b: SessionBackend): string {
  const a = b.adapter;
  const on = a ? ` on ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'an unnamed adapter'}${a.software ? ', a CPU emulation' : ''}` : '';
  return `${b.name} (${b.executionProvider} execution provider${on})`;
}
