// The ONNX protobuf schema (static code from onnx-proto) and its data-type codes.
import type OnnxProto from 'onnx-proto';

// onnx-proto is CommonJS with 330 kB of generated code. Imported from an ES module, Node first
// scans all of it for export names (cjs-module-lexer): ≈ 45 ms of CPU at every start-up of a
// command that reads a model, which require() does not spend (measured: import 55–67 ms,
// require 15–21 ms). Node ≥ 20.16 offers require through process.getBuiltinModule; elsewhere
// (browsers, bundlers, older Node) the plain import.
const nodeModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:module') as
  typeof import('node:module') | undefined;
const onnxProto: typeof OnnxProto = nodeModule
  ? nodeModule.createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto
  : (await import('onnx-proto')).default;

export const onnx = onnxProto.onnx;
export type ModelProto = OnnxProto.onnx.ModelProto;
export type GraphProto = OnnxProto.onnx.GraphProto;
export type NodeProto = OnnxProto.onnx.NodeProto;
export type TensorProto = OnnxProto.onnx.TensorProto;

/** TensorProto.DataType codes by name (must match the ONNX schema). */
export const DataType = Object.freeze({
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13, bfloat16: 16,
} as const);
export type DTypeName = keyof typeof DataType;

const names = new Map<number, DTypeName>(Object.entries(DataType).map(([k, v]) => [v, k as DTypeName]));

/** The name of an ONNX data-type code ("float32", ...), or "type<N>" when unknown. */
export function dtypeName(code: number): string {
  return names.get(code) ?? `type${code}`;
}
