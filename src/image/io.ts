// Node-only file access for images: read a PNG or .npy file, expand files/directories into a sorted
// image list, and write files atomically (temp name in the same directory, then rename). The stream
// side (stdin splitting, stdout writing) is in io-stream.ts. Everything else in src/image is browser-safe.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from '../core/errors.js';
import type { Image } from './image.js';
import { npyToImage } from './image-npy.js';
import { isNpy } from './npy.js';
import { DEFAULT_MAX_PIXELS, PNG_SIGNATURE } from './png-chunks.js';
import { decodePng } from './png.js';

/** Extensions listImages picks up from directories (case-insensitive). */
export const IMAGE_EXTENSIONS = Object.freeze(['.png', '.npy']);

/** Options for readImageFile. */
export interface ReadImageOptions {
  /** Largest accepted width × height; default 50e6. */
  maxPixels?: number;
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function notFound(p: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') throw new InputError(`${p}: no such file or directory`);
  if (code === 'EACCES' || code === 'EPERM') throw new InputError(`${p}: permission denied`);
  throw err;
}

/**
 * Reads one image file, recognised by its first bytes: PNG (decodePng) or NumPy .npy (npyToImage). The
 * file size is checked first (at most 32 bytes per allowed pixel + 16 MiB) so that a huge file is not read.
 *
 * @throws InputError "<path>: …" for a missing file, a directory, an unknown format, or any decode fault.
 */
export async function readImageFile(file: string, options: ReadImageOptions = {}): Promise<Image> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const stat = await fs.stat(file).catch((e: unknown) => notFound(file, e));
  if (stat.isDirectory()) throw new InputError(`${file}: is a directory, expected a PNG or .npy file`);
  const limit = maxPixels * 32 + 16 * 1024 * 1024;
  if (stat.size > limit) throw new InputError(`${file}: file of ${stat.size} bytes is larger than any image within --max-pixels ${maxPixels}`);
  const bytes = new Uint8Array(await fs.readFile(file).catch((e: unknown) => notFound(file, e)));
  if (isPng(bytes)) return decodePng(bytes, { location: file, maxPixels });
  if (isNpy(bytes)) return npyToImage(bytes, file, maxPixels);
  const ext = path.extname(file).toLowerCase();
  throw new InputError(`${file}: not a PNG file${ext === '.npy' ? ' or .npy array (bad magic string)' : ' (bad signature)'}`);
}

/**
 * Expands inputs into image file paths: a file is kept as given (any extension: readImageFile checks the
 * content), a directory contributes its *.png / *.npy entries (not recursive), sorted by code-unit order
 * of the name. Order otherwise follows the arguments; a path named twice appears once.
 *
 * @throws InputError for a missing path or a directory without images.
 */
export async function listImages(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => { const key = path.resolve(p); if (!seen.has(key)) { seen.add(key); out.push(p); } };
  for (const p of paths) {
    const stat = await fs.stat(p).catch((e: unknown) => notFound(p, e));
    if (!stat.isDirectory()) { add(p); continue; }
    const entries = await fs.readdir(p, { withFileTypes: true });
    const names = entries
      .filter((e) => !e.isDirectory() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) throw new InputError(`${p}: directory holds no .png or .npy files`);
    for (const n of names) add(path.join(p, n));
  }
  return out;
}

/**
 * Writes data to file atomically: it goes to a temporary file in the same directory (".<name>.<random>.tmp"),
 * which is renamed over the target only after every byte was written and flushed. If anything fails — a
 * throwing source iterable, a full disk, a failed rename — the temporary file is removed and the error
 * rethrown; the target is either the old file or the complete new one, never partial.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx');
  let closed = false;
  try {
    if (data instanceof Uint8Array) await handle.writeFile(data);
    else for await (const part of data as AsyncIterable<Uint8Array>) await handle.write(part);
    await handle.sync();
    await handle.close();
    closed = true;
    await fs.rename(tmp, file);
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
