import t from 'tap';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../src/image/crc32.js';
import { PngSplitter, splitPngs, type PngItem } from '../../src/image/png-split.js';
import { PngScanner } from '../../src/image/png-chunks.js';
import { InputError } from '../../src/core/errors.js';
import { chunk, chunksOf, ihdr, makePng, prng, SIGNATURE } from './fixtures.js';

function rgbPng(width: number, height: number, seed: number): Buffer {
  const r = prng(seed);
  return makePng({ width, height, bitDepth: 8, colorType: 2, samples: Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256)) });
}

/** Feeds bytes in pieces of random length 1..maxPiece; returns delivered items and the error, if any. */
function feed(bytes: Uint8Array, maxPiece: number, seed: number): { items: PngItem[]; error?: unknown } {
  const r = prng(seed);
  const s = new PngSplitter();
  const items: PngItem[] = [];
  try {
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(r() * maxPiece);
      items.push(...s.push(bytes.subarray(at, at + n)));
      at += n;
    }
    s.end();
  } catch (error) {
    return { items, error };
  }
  return { items };
}

t.test('crc32(bytes) equals zlib.crc32 on random data and on the IEND chunk type', (t) => {
  const r = prng(1);
  const data = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
  t.equal(crc32(data), zlibCrc32(data) >>> 0);
  t.equal(crc32(data, 10, 700), zlibCrc32(data.subarray(10, 700)) >>> 0);
  t.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082);
  t.end();
});

t.test('PngSplitter splits three concatenated PNGs fed in random chunk sizes', (t) => {
  const pngs = [rgbPng(7, 5, 1), rgbPng(1, 1, 2), rgbPng(33, 20, 3)];
  const all = Buffer.concat(pngs);
  for (const [maxPiece, seed] of [[1, 1], [7, 2], [100, 3], [5000, 4], [all.length, 5]] as const) {
    const { items, error } = feed(all, maxPiece, seed);
    t.equal(error, undefined, `no error with pieces ≤ ${maxPiece}`);
    t.equal(items.length, 3);
    items.forEach((it, i) => {
      t.same(Buffer.from(it.bytes), pngs[i], `image ${i} bytes identical (pieces ≤ ${maxPiece})`);
      t.equal(it.index, i);
      t.equal(it.location, `stdin:image ${i + 1}`);
    });
    t.same(items.map((it) => [it.header.width, it.header.height, it.header.colorType, it.header.bitDepth]), [[7, 5, 2, 8], [1, 1, 2, 8], [33, 20, 2, 8]]);
  }
  t.end();
});

t.test('PngSplitter holds only the image in progress and releases delivered images', (t) => {
  const big = rgbPng(300, 300, 9); // ~270 kB of incompressible data
  const small = rgbPng(2, 2, 10);
  const s = new PngSplitter();
  t.equal(s.push(big.subarray(0, 1000)).length, 0);
  t.equal(s.buffered, 1000);
  const done = s.push(Buffer.concat([big.subarray(1000), small.subarray(0, 20)]));
  t.equal(done.length, 1);
  t.equal(s.buffered, 20, 'only the next image\'s bytes remain');
  done[0]!.bytes[100] ^= 0xff; // the delivered copy is independent of the splitter's buffer
  t.equal(s.push(small.subarray(20)).length, 1);
  t.equal(s.buffered, 0);
  t.equal(s.delivered, 2);
  s.end();
  t.end();
});

t.test('PngSplitter delivers the complete images, then reports a truncated last image', (t) => {
  const pngs = [rgbPng(6, 4, 1), rgbPng(5, 5, 2), rgbPng(20, 20, 3)];
  const idat = chunksOf(pngs[2]!).find((c) => c.type === 'IDAT')!;
  const cut = Buffer.concat([pngs[0]!, pngs[1]!, pngs[2]!.subarray(0, idat.offset + 20)]);
  for (const maxPiece of [3, 64, cut.length]) {
    const { items, error } = feed(cut, maxPiece, 7);
    t.equal(items.length, 2, `first two delivered (pieces ≤ ${maxPiece})`);
    t.type(error, InputError);
    t.match((error as Error).message, /^stdin:image 3: image is truncated \(input ended after \d+ bytes, inside the IDAT chunk\)$/);
  }
  const s = new PngSplitter({ source: 'in.bin' });
  s.push(pngs[0]!.subarray(0, 5));
  t.throws(() => s.end(), /^in\.bin:image 1: image is truncated \(input ended after 5 bytes, inside the PNG signature\)$/);
  const end = pngs[0]!.length - 12; // everything but IEND
  t.throws(() => splitPngs(pngs[0]!.subarray(0, end)), /stdin:image 1: image is truncated \(input ended after \d+ bytes, after \d+ complete chunks, before IEND\)/);
  t.end();
});

t.test('PngSplitter reports a bad CRC naming the chunk and image, after earlier images', (t) => {
  const pngs = [rgbPng(4, 4, 1), rgbPng(4, 4, 2)];
  const bad = Buffer.from(pngs[1]!);
  const idat = chunksOf(bad).find((c) => c.type === 'IDAT')!;
  bad[idat.offset + 9] ^= 0x01;
  const all = Buffer.concat([pngs[0]!, bad]);
  const s = new PngSplitter();
  const first = s.push(all); // one push holding both: image 1 returned, the fault deferred
  t.equal(first.length, 1);
  t.throws(() => s.check(), /^stdin:image 2: bad CRC in IDAT chunk \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
  t.throws(() => s.push(pngs[0]!), /^stdin:image 2: bad CRC in IDAT chunk/, 'the fault is sticky');
  t.throws(() => s.end(), /^stdin:image 2: bad CRC in IDAT chunk/);
  const fresh = new PngSplitter();
  fresh.push(pngs[0]!);
  t.doesNotThrow(() => fresh.check(), 'check() is silent without a fault');
  const { items, error } = feed(all, 10, 3);
  t.equal(items.length, 1);
  t.match((error as Error).message, /stdin:image 2: bad CRC in IDAT chunk/);
  // A corrupted CRC field (not data) is caught too, in IHDR.
  const badHeader = Buffer.from(pngs[0]!);
  badHeader[8 + 8 + 13] ^= 0x80;
  t.throws(() => splitPngs(badHeader), /stdin:image 1: bad CRC in IHDR chunk/);
  t.end();
});

t.test('PngSplitter rejects unknown critical chunks and accepts unknown ancillary ones', (t) => {
  const base = { width: 2, height: 2, bitDepth: 8, colorType: 0, samples: [1, 2, 3, 4] };
  t.throws(() => splitPngs(makePng({ ...base, extra: [chunk('ABCD', Buffer.from('x'))] })),
    /^stdin:image 1: unknown critical chunk "ABCD" \(a decoder must not ignore it\)$/);
  t.equal(splitPngs(makePng({ ...base, extra: [chunk('abCd', Buffer.from('hello'))] })).length, 1);
  t.throws(() => splitPngs(makePng({ ...base, extra: [chunk('A#CD')] })), /bad chunk type 0x41234344 at byte \d+ \(corrupt data\)/);
  t.end();
});

t.test('PngScanner refuses an oversize IHDR before any pixel data is read or allocated', (t) => {
  const header = Buffer.concat([SIGNATURE, ihdr(100000, 100000, 8, 6)]);
  // The IDAT that follows claims 1.5 GB; the refusal comes from IHDR alone, before its payload arrives.
  const idatHeader = Buffer.from([0x5f, 0x5e, 0x10, 0x00, 0x49, 0x44, 0x41, 0x54]);
  const before = process.memoryUsage().arrayBuffers;
  const s = new PngSplitter();
  t.throws(() => s.push(Buffer.concat([header, idatHeader])),
    /^stdin:image 1: 100000×100000 = 10000 megapixels exceeds --max-pixels 50000000$/);
  t.ok(s.buffered < 100, 'nothing beyond the header bytes is buffered');
  t.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024, 'no large allocation');
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(30000, 30000, 8, 2)]), { maxPixels: 50_000_000 }),
    /30000×30000 = 900 megapixels exceeds --max-pixels 50000000/);
  t.throws(() => splitPngs(rgbPng(10, 10, 1), { maxPixels: 99 }), /10×10 = 0\.0001 megapixels exceeds --max-pixels 99/);
  t.equal(splitPngs(rgbPng(10, 10, 1), { maxPixels: 100 }).length, 1);
  t.end();
});

t.test('PngScanner checks chunk lengths against budgets before buffering payloads', (t) => {
  const start = Buffer.concat([SIGNATURE, ihdr(1, 1, 8, 0)]);
  const declare = (type: string, length: number) => {
    const b = Buffer.alloc(8); b.writeUInt32BE(length >>> 0, 0); b.write(type, 4, 'latin1'); return b;
  };
  t.throws(() => new PngSplitter().push(Buffer.concat([start, declare('IDAT', 10_000_000)])),
    /^stdin:image 1: IDAT chunks total more than 1048580 bytes, too many for a 1×1 image$/);
  t.throws(() => new PngSplitter().push(Buffer.concat([start, declare('tEXt', 0x80000000)])),
    /tEXt chunk declares 2147483648 bytes \(more than 2\^31 - 1\)/);
  t.throws(() => new PngSplitter({ maxAncillaryBytes: 100 }).push(Buffer.concat([start, declare('zTXt', 101)])),
    /ancillary chunks total more than 100 bytes \(at zTXt\)/);
  t.end();
});

t.test('PngScanner validates structure: signature, IHDR first, header fields, PLTE, IDAT, IEND', (t) => {
  const png = rgbPng(2, 2, 1);
  t.throws(() => splitPngs(Buffer.from('hello world, not an image')), /^stdin:image 1: not a PNG file \(bad signature\)$/);
  const s = new PngSplitter();
  t.equal(s.push(Buffer.concat([png, Buffer.from('GIF89a')])).length, 1, 'the valid image comes first');
  t.throws(() => s.end(), /^stdin:image 2: not a PNG file \(bad signature\)$/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, chunk('IDAT', Buffer.alloc(3))])), /first chunk is IDAT, expected IHDR/);
  const badLen = Buffer.concat([SIGNATURE, chunk('IHDR', Buffer.alloc(12))]);
  t.throws(() => splitPngs(badLen), /IHDR chunk has length 12, expected 13/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 16, 3)])), /IHDR declares bit depth 16, invalid for colour type 3/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 5)])), /IHDR declares unknown colour type 5/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(0, 2, 8, 0)])), /IHDR declares invalid size 0×2/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 0, 2)])), /unknown interlace method 2/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 3), chunk('IDAT', Buffer.alloc(4))])), /palette image without a PLTE chunk before IDAT/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 0), chunk('IEND')])), /no IDAT chunk before IEND/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 1, 3), chunk('PLTE', Buffer.alloc(9))])), /PLTE chunk has 3 entries, more than 2 for bit depth 1/);
  t.throws(() => splitPngs(Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 0), ihdr(2, 2, 8, 0)])), /second IHDR chunk/);
  t.throws(() => splitPngs(Buffer.concat([png, Buffer.alloc(3)])), /stdin:image 2: not a PNG file/);
  t.end();
});

t.test('PngScanner.scan resumes without double-counting a chunk it has already checked', (t) => {
  // One 6-byte ancillary chunk under a 10-byte budget: counting it twice on resume would exceed it.
  const png = makePng({ width: 3, height: 3, bitDepth: 8, colorType: 0, samples: [1, 2, 3, 4, 5, 6, 7, 8, 9], extra: [chunk('teSt', Buffer.from('abcdef'))] });
  const scanner = new PngScanner('x', { maxAncillaryBytes: 10 });
  for (let n = 1; n < png.length; n++) t.equal(scanner.scan(png, n), -1);
  t.equal(scanner.scan(png, png.length), png.length);
  t.end();
});
