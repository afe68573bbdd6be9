// Reading and writing ONNX models: decode with one-line errors, tensors of every storage kind as
// float64, graph walks, weights (also quantized), the first trainable layer; and the writer.
export { onnx, DataType, dtypeName, type DTypeName, type ModelProto, type GraphProto, type NodeProto, type TensorProto } from './proto.js';
export { decodeModel } from './model.js';
export { decodeTensor, tensorShape, halfToFloat, toInt, type TensorData, type DecodeOptions } from './tensor-data.js';
export { DEFAULT_MAX_BYTES, externalRef, checkTensorBytes, type ExternalRef, type ExternalReader } from './limits.js';
export { indexGraph, type GraphIndex, type NodeRef, type Use, type ConstantSource } from './graph.js';
export { attrInt, attrInts, attrString } from './attributes.js';
export { weightReader, weightOperand, affine, TRAINABLE_OPS, type ResolvedConstant, type WeightReader, type WeightOperand } from './weights.js';
export { firstLayer, type FirstLayer, type InputInfo } from './first-layer.js';
export { buildModel, constantNode, tensorProto, graphProto, rawBytes, type ModelSpec, type GraphSpec, type NodeSpec, type TensorSpec, type ValueSpec, type AttrValue } from './writer.js';
