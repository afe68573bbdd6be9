// Limits on what an untrusted model may make us allocate, and the checks on external-data
// records (location, offset, length) that run before any byte is read or any array is made.
// Path resolution against the file system lives in src/cli/model-file.ts (Node only).
import { InputError } from '../core/errors.js';
import type { TensorProto } from './proto.js';

/** Default largest tensor we decode: 4 GiB of stored bytes (`--max-bytes`). */
export const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

/** Where one tensor's bytes live in an external-data file (already validated as text). */
export interface ExternalRef {
  /** the location as written in the model (relative to the model's folder) */
  location: string;
  offset: number;
  /** declared length in bytes, or undefined when the model leaves it out (then: expected bytes) */
  length: number | undefined;
}

/** Reads `length` bytes at `offset` of an external-data file; the reader checks path safety and file size. */
export type ExternalReader = (ref: ExternalRef, expectedBytes: number, tensorName: string) => Uint8Array;

function nonNegativeInt(where: string, key: string, value: string): number {
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InputError(`${where}: external data ${key} ${JSON.stringify(value)} is not a non-negative integer`);
  }
  return Number(value);
}

/**
 * The external-data record of a tensor, with the location checked as text: not empty, not
 * absolute (POSIX, drive letter or UNC), no `..` segment, no NUL. Symbolic links and the file
 * size are checked by the reader, which sees the file system.
 * @throws InputError naming the tensor
 */
export function externalRef(t: TensorProto, where: string): ExternalRef {
  const kv = new Map<string, string>();
  for (const e of t.externalData ?? []) kv.set(e.key ?? '', e.value ?? '');
  const location = kv.get('location');
  if (!location) throw new InputError(`${where}: external data has no location`);
  if (location.includes('\0')) throw new InputError(`${where}: external data location contains a NUL byte`);
  if (/^([/\\]|[A-Za-z]:)/.test(location)) {
    throw new InputError(`${where}: external data location ${JSON.stringify(location)} is an absolute path; it must be relative to the model's folder`);
  }
  if (location.split(/[/\\]/).some((s) => s === '..')) {
    throw new InputError(`${where}: external data location ${JSON.stringify(location)} escapes the model's folder ("..")`);
  }
  const offset = kv.has('offset') ? nonNegativeInt(where, 'offset', kv.get('offset')!) : 0;
  const length = kv.has('length') ? nonNegativeInt(where, 'length', kv.get('length')!) : undefined;
  return { location, offset, length };
}

/** Throws InputError when a tensor would need more than maxBytes stored bytes. */
export function checkTensorBytes(where: string, bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new InputError(`${where}: tensor needs ${bytes} bytes, above the limit of ${maxBytes} (--max-bytes)`);
  }
}
