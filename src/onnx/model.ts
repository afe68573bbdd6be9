// Decodes ONNX bytes into a ModelProto with one-line errors for the two ways a file goes wrong:
// it is not an ONNX model at all, or it is one that was cut short. Internal: scanTopLevel.
import { InputError } from '../core/errors.js';
import { onnx, type ModelProto } from './proto.js';

/** ModelProto's top-level fields and their wire types (0 varint, 2 length-delimited). */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2], [26, 2],
]);

function varint(b: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= b.length) return undefined;
    const byte = b[pos + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return { value, next: pos + i + 1 };
  }
  return undefined;
}

/**
 * Walks the top-level fields: 'ok' when they tile the buffer, 'truncated' when they are
 * ModelProto fields but the last one runs past the end, 'foreign' when a field is not one.
 */
function scanTopLevel(b: Uint8Array): 'ok' | 'truncated' | 'foreign' {
  let pos = 0;
  let fields = 0;
  while (pos < b.length) {
    const tag = varint(b, pos);
    if (!tag) return fields > 0 ? 'truncated' : 'foreign';
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (MODEL_FIELDS.get(field) !== wire) return 'foreign';
    const v = varint(b, tag.next);
    if (!v) return 'truncated';
    pos = wire === 0 ? v.next : v.next + v.value;
    fields++;
  }
  return pos === b.length ? 'ok' : 'truncated';
}

/**
 * Decodes an ONNX model.
 * @param bytes the file's contents
 * @param source the file name, used as the message prefix
 * @throws InputError "not an ONNX file", "truncated", or a protobuf decode failure
 */
export function decodeModel(bytes: Uint8Array, source = 'model'): ModelProto {
  if (bytes.length === 0) throw new InputError(`${source}: empty file, not an ONNX model`);
  const scan = scanTopLevel(bytes);
  if (scan === 'foreign') throw new InputError(`${source}: not an ONNX file (no ModelProto protobuf structure)`);
  if (scan === 'truncated') throw new InputError(`${source}: truncated ONNX file (${bytes.length} bytes; a field runs past the end)`);
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = (e as Error).message;
    if (/index out of range/.test(msg)) throw new InputError(`${source}: truncated ONNX file (${msg})`);
    throw new InputError(`${source}: not a valid ONNX model (${msg})`);
  }
  if (!model.graph) throw new InputError(`${source}: not an ONNX file (no graph)`);
  return model;
}
