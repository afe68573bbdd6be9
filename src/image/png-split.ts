// Splits a byte stream of concatenated PNG files into single images by walking chunks to IEND
// (pngjs alone reads only the first image). Incremental: feed chunks as they arrive; memory holds
// at most the current image plus the last chunk fed. Browser-safe.
import { PngScanner, type PngHeader, type PngLimits } from './png-chunks.js';

/** One complete PNG file cut from a stream. index is 0-based; location names it in messages ("stdin:image 1"). */
export interface PngItem {
  index: number;
  location: string;
  /** The image's own bytes (a copy, independent of the splitter's buffer). */
  bytes: Uint8Array;
  header: PngHeader;
}

/** Options of PngSplitter: the limits of png-chunks.ts plus the stream's name for messages. */
export interface PngSplitOptions extends PngLimits {
  /** Prefix of locations: "<source>:image <n>" with n 1-based; default "stdin". */
  source?: string;
}

/**
 * Incremental splitter. push() returns the images completed by that chunk, in order; end() throws an
 * InputError if the stream stopped inside an image. Every image before a fault is returned before the
 * fault is thrown (see push). Push order is stream order; chunk boundaries are arbitrary.
 */
export class PngSplitter {
  private buf = new Uint8Array(64 * 1024);
  private len = 0;
  private count = 0;
  private scanner: PngScanner;
  private readonly source: string;

  constructor(private readonly options: PngSplitOptions = {}) {
    this.source = options.source ?? 'stdin';
    this.scanner = this.nextScanner();
  }

  /** Number of complete images delivered so far. */
  get delivered(): number { return this.count; }

  /** Bytes held for the image in progress. */
  get buffered(): number { return this.len; }

  private nextScanner(): PngScanner {
    return new PngScanner(`${this.source}:image ${this.count + 1}`, this.options);
  }

  /**
   * Adds bytes and returns the images they complete. If a later image in the same chunk is invalid,
   * the images completed before it are still returned first: the error is thrown by the next call
   * (check(), push() or end()).
   */
  push(chunk: Uint8Array): PngItem[] {
    this.append(chunk);
    const out: PngItem[] = [];
    for (;;) {
      let end: number;
      try {
        end = this.scanner.scan(this.buf, this.len);
      } catch (err) {
        this.fault = err;
        if (out.length === 0) throw err;
        return out;
      }
      if (end < 0) return out;
      out.push({
        index: this.count,
        location: this.scanner.location,
        bytes: this.buf.slice(0, end),
        header: this.scanner.header!,
      });
      this.buf.copyWithin(0, end, this.len);
      this.len -= end;
      this.count++;
      this.scanner = this.nextScanner();
      this.shrink();
    }
  }

  /** The first fault found; sticky: every later call throws it again. */
  private fault: unknown;

  /** Signals end of input: throws "<source>:image n: image is truncated (…)" if bytes are left over. */
  end(): void {
    this.check();
    if (this.len > 0) throw this.scanner.truncated(this.len);
  }

  /**
   * Throws the fault found after the images the last push() returned, if any (otherwise it would surface
   * only on the next push or end). Once a fault is found the splitter stays failed.
   */
  check(): void {
    if (this.fault !== undefined) throw this.fault;
  }

  private append(chunk: Uint8Array): void {
    this.check();
    const need = this.len + chunk.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len = need;
  }

  /** Releases a large buffer once the big image that needed it is gone, keeping memory per image. */
  private shrink(): void {
    if (this.buf.length > 1 << 20 && this.len < this.buf.length >> 2) {
      this.buf = this.buf.slice(0, Math.max(this.len * 2, 64 * 1024));
    }
  }
}

/**
 * Splits an in-memory byte array of concatenated PNGs; throws on a fault or on trailing bytes,
 * discarding earlier images (use PngSplitter directly to keep them).
 */
export function splitPngs(bytes: Uint8Array, options: PngSplitOptions = {}): PngItem[] {
  const s = new PngSplitter(options);
  const items = s.push(bytes);
  s.end();
  return items;
}
