import t from 'tap';
import { core, createCore } from '../../src/core/index.js';

t.test('core.alloc returns 16-aligned offsets above the static data and scoped() frees them', (t) => {
  const before = core.allocations;
  const used = core.used;
  core.scoped(() => {
    const a = core.alloc(3);
    const b = core.alloc(40);
    t.equal(a % 16, 0);
    t.equal(b % 16, 0);
    t.ok(a >= core.base);
    t.equal(b - a, 16);
    t.equal(core.allocations, before + 2);
  });
  t.equal(core.allocations, before);
  t.equal(core.used, used);
  t.end();
});

t.test('core.alloc grows memory and refuses more than 1 GiB in one buffer', async (t) => {
  const c = await createCore();
  const size = c.memory.buffer.byteLength;
  c.scoped(() => {
    const p = c.alloc(size * 2);
    c.f64(p, 4).fill(1.5);
    t.ok(c.memory.buffer.byteLength >= p + size * 2);
    t.same(Array.from(c.f64(p, 2)), [1.5, 1.5]);
  });
  t.throws(() => c.alloc(1024 ** 3 + 1), /exceeds the 1 GiB limit/);
  t.throws(() => c.alloc(-1), /non-negative integer/);
});

t.test('core.put copies a typed array into memory', (t) => {
  core.scoped(() => {
    const src = new Float64Array([1, 2, 3]);
    const p = core.put(src);
    t.same(Array.from(core.f64(p, 3)), [1, 2, 3]);
  });
  t.end();
});
