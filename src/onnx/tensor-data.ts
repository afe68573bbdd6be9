// Decodes a TensorProto of any numeric storage into a Float64Array, after checking its declared
// shape against the bytes it actually holds. Model bytes are untrusted: every size is checked
// before anything is allocated. Internal: halfToFloat, toInt.
import { InputError } from '../core/errors.js';
import { DataType, dtypeName, type TensorProto } from './proto.js';
import { checkTensorBytes, DEFAULT_MAX_BYTES, externalRef, type ExternalReader } from './limits.js';

/** Bytes per element of each numeric storage type we decode. */
const ELEMENT_BYTES: Readonly<Record<number, number>> = Object.freeze({
  [DataType.float32]: 4, [DataType.float64]: 8, [DataType.float16]: 2, [DataType.bfloat16]: 2,
  [DataType.int8]: 1, [DataType.uint8]: 1, [DataType.int16]: 2, [DataType.uint16]: 2,
  [DataType.int32]: 4, [DataType.uint32]: 4, [DataType.int64]: 8, [DataType.uint64]: 8, [DataType.bool]: 1,
});

/** A decoded tensor: values as float64, row-major over dims. */
export interface TensorData {
  name: string;
  dims: number[];
  /** storage type name ("float32", "float16", "int8", ...) */
  dtype: string;
  data: Float64Array;
}

export interface DecodeOptions {
  /** reads external data; without it, external tensors are an error */
  external?: ExternalReader;
  /** largest tensor in bytes (stored or decoded), default 4 GiB */
  maxBytes?: number;
  /** location prefix for messages, e.g. "model.onnx:tensor conv1.w" */
  where?: string;
}

/** A protobuf int64 (number or Long) as a safe JS integer, or NaN. */
export function toInt(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    const x = v as { toNumber(): number; high: number };
    const n = x.toNumber();
    return Number.isSafeInteger(n) ? n : NaN;
  }
  return NaN;
}

/** IEEE half-precision bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Shape and sizes of a tensor, validated: non-negative safe dims and a safe element count. */
export function tensorShape(t: TensorProto, where: string): { dims: number[]; count: number; elementBytes: number } {
  const dims = (t.dims ?? []).map(toInt);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new InputError(`${where}: invalid dims ${JSON.stringify(dims)}`);
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (!Number.isSafeInteger(count)) throw new InputError(`${where}: dims ${JSON.stringify(dims)} hold too many elements`);
  }
  const elementBytes = ELEMENT_BYTES[t.dataType ?? 0];
  if (elementBytes === undefined) throw new InputError(`${where}: unsupported data type ${dtypeName(t.dataType ?? 0)}`);
  return { dims, count, elementBytes };
}

function fromBytes(bytes: Uint8Array, type: number, count: number): Float64Array {
  // (TypedArray.prototype.set converts element types natively: Float64Array.from with an iterable
  // walks the iterator, ≈ 8 ns an element — 18 ms for one 512×4608 weight)
  const widen = (src: ArrayLike<number>) => { const out = new Float64Array(count); out.set(src); return out; };
  // ONNX raw data is little-endian, as are the hosts we run on. A float32 tensor sitting aligned
  // (the usual case) is widened straight from the file's bytes; anything else is first copied into
  // an aligned buffer of our own (float64 is returned as that copy; Buffer.prototype.slice would
  // return a view of Node's pool).
  if (type === DataType.float32 && bytes.byteOffset % 4 === 0) return widen(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  const copy = new Uint8Array(count * ELEMENT_BYTES[type]!);
  copy.set(bytes.subarray(0, copy.length));
  const buf = copy.buffer;
  switch (type) {
    case DataType.float32: return widen(new Float32Array(buf));
    case DataType.float64: return new Float64Array(buf);
    case DataType.float16: return Float64Array.from(new Uint16Array(buf), halfToFloat);
    case DataType.bfloat16: {
      const u = new Uint16Array(buf);
      const w = new Uint32Array(count);
      for (let i = 0; i < count; i++) w[i] = u[i]! << 16;
      return widen(new Float32Array(w.buffer));
    }
    case DataType.int8: return widen(new Int8Array(buf));
    case DataType.uint8: case DataType.bool: return widen(new Uint8Array(buf));
    case DataType.int16: return widen(new Int16Array(buf));
    case DataType.uint16: return widen(new Uint16Array(buf));
    case DataType.int32: return widen(new Int32Array(buf));
    case DataType.uint32: return widen(new Uint32Array(buf));
    case DataType.int64: return Float64Array.from(new BigInt64Array(buf), Number);
    case DataType.uint64: return Float64Array.from(new BigUint64Array(buf), Number);
    default: throw new Error(`unreachable dtype ${type}`);
  }
}

function fromFields(t: TensorProto, type: number): ArrayLike<unknown> & Iterable<unknown> {
  switch (type) {
    case DataType.float32: return t.floatData ?? [];
    case DataType.float64: return t.doubleData ?? [];
    case DataType.int64: return t.int64Data ?? [];
    case DataType.uint32: case DataType.uint64: return t.uint64Data ?? [];
    default: return t.int32Data ?? []; // int8/16/32, uint8/16, bool, float16/bfloat16 (as bits)
  }
}

/**
 * Decodes a tensor's values to float64.
 * @throws InputError when the stored bytes or values disagree with dims, external data is
 *   missing or unsafe, the type is not numeric, or the tensor exceeds maxBytes
 */
export function decodeTensor(t: TensorProto, opts: DecodeOptions = {}): TensorData {
  const where = opts.where ?? `tensor ${t.name ?? ''}`;
  const type = t.dataType ?? 0;
  const { dims, count, elementBytes } = tensorShape(t, where);
  const stored = count * elementBytes;
  checkTensorBytes(where, Math.max(stored, count * 8), opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const base = { name: t.name ?? '', dims, dtype: dtypeName(type) };
  if (t.dataLocation === 1) {
    const ref = externalRef(t, where);
    if (ref.length !== undefined && ref.length !== stored) {
      throw new InputError(`${where}: external data length ${ref.length} does not match dims ${JSON.stringify(dims)} × ${elementBytes} bytes = ${stored}`);
    }
    if (!opts.external) throw new InputError(`${where}: tensor uses external data (${ref.location}) but no model folder is known`);
    const bytes = opts.external(ref, stored, base.name);
    if (bytes.length !== stored) throw new InputError(`${where}: external data gave ${bytes.length} bytes, expected ${stored}`);
    return { ...base, data: fromBytes(bytes, type, count) };
  }
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== stored) throw new InputError(`${where}: raw_data holds ${raw.length} bytes but dims ${JSON.stringify(dims)} need ${stored}`);
    return { ...base, data: fromBytes(raw, type, count) };
  }
  const field = fromFields(t, type);
  if (field.length !== count) throw new InputError(`${where}: holds ${field.length} values but dims ${JSON.stringify(dims)} need ${count}`);
  const out = new Float64Array(count);
  let i = 0;
  for (const v of field) {
    const x = typeof v === 'number' ? v : toInt(v);
    out[i++] = type === DataType.float16 ? halfToFloat(x & 0xffff)
      : type === DataType.bfloat16 ? new Float32Array(new Uint32Array([(x & 0xffff) << 16]).buffer)[0]!
        : x;
  }
  return { ...base, data: out };
}
