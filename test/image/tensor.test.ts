import t from 'tap';
import { PRESETS, resolvePreset, toModelTensor, fromModelTensor, modelDeltaToPixelDelta, modelBox } from '../../src/image/tensor.js';
import type { Channels, Image } from '../../src/image/image.js';
import { prng } from './fixtures.js';

function image(width: number, height: number, channels: Channels, seed: number): Image {
  const r = prng(seed);
  return { width, height, channels, bitDepth: 16, data: Float64Array.from({ length: width * height * channels }, () => Math.floor(r() * 65536) / 65535) };
}

t.test('resolvePreset maps names to frozen mean/std tables and lists valid names on error', (t) => {
  t.same(resolvePreset('imagenet'), { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], bgr: false });
  t.same(resolvePreset('paddle'), { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], bgr: false });
  t.same(resolvePreset('none'), { mean: [0, 0, 0], std: [1, 1, 1], bgr: false });
  t.ok(Object.isFrozen(PRESETS) && Object.isFrozen(PRESETS.imagenet.mean));
  t.throws(() => resolvePreset('caffe'), { name: 'RangeError', message: 'Expected one of "imagenet", "paddle", "none" for preset but received "caffe" of type string' });
  t.throws(() => resolvePreset('toString'), RangeError);
  t.throws(() => resolvePreset(3 as unknown as string), { name: 'TypeError', message: /for preset but received 3 of type number/ });
  t.end();
});

t.test('toModelTensor computes (x − mean)/std per channel in NCHW order, with BGR reordering', (t) => {
  const img = image(5, 3, 4, 1);
  const norm = resolvePreset('imagenet');
  for (const bgr of [false, true]) {
    const out = toModelTensor(img, { ...norm, bgr });
    t.equal(out.length, 3 * 15);
    let worst = 0;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) {
      const rgb = bgr ? 2 - c : c;
      const expected = (img.data[(y * 5 + x) * 4 + rgb]! - (norm.mean as readonly number[])[rgb]!) / (norm.std as number[])[rgb]!;
      worst = Math.max(worst, Math.abs(out[c * 15 + y * 5 + x]! - expected));
    }
    t.equal(worst, 0, `bgr=${bgr}: matches the naive formula exactly`);
  }
  t.end();
});

t.test('fromModelTensor(toModelTensor(x)) returns x to 1e-15 for every preset, BGR, alpha and gray', (t) => {
  for (const preset of ['imagenet', 'paddle', 'none']) {
    for (const bgr of [false, true]) {
      for (const channels of [3, 4] as const) {
        const img = image(16, 9, channels, channels + (bgr ? 10 : 0));
        const opts = { ...resolvePreset(preset), bgr };
        const back = fromModelTensor(toModelTensor(img, opts), opts, img);
        t.equal(back.channels, channels);
        let worst = 0;
        for (let i = 0; i < img.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i]! - img.data[i]!));
        t.ok(worst <= 1e-15, `${preset} bgr=${bgr} ${channels}ch: max error ${worst}`);
        if (channels === 4) t.ok(back.data.every((v, i) => i % 4 !== 3 || v === img.data[i]), 'alpha copied exactly');
      }
    }
  }
  // A gray image feeding a 3-channel model comes back as RGB with three equal channels.
  const gray = image(4, 4, 2, 7);
  const opts = resolvePreset('imagenet');
  const tensor = toModelTensor(gray, opts);
  t.ok([0, 1, 2].every((c) => tensor.subarray(c * 16, c * 16 + 16).every((v, p) => Math.abs(v * (opts.std as readonly number[])[c]! + (opts.mean as readonly number[])[c]! - gray.data[p * 2]!) <= 1e-15)));
  const back = fromModelTensor(tensor, opts, gray);
  t.equal(back.channels, 4, 'gray+alpha → RGB+alpha');
  t.ok(Array.from({ length: 16 }, (_, p) => p).every((p) => [0, 1, 2].every((c) => Math.abs(back.data[p * 4 + c]! - gray.data[p * 2]!) <= 1e-15) && back.data[p * 4 + 3] === gray.data[p * 2 + 1]));
  // 1-channel model with a gray image stays gray.
  const g1 = image(3, 2, 1, 9);
  const one = { mean: 0.5, std: 0.25, channels: 1 as const };
  const b1 = fromModelTensor(toModelTensor(g1, one), one, g1);
  t.equal(b1.channels, 1);
  t.ok(b1.data.every((v, i) => Math.abs(v - g1.data[i]!) <= 1e-15));
  t.end();
});

t.test('modelDeltaToPixelDelta and modelBox agree with the affine map', (t) => {
  const img = image(6, 4, 3, 3);
  const opts = { ...resolvePreset('imagenet'), bgr: true };
  const x = toModelTensor(img, opts);
  const r = prng(4);
  const delta = Float64Array.from(x, () => r() - 0.5);
  const moved = fromModelTensor(x.map((v, i) => v + delta[i]!), opts, img);
  const dp = modelDeltaToPixelDelta(delta, opts, img);
  let worst = 0;
  for (let i = 0; i < dp.length; i++) worst = Math.max(worst, Math.abs(moved.data[i]! - img.data[i]! - dp[i]!));
  t.ok(worst < 1e-15, `pixel delta matches x'(pixels) − x to ${worst}`);
  const box = modelBox(opts);
  // Model channel 0 is blue under BGR: its bounds come from the blue mean/std.
  t.equal(box.lower[0], -0.406 / 0.225);
  t.equal(box.upper[0], (1 - 0.406) / 0.225);
  t.equal(box.lower[2], -0.485 / 0.229);
  t.end();
});

t.test('toModelTensor / fromModelTensor validate options and channel compatibility', (t) => {
  const rgb = image(2, 2, 3, 1);
  t.throws(() => toModelTensor(rgb, { mean: 0, std: 1, channels: 1 }, 'a.png'), { name: 'InputError', message: 'a.png: the model takes 1 channel but the image is RGB; convert it to grayscale first' });
  t.throws(() => toModelTensor(rgb, { mean: [0, 0], std: 1 }), /Expected a finite number or a list of 1 or 3 finite numbers for mean but received 0,0 of type array/);
  t.throws(() => toModelTensor({ ...rgb, channels: 1, data: new Float64Array(4) }, { mean: [0.1, 0.2, 0.3], std: 1, channels: 1 }),
    /Expected a finite number or a list of 1 finite number for mean but received 0\.1,0\.2,0\.3 of type array/);
  t.throws(() => toModelTensor(rgb, { mean: 0, std: [1, 0, 1] }), /Expected a positive number for std\[1\] but received 0 of type number/);
  t.throws(() => toModelTensor(rgb, { mean: 0, std: 1, channels: 2 as 3 }), /Expected one of 1, 3 for channels/);
  t.throws(() => fromModelTensor(new Float64Array(5), { mean: 0, std: 1 }, rgb), /Expected length 12 \(1×3×2×2\) for tensor but received length 5/);
  t.end();
});
