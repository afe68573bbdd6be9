// Node stream plumbing for image streams: split a byte stream (stdin) into PNG items, an object-mode
// Transform doing the same for pipeline() chains, and a writer for stdout that turns EPIPE (the reader
// went away, e.g. `| head`) into a quiet stop instead of a crash.
import { Transform, type Readable, type Writable } from 'node:stream';
import { PngSplitter, type PngItem, type PngSplitOptions } from './png-split.js';
import { decodePng } from './png.js';
import type { Image } from './image.js';
import type { PngLimits } from './png-chunks.js';

export type { PngItem } from './png-split.js';

/** Options of stdinPngStream. */
export interface PngStreamOptions extends PngSplitOptions {
  /** The byte source; default process.stdin. */
  input?: Readable | AsyncIterable<Uint8Array>;
}

/**
 * Async iterable of the PNG files in a byte stream (default process.stdin), in order, one at a time:
 * the next image is not read ahead beyond the bytes already received, so memory stays bounded by one
 * image plus one read chunk. Every complete image before a fault is yielded first; then the fault
 * (truncated last image, bad CRC, not a PNG, …) is thrown as InputError("stdin:image n: …").
 */
export async function* stdinPngStream(options: PngStreamOptions = {}): AsyncGenerator<PngItem> {
  const input = options.input ?? process.stdin;
  const splitter = new PngSplitter(options);
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    for (const item of splitter.push(bytes)) yield item;
    // Report a fault found in the same chunk now, rather than when (if ever) more input arrives.
    splitter.check();
  }
  splitter.end();
}

/** An object-mode Transform: bytes in, PngItem objects out; errors (after earlier items) end the pipeline. */
export function pngSplitTransform(options: PngSplitOptions = {}): Transform {
  const splitter = new PngSplitter(options);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Uint8Array, _enc, done) {
      try {
        for (const item of splitter.push(chunk)) this.push(item);
        done();
      } catch (err) { done(err as Error); }
    },
    flush(done) {
      try { splitter.end(); done(); } catch (err) { done(err as Error); }
    },
  });
}

/** A decoded stream image: the item's index and location with its Image. */
export interface DecodedItem {
  index: number;
  location: string;
  image: Image;
}

/**
 * The decode stage as an object-mode Transform: PngItem in, DecodedItem out (decodePng with the item's
 * location, so errors read "stdin:image 3: …"). Compose after pngSplitTransform with stream/promises pipeline.
 */
export function decodeTransform(limits: PngLimits = {}): Transform {
  return new Transform({
    objectMode: true,
    transform(item: PngItem, _enc, done) {
      try {
        done(null, { index: item.index, location: item.location, image: decodePng(item.bytes, { ...limits, location: item.location }) });
      } catch (err) { done(err as Error); }
    },
  });
}

/** Writes byte payloads (PNG files) to a stream, stopping quietly when the reader has gone away. */
export interface PayloadWriter {
  /** Resolves true once written, false if the reader is gone (EPIPE); rejects on any other error. */
  write(bytes: Uint8Array): Promise<boolean>;
  /** True after an EPIPE: stop producing output. */
  readonly closed: boolean;
}

/**
 * A writer for stdout (or any Writable). Each write waits for the stream to accept the bytes, so output
 * is back-pressured; an EPIPE (e.g. `nullspace collide m.onnx < in | head -c 100`) marks the writer
 * closed and makes every later write resolve false, without an unhandled 'error' event.
 */
export function createPayloadWriter(out: Writable = process.stdout): PayloadWriter {
  let closed = false;
  let failure: Error | undefined;
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else failure = err;
  });
  return {
    get closed() { return closed; },
    write(bytes: Uint8Array): Promise<boolean> {
      if (failure) return Promise.reject(failure);
      if (closed || out.destroyed) { closed = true; return Promise.resolve(false); }
      return new Promise((resolve, reject) => {
        out.write(bytes, (err) => {
          if (!err) return resolve(true);
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') { closed = true; resolve(false); } else reject(err);
        });
      });
    },
  };
}
