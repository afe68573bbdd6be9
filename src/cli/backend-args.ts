// The --backend flag of every command that runs a model (verify, drift, …): one definition, light
// (loaded at every start-up by the command specs). Resolving the name and describing where a run
// went is backend-resolve.ts's job, imported by the command bodies.
import type { Argv } from 'yargs';

export interface BackendArgs {
  backend: string;
}

export const BACKEND_HELP = 'where the model runs: wasm (onnxruntime-web, the reference) | webgpu (onnxruntime-web on WebGPU; in Node via the optional webgpu package, float32 only: float64 then runs on wasm) | native (onnxruntime-node, optional dependency); default wasm';

/** Adds --backend to a command. */
export function backendOption<T>(y: Argv<T>): Argv<T & BackendArgs> {
  return y.option('backend', { type: 'string', default: 'wasm', describe: BACKEND_HELP }) as unknown as Argv<T & BackendArgs>;
}
