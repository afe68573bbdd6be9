// The ONNX protobuf schema (static code from onnx-proto) and its data-type codes.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.GraphProto;
export type NodeProto = onnxProto.onnx.NodeProto;
export type TensorProto = onnxProto.onnx.TensorProto;

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
