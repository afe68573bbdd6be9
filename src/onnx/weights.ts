// Finds the constant behind an operand and decodes it to float64: initializers and Constant
// nodes, seen through Identity and float Casts, dequantized through DequantizeLinear
// ((x − zero_point) × scale, per tensor, per axis or blocked). Also the weight operand of each
// trainable op, including the quantized ones (ConvInteger/MatMulInteger: w − w_zero_point;
// QLinearConv/QLinearMatMul: (w − w_zero_point) × w_scale). Internal: affine.
import { InputError } from '../core/errors.js';
import { DataType } from './proto.js';
import { decodeTensor, type DecodeOptions } from './tensor-data.js';
import { attrInt } from './attributes.js';
import type { GraphIndex, NodeRef } from './graph.js';

/** A constant operand, decoded. */
export interface ResolvedConstant {
  /** identity of the weight: the value reached after Identity/Cast hops (shared weights share it) */
  key: string;
  /** name of the stored tensor (initializer or Constant output) */
  source: string;
  dims: number[];
  /** storage type of the stored tensor */
  dtype: string;
  data: Float64Array;
  /** ops passed through on the way, e.g. ["Identity", "DequantizeLinear"] */
  via: string[];
  quantized: boolean;
}

export interface WeightReader {
  /** The constant behind a value name, or undefined when it is computed from inputs. */
  constant(name: string): ResolvedConstant | undefined;
}

const FLOAT_TYPES = new Set<number>([DataType.float16, DataType.float32, DataType.float64, DataType.bfloat16]);

/**
 * (x − zp) × scale with zp/scale scalar, 1-D along `axis`, or blocked (same rank as x, the
 * axis dimension divided into blocks of blockSize).
 */
export function affine(where: string, x: ResolvedConstant, zp: ResolvedConstant | undefined, scale: ResolvedConstant | undefined, axis: number, blockSize = 0): Float64Array {
  const dims = x.dims;
  const rank = dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  const out = new Float64Array(x.data.length);
  const dimAx = rank ? dims[ax] ?? 1 : 1;
  let inner = 1;
  for (let i = ax + 1; i < rank; i++) inner *= dims[i]!;
  const mapper = (p: ResolvedConstant | undefined, what: string): ((i: number) => number) => {
    if (!p) return () => 0;
    const n = p.data.length;
    if (n === 1) return () => p.data[0]!;
    if (blockSize > 0 && p.dims.length === rank) {
      const blocks = Math.ceil(dimAx / blockSize);
      if (n * blockSize < x.data.length || p.dims[ax] !== blocks) throw new InputError(`${where}: ${what} of shape ${JSON.stringify(p.dims)} does not block ${JSON.stringify(dims)} by ${blockSize}`);
      return (i) => {
        const outer = Math.floor(i / (dimAx * inner));
        const c = Math.floor(i / inner) % dimAx;
        return p.data[(outer * blocks + Math.floor(c / blockSize)) * inner + (i % inner)]!;
      };
    }
    if (p.dims.length > 1 || n !== dimAx || ax < 0 || ax >= rank) {
      throw new InputError(`${where}: ${what} of shape ${JSON.stringify(p.dims)} does not match axis ${axis} of ${JSON.stringify(dims)}`);
    }
    return (i) => p.data[Math.floor(i / inner) % dimAx]!;
  };
  const z = mapper(zp, 'zero point');
  const s = scale ? mapper(scale, 'scale') : () => 1;
  for (let i = 0; i < out.length; i++) out[i] = (x.data[i]! - z(i)) * s(i);
  return out;
}

/**
 * A reader that decodes each constant once.
 * @param where message prefix (the model's file name)
 */
export function weightReader(idx: GraphIndex, opts: DecodeOptions & { where: string }): WeightReader {
  const cache = new Map<string, ResolvedConstant | undefined>();
  const resolve = (name: string, depth: number): ResolvedConstant | undefined => {
    if (!name) return undefined;
    if (cache.has(name)) return cache.get(name);
    if (depth > 64) return undefined;
    let r: ResolvedConstant | undefined;
    const c = idx.constants.get(name);
    if (c) {
      const where = `${opts.where}:${c.kind === 'initializer' ? 'initializer' : 'node ' + c.ref!.label} ${name}`;
      const t = decodeTensor(c.tensor, { ...opts, where });
      r = { key: name, source: name, dims: t.dims, dtype: t.dtype, data: t.data, via: [], quantized: false };
    } else {
      const p = idx.producer.get(name);
      const op = p?.node.opType ?? '';
      const dom = p?.node.domain ?? '';
      const where = `${opts.where}:node ${p?.label}`;
      if (p && (dom === '' || dom === 'ai.onnx') && (op === 'Identity' || (op === 'Cast' && FLOAT_TYPES.has(attrInt(p.node, 'to', 0))))) {
        const x = resolve(p.node.input?.[0] ?? '', depth + 1);
        if (x) r = { ...x, via: [...x.via, op] };
      } else if (p && (op === 'DequantizeLinear') && (dom === '' || dom === 'com.microsoft')) {
        const [xn, sn, zn] = p.node.input ?? [];
        const x = resolve(xn ?? '', depth + 1);
        const s = resolve(sn ?? '', depth + 1);
        const z = zn ? resolve(zn, depth + 1) : undefined;
        if (x && s && (!zn || z)) {
          const data = affine(where, x, z, s, attrInt(p.node, 'axis', 1), attrInt(p.node, 'block_size', 0));
          r = { key: name, source: x.source, dims: x.dims, dtype: x.dtype, data, via: [...x.via, op], quantized: true };
        }
      }
    }
    cache.set(name, r);
    return r;
  };
  return { constant: (name) => resolve(name, 0) };
}

/** The weight operand of a trainable node, as the census sees it. */
export interface WeightOperand {
  /** Conv | ConvTranspose | Gemm | MatMul (quantized forms map onto these) */
  kind: 'Conv' | 'ConvTranspose' | 'Gemm' | 'MatMul';
  /** input slot of the weight */
  slot: number;
  /** for Gemm/MatMul: which operand is constant (the weight) */
  side: 'left' | 'right';
  /** the weight, zero point removed and scale applied */
  weight: ResolvedConstant;
}

/** Input slot of the data (image side) operand per op and weight side. */
export const TRAINABLE_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul']);

function minus(where: string, w: ResolvedConstant, zp: ResolvedConstant | undefined, scale: ResolvedConstant | undefined, axis: number, op: string): ResolvedConstant {
  if (!zp && !scale) return { ...w, via: [...w.via, op], quantized: true };
  return { ...w, data: affine(where, w, zp, scale, axis), via: [...w.via, op], quantized: true };
}

/**
 * The constant weight operand of a trainable node, or undefined when the node is not trainable
 * or its weight is computed at run time.
 */
export function weightOperand(ref: NodeRef, reader: WeightReader, where: string): WeightOperand | undefined {
  const n = ref.node;
  const ins = n.input ?? [];
  const c = (i: number) => (ins[i] ? reader.constant(ins[i]!) : undefined);
  const w = `${where}:node ${ref.label}`;
  switch (n.opType) {
    case 'Conv': case 'ConvTranspose': {
      const weight = c(1);
      return weight && { kind: n.opType, slot: 1, side: 'right', weight };
    }
    case 'ConvInteger': {
      const weight = c(1);
      return weight && { kind: 'Conv', slot: 1, side: 'right', weight: minus(w, weight, c(3), undefined, 0, 'ConvInteger') };
    }
    case 'QLinearConv': {
      const weight = c(3);
      return weight && { kind: 'Conv', slot: 3, side: 'right', weight: minus(w, weight, c(5), c(4), 0, 'QLinearConv') };
    }
    case 'Gemm': case 'MatMul': {
      const b = c(1);
      if (b) return { kind: n.opType, slot: 1, side: 'right', weight: b };
      const a = c(0);
      return a && { kind: n.opType, slot: 0, side: 'left', weight: a };
    }
    case 'MatMulInteger': {
      const b = c(1);
      if (b) return { kind: 'MatMul', slot: 1, side: 'right', weight: minus(w, b, c(3), undefined, -1, 'MatMulInteger') };
      const a = c(0);
      return a && { kind: 'MatMul', slot: 0, side: 'left', weight: minus(w, a, c(2), undefined, 0, 'MatMulInteger') };
    }
    case 'QLinearMatMul': {
      const b = c(3);
      if (b) return { kind: 'MatMul', slot: 3, side: 'right', weight: minus(w, b, c(5), c(4), -1, 'QLinearMatMul') };
      const a = c(0);
      return a && { kind: 'MatMul', slot: 0, side: 'left', weight: minus(w, a, c(2), c(1), 0, 'QLinearMatMul') };
    }
    default: return undefined;
  }
}
