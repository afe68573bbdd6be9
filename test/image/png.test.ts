import t from 'tap';
import { decodePng, encodePng } from '../../src/image/png.js';
import type { Channels, Image } from '../../src/image/image.js';
import { InputError } from '../../src/core/errors.js';
import { deflateSync } from 'node:zlib';
import { chunk, chunksOf, ihdr, makePng, prng, SIGNATURE } from './fixtures.js';

function randomImage(width: number, height: number, channels: Channels, bitDepth: 8 | 16, seed: number): Image {
  const r = prng(seed);
  const max = bitDepth === 16 ? 65535 : 255;
  const data = Float64Array.from({ length: width * height * channels }, () => Math.floor(r() * (max + 1)) / max);
  return { width, height, channels, bitDepth, data };
}

t.test('encodePng → decodePng round-trips 8- and 16-bit gray, gray+alpha, RGB and RGBA exactly', (t) => {
  for (const channels of [1, 2, 3, 4] as const) {
    for (const bitDepth of [8, 16] as const) {
      const img = randomImage(13, 7, channels, bitDepth, channels * 100 + bitDepth);
      const png = encodePng(img, { bitDepth });
      t.equal(png[24], bitDepth, 'IHDR bit depth');
      t.equal(png[25], { 1: 0, 2: 4, 3: 2, 4: 6 }[channels], 'IHDR colour type');
      const back = decodePng(png);
      t.same({ ...back, data: undefined }, { width: 13, height: 7, channels, bitDepth, data: undefined });
      t.ok(back.data.every((v, i) => v === img.data[i]), `${channels} channels, ${bitDepth}-bit: every sample identical`);
    }
  }
  t.end();
});

t.test('decodePng keeps 16-bit samples k/65535 exactly, including extremes and odd values', (t) => {
  const ks = [0, 1, 2, 255, 256, 257, 32767, 32768, 65279, 65534, 65535, 12345, 54321, 4097, 1023, 60000];
  const png = makePng({ width: 4, height: 4, bitDepth: 16, colorType: 0, samples: ks });
  const img = decodePng(png);
  t.equal(img.bitDepth, 16);
  t.equal(img.channels, 1);
  t.same(Array.from(img.data), ks.map((k) => k / 65535));
  const again = decodePng(encodePng(img));
  t.same(Array.from(again.data), ks.map((k) => k / 65535), 'and survive a re-encode');
  // 8-bit output of the same image rounds to the nearest k/255.
  const eight = decodePng(encodePng(img, { bitDepth: 8 }));
  t.same(Array.from(eight.data), ks.map((k) => Math.round((k / 65535) * 255) / 255));
  t.end();
});

t.test('decodePng expands palettes to RGB, or RGBA when tRNS gives palette alpha', (t) => {
  const palette = [[255, 0, 0], [0, 128, 255], [7, 8, 9]];
  const samples = [0, 1, 2, 1, 0, 2];
  const rgb = decodePng(makePng({ width: 3, height: 2, bitDepth: 8, colorType: 3, samples, palette }));
  t.equal(rgb.channels, 3);
  t.equal(rgb.bitDepth, 8);
  t.same(Array.from(rgb.data), samples.flatMap((i) => palette[i]!.map((v) => v / 255)));
  const rgba = decodePng(makePng({ width: 3, height: 2, bitDepth: 2, colorType: 3, samples, palette, trns: Uint8Array.from([10, 200]) }));
  t.equal(rgba.channels, 4);
  const alpha = [10, 200, 255];
  t.same(Array.from(rgba.data), samples.flatMap((i) => [...palette[i]!, alpha[i]!].map((v) => v / 255)));
  t.end();
});

t.test('decodePng scales 1-, 2- and 4-bit gray onto the exact k/255 grid', (t) => {
  for (const depth of [1, 2, 4] as const) {
    const max = 2 ** depth - 1;
    const samples = Array.from({ length: 11 * 3 }, (_, i) => (i * 7) % (max + 1));
    const img = decodePng(makePng({ width: 11, height: 3, bitDepth: depth, colorType: 0, samples }));
    t.equal(img.bitDepth, 8);
    t.equal(img.channels, 1);
    t.same(Array.from(img.data), samples.map((k) => (k * (255 / max)) / 255), `${depth}-bit values on the k/255 grid`);
    t.ok(img.data.every((v, i) => Math.abs(v - samples[i]! / max) <= 1e-16), `${depth}-bit value = k/${max}`);
    const back = decodePng(encodePng(img, { bitDepth: 8 }));
    t.same(Array.from(back.data), Array.from(img.data), 're-encoded at 8 bits without change');
  }
  t.end();
});

t.test('decodePng reads Adam7-interlaced images like progressive ones, at every depth and odd sizes', (t) => {
  const r = prng(5);
  for (const [bitDepth, colorType, spp] of [[1, 0, 1], [4, 0, 1], [8, 2, 3], [16, 6, 4]] as const) {
    for (const [width, height] of [[1, 1], [3, 5], [9, 10], [17, 3]] as const) {
      const samples = Array.from({ length: width * height * spp }, () => Math.floor(r() * 2 ** bitDepth));
      const plain = decodePng(makePng({ width, height, bitDepth, colorType, samples }));
      const laced = decodePng(makePng({ width, height, bitDepth, colorType, samples, interlace: 1 }));
      t.same(Array.from(laced.data), Array.from(plain.data), `${bitDepth}-bit colour type ${colorType}, ${width}×${height}`);
      t.same(Array.from(plain.data), samples.map((k) => k / (2 ** bitDepth - 1)).map((v, i) => (bitDepth === 16 ? samples[i]! / 65535 : Math.round(v * 255) / 255)));
    }
  }
  t.end();
});

t.test('decodePng refuses image data that inflates to less than the image (pngjs would pad it with garbage)', (t) => {
  const rows = Buffer.alloc(10 * 11, 100);
  for (let y = 0; y < 10; y++) rows[y * 11] = 0;
  const build = (z: Uint8Array) => Buffer.concat([SIGNATURE, ihdr(10, 10, 8, 0), chunk('IDAT', z), chunk('IEND')]);
  t.equal(decodePng(build(deflateSync(rows))).data[99], 100 / 255, 'the complete stream decodes');
  t.throws(() => decodePng(build(deflateSync(rows.subarray(0, 55))), { location: 's.png' }), /^s\.png: image data is too short \(inflates to 55 of 110 bytes\)$/);
  const z = deflateSync(rows);
  t.throws(() => decodePng(build(z.subarray(0, z.length - 4)), { location: 's.png' }), /^s\.png: cannot decode PNG \(unexpected end of file\)$/);
  t.throws(() => decodePng(build(deflateSync(Buffer.alloc(111))), { location: 's.png' }), /^s\.png: image data inflates to more than the 110 bytes a 10×10 image needs$/);
  t.end();
});

t.test('decodePng refuses an interlaced image whose data inflates beyond its size, without inflating it all', (t) => {
  const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 kB
  const png = Buffer.concat([SIGNATURE, ihdr(4, 4, 8, 0, 1), chunk('IDAT', bomb), chunk('IEND')]);
  const before = process.memoryUsage().arrayBuffers;
  t.throws(() => decodePng(png, { location: 'bomb.png' }), /^bomb\.png: image data inflates to more than the \d+ bytes a 4×4 image needs$/);
  t.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024, 'no large buffer allocated');
  t.end();
});

t.test('decodePng ignores a gray/RGB tRNS colour key, keeping every sample as stored', (t) => {
  const samples = [10, 20, 30, 10, 20, 30];
  const img = decodePng(makePng({ width: 2, height: 1, bitDepth: 8, colorType: 2, samples, trns: Uint8Array.from([0, 10, 0, 20, 0, 30]) }));
  t.equal(img.channels, 3);
  t.same(Array.from(img.data), samples.map((k) => k / 255));
  t.end();
});

t.test('decodePng reports malformed files with their location', (t) => {
  const good = makePng({ width: 2, height: 2, bitDepth: 8, colorType: 0, samples: [0, 1, 2, 3] });
  t.throws(() => decodePng(Buffer.from('not a png at all'), { location: 'a.png' }), { name: 'InputError', message: 'a.png: not a PNG file (bad signature)' });
  t.throws(() => decodePng(good.subarray(0, good.length - 5), { location: 'a.png' }), /^a\.png: image is truncated \(input ended after \d+ bytes, inside the header of chunk 4\)$/);
  t.throws(() => decodePng(good.subarray(0, good.length - 2), { location: 'a.png' }), /^a\.png: image is truncated \(input ended after \d+ bytes, inside the IEND chunk\)$/);
  t.throws(() => decodePng(Buffer.concat([good, good]), { location: 'a.png' }), /^a\.png: \d+ bytes after the IEND chunk \(several PNGs in one file\? read it as a stream\)$/);
  t.throws(() => decodePng(Buffer.concat([SIGNATURE, ihdr(30000, 30000, 8, 2), chunk('IDAT', Buffer.alloc(10)), chunk('IEND')]), { location: 'a.png' }),
    /^a\.png: 30000×30000 = 900 megapixels exceeds --max-pixels 50000000$/);
  // Valid CRCs around garbage compressed data: the decoder's own failure, as InputError.
  const garbage = Buffer.concat([SIGNATURE, ihdr(2, 2, 8, 0), chunk('IDAT', Buffer.from('this is not zlib')), chunk('IEND')]);
  const err = t.throws(() => decodePng(garbage, { location: 'b.png' })) as Error;
  t.type(err, InputError);
  t.match(err.message, /^b\.png: cannot decode PNG \(/);
  const idat = chunksOf(good).find((c) => c.type === 'IDAT')!;
  const bad = Buffer.from(good); bad[idat.offset + 8] ^= 4;
  t.throws(() => decodePng(bad, { location: 'c.png' }), /^c\.png: bad CRC in IDAT chunk/);
  t.end();
});

t.test('encodePng rounds half up, clamps to [0, 1] and refuses non-finite samples', (t) => {
  const data = Float64Array.from([0.5 / 255, 1.5 / 255, -0.2, 1.7, 254.49 / 255, 0.49999 / 255]);
  const back = decodePng(encodePng({ width: 6, height: 1, channels: 1, bitDepth: 8, data }));
  t.same(Array.from(back.data).map((v) => Math.round(v * 255)), [1, 2, 0, 255, 254, 0]);
  t.throws(() => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, data: Float64Array.from([NaN]) }), /image\.data contains a non-finite value \(NaN\) at index 0/);
  t.throws(() => encodePng({ width: 2, height: 1, channels: 1, bitDepth: 8, data: new Float64Array(3) }), /Expected length 2 \(1×2×1\) for image\.data but received length 3/);
  t.throws(() => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, data: new Float64Array(1) }, { bitDepth: 12 as 8 }), /Expected one of 8, 16 for bitDepth but received 12 of type number/);
  t.throws(() => encodePng({ width: 1, height: 1, channels: 5 as 4, bitDepth: 8, data: new Float64Array(5) }), /Expected one of 1, 2, 3, 4 for image\.channels/);
  t.end();
});
