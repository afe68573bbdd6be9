export { core, createCore, createCoreSync, wasmModule, Core } from './wasm.js';
export type { Kernels } from './kernels.js';
export { LinAlgError, InputError, invalidParameter, assertInt, assertFinite, assertLength } from './errors.js';
