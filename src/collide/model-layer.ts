// From ONNX bytes to the FirstLayerSpec collide works on: decode, index the graph, find the first
// trainable layer reading the image input (src/onnx/first-layer.ts) and turn its weight into A_img's
// factors — a Conv with its geometry at the input size, or W (m, n) with y = W·flatten(x) for
// Gemm/MatMul (transB and Gemm's alpha applied). Only shape-preserving ops may sit in between:
// anything that computes on the pixels first would make A_img something else.
import { InputError } from '../core/errors.js';
import { decodeModel } from '../onnx/model.js';
import type { GraphProto, ModelProto } from '../onnx/proto.js';
import { indexGraph } from '../onnx/graph.js';
import { weightReader, type WeightReader } from '../onnx/weights.js';
import { attrFloat, attrInt } from '../onnx/attributes.js';
import { firstLayer, type FirstLayer } from '../onnx/first-layer.js';
import type { ExternalReader } from '../onnx/limits.js';
import { outInMatrix, weightLayout } from '../census/layout.js';
import type { FirstLayerSpec } from './layer.js';

/** Ops allowed between the input and a Conv first layer (they leave the tensor as it is). */
const PASS_CONV = new Set(['Identity', 'Cast', 'Dropout']);
/** Ops allowed before a Gemm/MatMul first layer: CHW-order reshapes. */
const PASS_DENSE = new Set(['Identity', 'Cast', 'Dropout', 'Flatten', 'Reshape']);

/** The model's image input has dynamic height/width and no size was given: take it from each image. */
export class DynamicInputSize extends InputError {
  override name = 'DynamicInputSize';
}

export interface LoadedLayer {
  spec: FirstLayerSpec;
  /** the model's image input: name and NCHW dims at the size used */
  input: { name: string; dims: [number, number, number, number] };
  found: FirstLayer;
}

function biasOf(reader: WeightReader, found: FirstLayer, len: number, scale = 1): Float64Array | undefined {
  const name = found.ref.node.input?.[2];
  const b = name ? reader.constant(name) : undefined;
  if (!b) return undefined;
  if (b.data.length === len) return b.data.map((v) => v * scale);
  if (b.data.length === 1) return new Float64Array(len).fill(b.data[0]! * scale);
  return undefined;
}

/**
 * The first layer of a model at an input size.
 * @param source the model's bytes, or the model already decoded
 * @param size H×W replacing the input's spatial dimensions (required when they are dynamic)
 * @param where file name for messages
 * @throws InputError when the model has no usable first layer, a dynamic size without --size, or
 * pixel arithmetic before the layer
 */
export function loadFirstLayer(source: Uint8Array | ModelProto, opts: { where?: string; size?: { h: number; w: number }; external?: ExternalReader } = {}): LoadedLayer {
  const where = opts.where ?? 'model';
  const model = source instanceof Uint8Array ? decodeModel(source, where) : source;
  const idx = indexGraph(model.graph as GraphProto, where);
  const reader = weightReader(idx, { where, external: opts.external });
  const found = firstLayer(idx, reader, where, opts.size);
  const label = `${where}:node ${found.ref.label}`;
  if (!found.inputShape) {
    const dynamic = !opts.size && found.input.shape.length === 4 && found.input.shape.slice(2).some((d) => !(typeof d === 'number' && d > 0));
    throw new (dynamic ? DynamicInputSize : InputError)(`${where}: ${found.note ?? 'the input size is unknown'}`);
  }
  if (found.inputShape.length !== 4) throw new InputError(`${where}: input ${found.input.name} has shape ${JSON.stringify(found.inputShape)}; collide needs an image input N×C×H×W`);
  const [, c, h, w] = found.inputShape as [number, number, number, number];
  const input = { name: found.input.name, dims: [1, c, h, w] as [number, number, number, number] };
  const op = found.operand.kind;
  const pass = op === 'Conv' ? PASS_CONV : PASS_DENSE;
  const bad = found.between.filter((o) => !pass.has(o));
  if (bad.length) {
    throw new InputError(`${label}: ${bad.join(', ')} between the input and the first ${op} layer; collide needs the layer to read the (normalised) pixels directly`);
  }
  if (op === 'ConvTranspose') throw new InputError(`${label}: a ConvTranspose first layer is not supported by collide`);
  const wt = found.operand.weight;
  if (op === 'Conv') {
    const g = found.geometry;
    if (!g) throw new InputError(`${label}: ${found.note ?? 'cannot place the Conv at the input size'}`);
    if (g.c !== c || g.h !== h || g.w !== w) throw new InputError(`${label}: the Conv reads ${g.c}×${g.h}×${g.w} but the input is ${c}×${h}×${w}`);
    return { spec: { kind: 'conv', weight: wt.data, geometry: g, bias: biasOf(reader, found, g.outC), name: found.ref.label }, input, found };
  }
  // Gemm / MatMul on the flattened image
  const n = c * h * w;
  const node = found.ref.node;
  if (found.operand.side !== 'right') throw new InputError(`${label}: the constant is the left operand; collide supports x·W (the data on the left)`);
  if (op === 'Gemm' && attrInt(node, 'transA', 0) !== 0) throw new InputError(`${label}: Gemm with transA = 1 is not supported by collide`);
  const dims = wt.dims;
  if (dims.length !== 2) throw new InputError(`${label}: weight of shape ${JSON.stringify(dims)} is not a matrix`);
  // W (m, n) row-major with y = W x is B's [out, in] view: B itself with transB, else Bᵀ
  const l = weightLayout(found.operand, node, label);
  const m = l.outDim;
  if (l.inDim !== n) throw new InputError(`${label}: the weight takes ${l.inDim} inputs but the flattened image has ${n} (${c}×${h}×${w})`);
  const W = outInMatrix(wt.data, l, 0);
  const alpha = op === 'Gemm' ? attrFloat(node, 'alpha', 1) : 1;
  if (alpha !== 1) for (let i = 0; i < W.length; i++) W[i] = alpha * W[i]!;
  const beta = op === 'Gemm' ? attrFloat(node, 'beta', 1) : 1;
  return { spec: { kind: 'dense', weight: W, m, n, c, h, w, bias: op === 'Gemm' ? biasOf(reader, found, m, beta) : undefined, name: found.ref.label }, input, found };
}
