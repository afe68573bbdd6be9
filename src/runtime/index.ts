// Running models: onnxruntime-web sessions at float32, float64 execution by graph lowering, and
// the graph edit that exposes intermediate features.
export { createSession, type Session, type SessionOptions, type Precision, type Feed, type Output, type InputMeta } from './session.js';
export { exposeOutputs, defaultExposed, firstTrainableNode, LINEAR_OPS, type Exposed } from './expose.js';
export { float64Plan, lowerToFloat64, NATIVE_F64, type Float64Plan } from './lower-f64.js';
export { LOWERINGS } from './lower-ops.js';
export type { OrtOptions } from './ort.js';
export { BACKENDS, resolveBackend, resolveBackends, BackendUnavailable, type BackendName, type BackendInfo } from './backends.js';
export { releaseBackends } from './ort.js';
export type { SessionBackend } from './session.js';
export type { GpuAdapterInfo } from './webgpu-node.js';
