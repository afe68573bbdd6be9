import t from 'tap';
import { outputName, outputNames, streamItemName, stem, baseName } from '../../src/image/names.js';

t.test('outputName derives "<stem>.collide.<ext>" from an input path', (t) => {
  t.equal(outputName('dir/sub/x.png'), 'x.collide.png');
  t.equal(outputName('C:\\imgs\\cat.PNG', { ext: 'npy' }), 'cat.collide.npy');
  t.equal(outputName('a.b.npy'), 'a.b.collide.png');
  t.equal(outputName('noext', { suffix: '' }), 'noext.png');
  t.equal(stem('.hidden'), '.hidden');
  t.equal(baseName('/x/y/z.png'), 'z.png');
  t.end();
});

t.test('outputNames keeps names unique in input order', (t) => {
  t.same(outputNames(['a/x.png', 'b/x.png', 'c/X.npy', 'y.png']), ['x.collide.png', 'x-2.collide.png', 'X-3.collide.png', 'y.collide.png']);
  t.end();
});

t.test('streamItemName numbers stream images from 1, matching "stdin:image n"', (t) => {
  t.equal(streamItemName(0), 'stdin-000001.collide.png');
  t.equal(streamItemName(41, { ext: 'npy' }), 'stdin-000042.collide.npy');
  t.end();
});
