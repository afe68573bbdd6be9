// The first trainable layer on the path from the image input: which node, its weight operand,
// the ops between the input and it, and the shape its data operand has at the model's input
// size (so that its whole-layer operator can be built). Internal: propagate, padsFor.
import { InputError } from '../core/errors.js';
import { outputSize, type ConvGeometry } from '../linalg/geometry.js';
import type { GraphIndex, NodeRef } from './graph.js';
import { weightOperand, type WeightOperand, type WeightReader } from './weights.js';
import { attrInt, attrInts, attrString } from './attributes.js';
import { toInt } from './tensor-data.js';

/** A declared input: name and dims (a string for a symbolic dimension, null for unknown). */
export interface InputInfo { name: string; shape: (number | string | null)[] }

export interface FirstLayer {
  /** the image input as declared */
  input: InputInfo;
  /** input shape used (batch 1; --size applied), or null when a dimension stays unknown */
  inputShape: number[] | null;
  ref: NodeRef;
  operand: WeightOperand;
  /** op types of the nodes between the input and the layer, in order */
  between: string[];
  /** shape of the layer's data operand at inputShape, or null when it cannot be followed */
  layerInputShape: number[] | null;
  /** Conv only: its geometry at layerInputShape */
  geometry?: ConvGeometry;
  /** why something is missing (dynamic size, an op the shape walk cannot follow, ...) */
  note?: string;
}

/** Ops that keep the shape of their first operand (constant second operands broadcast into it). */
const SAME_SHAPE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Cast', 'Identity', 'BatchNormalization', 'Relu', 'Clip', 'Sigmoid', 'Tanh',
  'LeakyRelu', 'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'HardSigmoid', 'HardSwish', 'QuantizeLinear', 'DequantizeLinear', 'Dropout', 'Pow']);

function declaredInputs(idx: GraphIndex): InputInfo[] {
  return (idx.graph.input ?? []).filter((v) => !idx.constants.has(v.name ?? '')).map((v) => ({
    name: v.name ?? '',
    shape: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? toInt(d.dimValue) : null)),
  }));
}

/** Shape after one node, or null when this walk does not follow the op. */
function propagate(idx: GraphIndex, reader: WeightReader, ref: NodeRef, shape: number[]): number[] | null {
  const n = ref.node;
  const op = n.opType ?? '';
  if (SAME_SHAPE.has(op)) return shape;
  const constInts = (i: number) => { const c = reader.constant(n.input?.[i] ?? ''); return c ? Array.from(c.data) : undefined; };
  const count = shape.reduce((a, b) => a * b, 1);
  switch (op) {
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? shape.map((_, i) => shape.length - 1 - i);
      return perm.map((p) => shape[p]!);
    }
    case 'Flatten': {
      let axis = attrInt(n, 'axis', 1);
      if (axis < 0) axis += shape.length;
      const a = shape.slice(0, axis).reduce((x, y) => x * y, 1);
      return [a, count / a];
    }
    case 'Reshape': {
      const target = constInts(1);
      if (!target) return null;
      const out = target.map((d, i) => (d === 0 ? shape[i]! : d));
      const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return out.map((d) => (d === -1 ? count / known : d));
    }
    case 'Pad': {
      const pads = attrInts(n, 'pads') ?? constInts(1);
      const mode = attrString(n, 'mode', 'constant');
      if (!pads || pads.length !== 2 * shape.length || mode !== 'constant') return null;
      return shape.map((d, i) => d + pads[i]! + pads[i + shape.length]!);
    }
    default: return null;
  }
}

/** Top/left/bottom/right padding of a 2-D conv, with auto_pad resolved. */
function padsFor(ref: NodeRef, h: number, w: number, k: number[], s: number[], d: number[]): number[] {
  const n = ref.node;
  const auto = attrString(n, 'auto_pad', 'NOTSET');
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const total = [h, w].map((x, i) => Math.max(0, (Math.ceil(x / s[i]!) - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - x));
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    return auto === 'SAME_UPPER' ? [small[0]!, small[1]!, big[0]!, big[1]!] : [big[0]!, big[1]!, small[0]!, small[1]!];
  }
  return attrInts(n, 'pads') ?? [0, 0, 0, 0];
}

/** Largest input (values per image, batch 1) whose first-layer operator is built: 2^27 (1 GiB per float64 vector). */
export const MAX_INPUT_VALUES = 2 ** 27;

/**
 * Finds the first trainable layer reached from the image input (the first non-constant graph
 * input of rank 4, else the first one).
 * @param size optional H×W that replaces the input's last two dimensions (for dynamic inputs)
 * @throws InputError when the model has no input or no trainable layer reads it
 */
export function firstLayer(idx: GraphIndex, reader: WeightReader, where: string, size?: { h: number; w: number }): FirstLayer {
  const inputs = declaredInputs(idx);
  if (inputs.length === 0) throw new InputError(`${where}: the graph has no inputs`);
  const input = inputs.find((i) => i.shape.length === 4) ?? inputs[0]!;
  const dims = input.shape.map((d, i) => (i === 0 ? 1 : typeof d === 'number' && d > 0 ? d : null));
  if (size && dims.length >= 2) { dims[dims.length - 2] = size.h; dims[dims.length - 1] = size.w; }
  const shapes = new Map<string, number[] | null>();
  const declared = dims.every((d) => d !== null) ? (dims as number[]) : null;
  // A declared size no image could have (a corrupt or hostile header) would size every buffer of the
  // layer's operator: treat it like a dynamic size instead (found by fuzz/onnx.ts).
  const values = declared?.reduce((a, d) => a * d, 1) ?? 0;
  const inputShape = values > MAX_INPUT_VALUES ? null : declared;
  shapes.set(input.name, inputShape);
  const between: string[] = [];
  let note: string | undefined = inputShape ? undefined
    : declared ? `input ${input.name} declares ${JSON.stringify(declared)}, more than ${MAX_INPUT_VALUES} values; pass --size HxW`
    : `input ${input.name} has dynamic dimensions ${JSON.stringify(input.shape)}; pass --size HxW`;
  for (const ref of idx.order) {
    if (ref.scope !== '') continue;
    const ins = ref.node.input ?? [];
    if (!ins.some((x) => shapes.has(x))) continue;
    const operand = weightOperand(ref, reader, where);
    if (operand) {
      const dataSlot = operand.kind === 'Conv' || operand.kind === 'ConvTranspose' || operand.side === 'right' ? 0 : 1;
      if (shapes.has(ins[dataSlot] ?? '')) {
        const layerInputShape = shapes.get(ins[dataSlot]!) ?? null;
        const fl: FirstLayer = { input, inputShape, ref, operand, between, layerInputShape, note };
        if (operand.kind === 'Conv' && layerInputShape) {
          const g = convAt(ref, operand, layerInputShape);
          if (typeof g === 'string') fl.note = g; else fl.geometry = g;
        }
        return fl;
      }
    }
    between.push(ref.node.opType ?? '');
    const first = ins.find((x) => shapes.has(x))!;
    const s = shapes.get(first) ?? null;
    const out = s ? propagate(idx, reader, ref, s) : null;
    if (s && !out && !note) note = `the shape walk stops at ${ref.node.opType} node ${ref.label}`;
    for (const o of ref.node.output ?? []) if (o) shapes.set(o, out);
  }
  throw new InputError(`${where}: no trainable layer (Conv, ConvTranspose, Gemm, MatMul with a constant weight) reads input ${input.name}`);
}

function convAt(ref: NodeRef, op: WeightOperand, shape: number[]): ConvGeometry | string {
  const wd = op.weight.dims;
  if (shape.length !== 4 && shape.length !== 3) return `Conv ${ref.label}: input of rank ${shape.length} is not supported by the operator analysis`;
  const two = shape.length === 4;
  const [c, h, w] = two ? [shape[1]!, shape[2]!, shape[3]!] : [shape[1]!, 1, shape[2]!];
  const k = two ? [wd[2]!, wd[3]!] : [1, wd[2]!];
  const s = attrInts(ref.node, 'strides') ?? [1, 1];
  const d = attrInts(ref.node, 'dilations') ?? [1, 1];
  const strides = two ? s : [1, s[0]!];
  const dil = two ? d : [1, d[0]!];
  let pads = padsFor(ref, h, w, k, strides, dil);
  if (!two) pads = [0, pads[0]!, 0, pads[1]!];
  const groups = attrInt(ref.node, 'group', 1);
  if (wd[1]! * groups !== c) return `Conv ${ref.label}: weight ${JSON.stringify(wd)} with group ${groups} does not match ${c} input channels`;
  const g: ConvGeometry = { c, h, w, outC: wd[0]!, kh: k[0]!, kw: k[1]!, sh: strides[0]!, sw: strides[1]!, dh: dil[0]!, dw: dil[1]!,
    padTop: pads[0]!, padLeft: pads[1]!, padBottom: pads[2]!, padRight: pads[3]!, groups };
  return geometryFault(ref, g, { strides: s, dilations: d, pads: attrInts(ref.node, 'pads') }, two ? 2 : 1) ?? g;
}

/**
 * Why a Conv's attributes cannot describe a real layer (wrong counts, zero or negative strides, a
 * padding or output too large to build), or undefined. Hostile attributes would otherwise size the
 * operator's buffers (found by fuzz/onnx.ts).
 */
function geometryFault(ref: NodeRef, g: ConvGeometry, raw: { strides: number[]; dilations: number[]; pads?: number[] }, rank: number): string | undefined {
  const at = `Conv ${ref.label}`;
  if (raw.strides.length < rank || raw.dilations.length < rank) return `${at}: strides ${JSON.stringify(raw.strides)} / dilations ${JSON.stringify(raw.dilations)} need ${rank} entries`;
  if (raw.pads && raw.pads.length !== 2 * rank) return `${at}: pads ${JSON.stringify(raw.pads)} need ${2 * rank} entries`;
  const positive = [g.outC, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.groups];
  const pads = [g.padTop, g.padLeft, g.padBottom, g.padRight];
  if (!positive.every((v) => Number.isSafeInteger(v) && v >= 1) || !pads.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    return `${at}: kernel ${g.kh}×${g.kw}, strides ${g.sh},${g.sw}, dilations ${g.dh},${g.dw}, pads ${pads.join(',')}, group ${g.groups} are not all positive integers (pads non-negative)`;
  }
  if (Math.max(...pads) > Math.max(g.h, g.w) + g.dh * g.kh + g.dw * g.kw) return `${at}: pads ${pads.join(',')} exceed the input and kernel extent`;
  const { oh, ow } = outputSize(g);
  if (oh < 1 || ow < 1) return `${at}: the kernel does not fit the ${g.h}×${g.w} input (output ${oh}×${ow})`;
  if (g.outC * oh * ow > MAX_INPUT_VALUES) return `${at}: output ${g.outC}×${oh}×${ow} has more than ${MAX_INPUT_VALUES} values`;
  return undefined;
}
