// NumPy .npy files (format versions 1.0–3.0): write float64/float32 arrays, read them back with
// validation. The lossless exchange format for exact collisions (no PNG can hold one). Browser-safe.
// Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { InputError, invalidParameter, assertInt } from '../core/errors.js';

/** dtype descriptors we read; '<f8' and '<f4' are the ones we write. */
export type NpyDtype = '<f8' | '<f4' | '|u1' | '<u2';

/** A parsed .npy array: data in C order, shape as stored. */
export interface NpyArray {
  data: Float64Array | Float32Array | Uint8Array | Uint16Array;
  shape: number[];
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ITEM_SIZE: Readonly<Record<NpyDtype, number>> = Object.freeze({ '<f8': 8, '<f4': 4, '|u1': 1, '<u2': 2 });
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when bytes start with the .npy magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

function shapeLiteral(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Serializes data (C order) with the given shape as a .npy file: dtype '<f8' for Float64Array, '<f4' for
 * Float32Array, fortran_order False, format 1.0 with the header padded so the data starts at a multiple
 * of 64 bytes (what numpy itself writes).
 *
 * @throws TypeError/RangeError when data is not a float array or shape does not match data.length.
 */
export function writeNpy(data: Float64Array | Float32Array, shape: readonly number[]): Uint8Array {
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    throw invalidParameter('data', 'a Float64Array or Float32Array', data);
  }
  if (!Array.isArray(shape)) throw invalidParameter('shape', 'an array of non-negative integers', shape);
  shape.forEach((d, i) => assertInt(`shape[${i}]`, d, 0));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`Expected length ${count} (shape ${shapeLiteral(shape)}) for data but received length ${data.length}`);
  const dtype = data instanceof Float64Array ? '<f8' : '<f4';
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  let headerLen = dict.length + 1; // + '\n'
  const total = Math.ceil((10 + headerLen) / 64) * 64;
  if (total - 10 > 0xffff) throw new RangeError(`shape ${shapeLiteral(shape)} needs a header longer than format 1.0 allows`);
  headerLen = total - 10;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  out[8] = headerLen & 0xff; out[9] = headerLen >> 8;
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  } else {
    const view = new DataView(out.buffer, total);
    const size = ITEM_SIZE[dtype];
    for (let i = 0; i < data.length; i++) {
      if (size === 8) view.setFloat64(i * 8, data[i]!, true); else view.setFloat32(i * 4, data[i]!, true);
    }
  }
  return out;
}

/** Parses the header dictionary; returns undefined fields when missing. */
function parseHeader(text: string): { descr?: string; fortran?: string; shape?: string } {
  return {
    descr: /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1],
    fortran: /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1],
    shape: /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1],
  };
}

/**
 * Reads a .npy file (format 1.0, 2.0 or 3.0) with dtype '<f8', '<f4', '|u1' or '<u2', C order.
 *
 * @throws InputError "<location>: …" for a bad magic string or version, an unsupported dtype, Fortran
 * order, a malformed header, or a payload whose length is not shape × itemsize.
 */
export function readNpy(bytes: Uint8Array, location = 'npy'): NpyArray {
  const fail = (m: string): never => { throw new InputError(`${location}: ${m}`); };
  if (!isNpy(bytes)) fail('not a .npy file (bad magic string)');
  if (bytes.length < 10) fail('.npy header is truncated');
  const major = bytes[6]!, minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported .npy format version ${major}.${minor}`);
  const wide = major >= 2;
  const pre = wide ? 12 : 10;
  if (bytes.length < pre) fail('.npy header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  if (headerLen > 1 << 20) fail(`.npy header declares ${headerLen} bytes (more than 1 MiB)`);
  if (pre + headerLen > bytes.length) fail(`.npy header declares ${headerLen} bytes but the file has ${bytes.length - pre}`);
  const raw = bytes.subarray(pre, pre + headerLen);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  const h = parseHeader(text);
  if (h.descr === undefined || h.fortran === undefined || h.shape === undefined) fail(`malformed .npy header ${JSON.stringify(text.trim())}`);
  const dtype = h.descr as NpyDtype;
  if (!(dtype in ITEM_SIZE)) fail(`unsupported .npy dtype '${h.descr}' (expected '<f8', '<f4', '|u1' or '<u2')`);
  if (h.fortran === 'True') fail('.npy array is in Fortran order; save it with np.ascontiguousarray first');
  const parts = h.shape!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`malformed .npy shape (${h.shape})`)));
  const count = shape.reduce((a, b) => a * b, 1);
  const size = ITEM_SIZE[dtype];
  const payload = bytes.length - pre - headerLen;
  if (count * size !== payload) fail(`.npy shape ${shapeLiteral(shape)} × ${size} bytes = ${count * size} but the payload has ${payload} bytes`);
  const start = pre + headerLen;
  const data = dtype === '<f8' ? new Float64Array(count) : dtype === '<f4' ? new Float32Array(count)
    : dtype === '<u2' ? new Uint16Array(count) : new Uint8Array(count);
  if (LITTLE_ENDIAN || size === 1) {
    new Uint8Array(data.buffer).set(bytes.subarray(start, start + payload));
  } else {
    for (let i = 0; i < count; i++) {
      const at = start + i * size;
      data[i] = size === 8 ? view.getFloat64(at, true) : size === 4 ? view.getFloat32(at, true) : view.getUint16(at, true);
    }
  }
  return { data, shape, dtype };
}
