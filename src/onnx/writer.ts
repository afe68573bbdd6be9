// Builds small ONNX models from plain descriptions. Tests, benchmarks and graph edits use it;
// it writes weights as raw little-endian data in initializers, or as Constant nodes on request.
import { onnx, DataType, type DTypeName } from './proto.js';

export type AttrValue = number | string | number[] | string[] | { tensor: TensorSpec } | { graph: GraphSpec } | { float: number } | { floats: number[] };

export interface TensorSpec {
  name: string;
  dims: number[];
  /** Values; stored in `dtype` (default: float32 for Float32Array/number[], float64 for Float64Array). */
  data: ArrayLike<number> | ArrayLike<bigint>;
  dtype?: DTypeName;
  /**
   * Store the values outside the model: the proto gets data_location EXTERNAL and these
   * key/values instead of raw_data (the caller writes the file, e.g. with rawBytes).
   * Offset and length are written as given, so tests can craft bad records.
   */
  external?: { location: string; offset?: number | string; length?: number | string };
}

export interface ValueSpec {
  name: string;
  /** Dimensions; a string is a symbolic (dynamic) dimension. Omit for an unknown shape. */
  shape?: (number | string)[];
  dtype?: DTypeName;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrValue>;
}

export interface GraphSpec {
  name?: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
}

export interface ModelSpec extends GraphSpec {
  opset?: number;
  producer?: string;
  /** extra opset imports, e.g. { 'com.microsoft': 1 } */
  opsets?: Record<string, number>;
}

function float16Bits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return half;
}

/** Encodes values as the raw little-endian bytes ONNX stores for `dtype`. */
export function rawBytes(data: ArrayLike<number> | ArrayLike<bigint>, dtype: DTypeName): Uint8Array {
  const n = data.length;
  const num = (i: number) => Number(data[i] as number | bigint);
  let out: ArrayBufferView;
  switch (dtype) {
    case 'float32': out = Float32Array.from({ length: n }, (_, i) => num(i)); break;
    case 'float64': out = Float64Array.from({ length: n }, (_, i) => num(i)); break;
    case 'float16': out = Uint16Array.from({ length: n }, (_, i) => float16Bits(num(i))); break;
    case 'bfloat16': {
      const f = Float32Array.from({ length: n }, (_, i) => num(i));
      const u = new Uint32Array(f.buffer);
      out = Uint16Array.from(u, (x) => (x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
      break;
    }
    case 'int8': out = Int8Array.from({ length: n }, (_, i) => num(i)); break;
    case 'uint8': case 'bool': out = Uint8Array.from({ length: n }, (_, i) => num(i)); break;
    case 'int16': out = Int16Array.from({ length: n }, (_, i) => num(i)); break;
    case 'uint16': out = Uint16Array.from({ length: n }, (_, i) => num(i)); break;
    case 'int32': out = Int32Array.from({ length: n }, (_, i) => num(i)); break;
    case 'uint32': out = Uint32Array.from({ length: n }, (_, i) => num(i)); break;
    case 'int64': out = BigInt64Array.from({ length: n }, (_, i) => BigInt(data[i] as number | bigint)); break;
    case 'uint64': out = BigUint64Array.from({ length: n }, (_, i) => BigInt(data[i] as number | bigint)); break;
    default: throw new TypeError(`rawBytes: cannot store dtype ${dtype}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A TensorProto message for a spec (raw data). */
export function tensorProto(t: TensorSpec): InstanceType<typeof onnx.TensorProto> {
  const dtype = t.dtype ?? (t.data instanceof Float64Array ? 'float64' : t.data instanceof BigInt64Array ? 'int64' : 'float32');
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new RangeError(`tensor ${t.name}: dims ${JSON.stringify(t.dims)} hold ${count} values but data has ${t.data.length}`);
  if (t.external) {
    const e = t.external;
    const externalData = [{ key: 'location', value: e.location }];
    if (e.offset !== undefined) externalData.push({ key: 'offset', value: String(e.offset) });
    if (e.length !== undefined) externalData.push({ key: 'length', value: String(e.length) });
    return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: DataType[dtype], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData });
  }
  return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: DataType[dtype], rawData: rawBytes(t.data, dtype) });
}

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v) ? onnx.AttributeProto.create({ name, type: A.INT, i: v }) : onnx.AttributeProto.create({ name, type: A.FLOAT, f: v });
  }
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return onnx.AttributeProto.create({ name, type: A.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) });
    return onnx.AttributeProto.create({ name, type: A.INTS, ints: v as number[] });
  }
  if ('float' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.float });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v.floats });
  if ('tensor' in v) return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensorProto(v.tensor) });
  return onnx.AttributeProto.create({ name, type: A.GRAPH, g: graphProto(v.graph) });
}

function valueInfo(v: ValueSpec): InstanceType<typeof onnx.ValueInfoProto> {
  const elemType = DataType[v.dtype ?? 'float32'];
  const tensorType: Record<string, unknown> = { elemType };
  if (v.shape) tensorType.shape = { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return onnx.ValueInfoProto.create({ name: v.name, type: { tensorType } });
}

/** A GraphProto message for a spec. */
export function graphProto(g: GraphSpec): InstanceType<typeof onnx.GraphProto> {
  return onnx.GraphProto.create({
    name: g.name ?? 'graph',
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: (g.initializers ?? []).map(tensorProto),
    node: g.nodes.map((n, i) => onnx.NodeProto.create({
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      name: n.name ?? `${n.op}_${i}`,
      domain: n.domain ?? '',
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
  });
}

/** Serializes a model spec to ONNX bytes (IR version 8, default opset 13). */
export function buildModel(spec: ModelSpec): Uint8Array {
  const opsetImport = [{ domain: '', version: spec.opset ?? 13 }, ...Object.entries(spec.opsets ?? {}).map(([domain, version]) => ({ domain, version }))];
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: spec.producer ?? 'nullspace', opsetImport, graph: graphProto(spec) });
  return onnx.ModelProto.encode(model).finish();
}

/** A Constant node that holds a tensor (real models such as PP-OCR store weights this way). */
export function constantNode(t: TensorSpec): NodeSpec {
  return { op: 'Constant', inputs: [], outputs: [t.name], name: `Constant_${t.name}`, attrs: { value: { tensor: t } } };
}
