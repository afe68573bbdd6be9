// Reads a model file and, on demand, its external data (Node only). External data must stay
// inside the model's folder: the location is checked as text (limits.ts), then every path
// component is lstat-ed (no symbolic links), the file must be a regular file, and the declared
// offset and length must fit the file's size before a byte is read.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import { decodeModel } from '../onnx/model.js';
import type { ModelProto } from '../onnx/proto.js';
import { type ExternalReader, type ExternalRef } from '../onnx/limits.js';

export interface ModelFile {
  path: string;
  /** the file name, used as the prefix of every message about this model */
  label: string;
  sha256: string;
  model: ModelProto;
  /** reads external data beside the model, with the checks above */
  external: ExternalReader;
}

/** Protobuf messages cannot exceed 2 GiB; bigger models keep their weights in external data. */
const MAX_PROTO_BYTES = 2 * 1024 ** 3;

/**
 * An external-data reader rooted at `folder`.
 * @throws InputError for a symbolic link, a missing file, or an offset/length beyond the file
 */
export function externalReader(folder: string, label: string): ExternalReader {
  const root = realpathSync(folder);
  return (ref: ExternalRef, expected: number, tensor: string): Uint8Array => {
    const where = `${label}:tensor ${tensor}`;
    const parts = ref.location.split(/[/\\]+/).filter((p) => p !== '' && p !== '.');
    let p = root;
    for (const part of parts) {
      p = join(p, part);
      let st;
      try { st = lstatSync(p); } catch { throw new InputError(`${where}: missing external data file ${JSON.stringify(ref.location)}`); }
      if (st.isSymbolicLink()) throw new InputError(`${where}: external data location ${JSON.stringify(ref.location)} goes through a symbolic link; refused`);
    }
    if (!p.startsWith(root + sep)) throw new InputError(`${where}: external data location ${JSON.stringify(ref.location)} is outside the model's folder`);
    // O_NOFOLLOW: a link swapped in after the lstat above is refused by the kernel too.
    const fd = openSync(p, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new InputError(`${where}: external data ${JSON.stringify(ref.location)} is not a regular file`);
      const length = ref.length ?? expected;
      if (ref.offset + length > st.size) {
        throw new InputError(`${where}: external data offset ${ref.offset} + length ${length} exceeds the size of ${JSON.stringify(ref.location)} (${st.size} bytes)`);
      }
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, out, got, length - got, ref.offset + got);
        if (n <= 0) throw new InputError(`${where}: external data ${JSON.stringify(ref.location)} ended early`);
        got += n;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  };
}

/**
 * Reads and decodes a model file (tensor sizes are checked when tensors are decoded).
 * @throws InputError when the file is missing, too big, not ONNX or truncated
 */
export function readModelFile(path: string): ModelFile {
  const label = basename(path);
  let st;
  try { st = statSync(path); } catch { throw new InputError(`${label}: cannot read ${path} (no such file)`); }
  if (!st.isFile()) throw new InputError(`${label}: ${path} is not a file`);
  const size = st.size;
  if (size > MAX_PROTO_BYTES) {
    throw new InputError(`${label}: file of ${size} bytes is above the 2 GiB limit of one protobuf message (large models keep their weights in external data)`);
  }
  const bytes = readFileSync(path);
  const model = decodeModel(bytes, label);
  return {
    path, label,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    model,
    external: externalReader(dirname(resolve(path)), label),
  };
}
