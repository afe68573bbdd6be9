import t from 'tap';
import { convGeometry, outputSize, windowsOverlap } from '../../src/linalg/geometry.js';

t.test('outputSize(g) follows ONNX Conv floor division with dilation and asymmetric padding', (t) => {
  // brute force: count window start positions that fit inside the padded input
  for (const [h, kh, sh, dh, pt, pb] of [[48, 3, 2, 1, 1, 1], [224, 7, 2, 1, 3, 3], [10, 3, 4, 2, 0, 1], [5, 5, 1, 1, 0, 0], [4, 5, 1, 1, 0, 0]] as const) {
    let count = 0;
    for (let s = 0; s + dh * (kh - 1) < h + pt + pb; s += sh) count++;
    const g = convGeometry({ c: 1, h, w: h, outC: 1, kh, kw: kh, sh, sw: sh, dh, dw: dh, padTop: pt, padBottom: pb, padLeft: pt, padRight: pb });
    t.equal(outputSize(g).oh, count, `h=${h} k=${kh} s=${sh} d=${dh} pads=${pt},${pb}`);
    t.equal(outputSize(g).ow, count);
  }
  t.end();
});

t.test('windowsOverlap(g) is true exactly when the effective kernel exceeds the stride', (t) => {
  t.equal(windowsOverlap(convGeometry({ c: 3, h: 48, w: 192, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2 })), true);
  t.equal(windowsOverlap(convGeometry({ c: 3, h: 224, w: 224, outC: 64, kh: 8, kw: 8, sh: 8, sw: 8 })), false);
  t.equal(windowsOverlap(convGeometry({ c: 3, h: 224, w: 224, outC: 64, kh: 2, kw: 2, sh: 3, sw: 3 })), false);
  t.equal(windowsOverlap(convGeometry({ c: 3, h: 224, w: 224, outC: 64, kh: 2, kw: 2, sh: 2, sw: 2, dh: 2 })), true);
  t.end();
});
