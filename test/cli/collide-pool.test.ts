// collide's worker threads (src/cli/collide-pool.ts): images run on two workers give the bytes and
// records a one-thread run gives, in input order; a broken item and a worker-side failure keep the
// stream's rules (everything before is delivered, the error in its turn); the thread count respects
// the set-up memory budget.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline, type PipelineOptions } from '../../src/collide/pipeline.js';
import { ImageRunner, ordered, threadsFor, SETUP_BUDGET, type Outcome } from '../../src/cli/collide-pool.js';
import { ExitError } from '../../src/cli/errors.js';
import { InputError } from '../../src/core/errors.js';
import { boundImage, convModel, dynamicConvModel, testImage } from '../collide/models.js';
import type { Image } from '../../src/image/image.js';

const dir = mkdtempSync(join(tmpdir(), 'nullspace-pool-'));
const modelPath = join(dir, 'wide.onnx');
const model = convModel({ c: 3, h: 24, w: 24, outC: 4, k: 3, stride: 2, pad: 1, seed: 3 });
writeFileSync(modelPath, model.bytes);
const options: Omit<PipelineOptions, 'external'> = { normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, tool: { name: 'nullspace', version: 'test' }, seed: 7, modelName: 'wide.onnx' };
const images: Image[] = [
  testImage(24, 24, 1), boundImage('text', 24, 24, 2), boundImage('corners', 24, 24, 3), testImage(24, 24, 4),
  boundImage('white', 24, 24, 5), boundImage('near', 24, 24, 6), boundImage('photo', 24, 24, 7), testImage(24, 24, 8),
];

/** A runner on two threads whose pool is ready (two images submitted, the start awaited). */
async function runnerOnThreads(): Promise<{ runner: ImageRunner; first: Outcome[] }> {
  const p = await createPipeline(model.bytes, options);
  const runner = new ImageRunner(p, { threads: 2, spec: { modelPath, label: 'wide.onnx', options, wantNpy: true }, announce: () => {} });
  const a = runner.submit(images[0]!, 0, 'image 0'); const b = runner.submit(images[1]!, 1, 'image 1');
  await runner.started();
  await Promise.all([a.done, b.done]);
  return { runner, first: [a.get(), b.get()] };
}

t.test('two worker threads give the one-thread bytes and records, in order', async (t) => {
  const ref = await createPipeline(model.bytes, options);
  const expected = images.map((img, i) => ref.process(img, i, `image ${i}`));
  const { runner, first } = await runnerOnThreads();
  t.teardown(() => runner.close());
  t.equal(runner.threads, 2, 'the pool started');
  const rest = images.slice(2).map((img, j) => runner.submit(img, j + 2, `image ${j + 2}`));
  t.equal(runner.window, 4);
  await Promise.all(rest.map((r) => r.done));
  const got = [...first, ...rest.map((r) => r.get())];
  const verdicts = new Set(expected.map((e) => e.record.verdict));
  t.ok(verdicts.has('exact') && verdicts.has('unmoved'), `both exact and refused images in the set (${[...verdicts]})`);
  for (let i = 0; i < images.length; i++) {
    t.ok(Buffer.from(got[i]!.png).equals(Buffer.from(expected[i]!.png)), `image ${i}: the same PNG bytes`);
    t.same(got[i]!.record, expected[i]!.record, `image ${i}: the same record`);
    t.same(Array.from(got[i]!.xPrime!.data), Array.from(expected[i]!.xPrime.data), `image ${i}: the same x' in float64`);
  }
});

t.test('a broken item after worker results: everything before it out in order, then its error; a worker-side failure in its turn', async (t) => {
  const { runner } = await runnerOnThreads();
  t.teardown(() => runner.close());
  t.equal(runner.threads, 2);
  async function* source(broken: number) {
    for (let i = 2; i < 8; i++) {
      yield { name: `image ${i}`, index: i, image: () => { if (i === broken) throw new InputError(`image ${i}: not a PNG`); return images[i]!; } };
    }
  }
  const seen: number[] = [];
  await t.rejects(ordered(runner, source(6), async (f) => { seen.push(f.index); return true; }), { message: 'image 6: not a PNG' });
  t.same(seen, [2, 3, 4, 5], 'the four images before the broken one, in order');

  // an image the worker refuses (another size, no --resize): the same error class of exit code and
  // message as on this thread, raised in its turn; nothing after it is emitted
  const inline = await createPipeline(model.bytes, options);
  let message = '';
  try { inline.process(testImage(20, 24, 1), 4, 'image 4'); } catch (e) { message = (e as Error).message; }
  t.match(message, /24×24/);
  async function* sized() {
    for (let i = 2; i < 8; i++) yield { name: `image ${i}`, index: i, image: () => (i === 4 ? testImage(20, 24, 1) : images[i]!) };
  }
  const after: number[] = [];
  const err = await ordered(runner, sized(), async (f) => { after.push(f.index); return true; }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof ExitError && err.code === 1 && err.message === message, `exit 1 with the inline message (${(err as Error)?.message})`);
  t.same(after, [2, 3]);
});

t.test('threads are capped by the set-up memory budget', async (t) => {
  t.equal(threadsFor(8, 700 * 2 ** 20), 1, 'a 700 MiB factor: one thread');
  t.equal(threadsFor(8, 31 * 2 ** 20), 6, 'a 31 MiB factor (48×192): six, with the per-worker base');
  t.equal(threadsFor(1, 0), 1);
  t.equal(threadsFor(64, SETUP_BUDGET / 4), 2, 'a quarter of the budget each, with the per-worker base: two');
  t.equal(threadsFor(2, 31 * 2 ** 20), 2);
});

t.test('a dynamic model: a new size whose set-up would not fit the budget in every thread sends the images back to this thread, and everything still comes out, as one thread gives it', async (t) => {
  const dynPath = join(dir, 'dynamic.onnx');
  const dyn = dynamicConvModel({ c: 3, outC: 4, k: 3, stride: 2, pad: 1, seed: 5 });
  writeFileSync(dynPath, dyn);
  const ref = await createPipeline(dyn, options);
  const small = ref.setupFor(24, 24).collider!.normal!.peakBytes!;
  const big = ref.setupFor(64, 64).collider!.normal!.peakBytes!;
  t.ok(big > small, `the larger size's set-up peaks higher (${big} > ${small} bytes)`);
  const seq: Image[] = [testImage(24, 24, 1), testImage(24, 24, 2), testImage(24, 24, 3), testImage(24, 24, 4), testImage(64, 64, 5), testImage(24, 24, 6)];
  const expected = seq.map((img, i) => ref.process(img, i, `image ${i}`));
  const p = await createPipeline(dyn, options);
  const lines: string[] = [];
  // two threads fit the small set-up, not the large one
  const runner = new ImageRunner(p, { threads: 2, spec: { modelPath: dynPath, label: 'dynamic.onnx', options, wantNpy: false }, announce: (l) => lines.push(l), budget: 2 * small + (big - small), workerBase: 0 });
  t.teardown(() => runner.close());
  const out = [runner.submit(seq[0]!, 0, 'image 0'), runner.submit(seq[1]!, 1, 'image 1')];
  await runner.started();
  t.equal(runner.threads, 2, 'the pool started on the small size');
  out.push(runner.submit(seq[2]!, 2, 'image 2'), runner.submit(seq[3]!, 3, 'image 3'));
  out.push(runner.submit(seq[4]!, 4, 'image 4'));
  t.equal(runner.threads, 1, 'the large size: back to this thread');
  out.push(runner.submit(seq[5]!, 5, 'image 5'));
  await Promise.all(out.map((o) => o.done));
  for (let i = 0; i < seq.length; i++) {
    t.ok(Buffer.from(out[i]!.get().png).equals(Buffer.from(expected[i]!.png)), `image ${i}: the same PNG bytes`);
    t.equal(out[i]!.get().record.verdict, expected[i]!.record.verdict);
  }
  t.equal(lines.filter((l) => /at 64×64/.test(l)).length, 1, 'the large size announced once');
});

t.test('workers that cannot start: said once on the announce line, and every image still comes out here, as one thread gives it', async (t) => {
  const ref = await createPipeline(model.bytes, options);
  const expected = images.slice(0, 4).map((img, i) => ref.process(img, i, `image ${i}`));
  const p = await createPipeline(model.bytes, options);
  const lines: string[] = [];
  // the workers read the model again from its file: a missing one fails every worker's set-up
  const runner = new ImageRunner(p, { threads: 2, spec: { modelPath: join(dir, 'gone.onnx'), label: 'gone.onnx', options, wantNpy: false }, announce: (l) => lines.push(l) });
  t.teardown(() => runner.close());
  const out = [runner.submit(images[0]!, 0, 'image 0'), runner.submit(images[1]!, 1, 'image 1')];
  await runner.started();
  out.push(runner.submit(images[2]!, 2, 'image 2'), runner.submit(images[3]!, 3, 'image 3'));
  await Promise.all(out.map((o) => o.done));
  t.equal(runner.threads, 1, 'no pool');
  for (let i = 0; i < 4; i++) t.ok(Buffer.from(out[i]!.get().png).equals(Buffer.from(expected[i]!.png)), `image ${i}: the same PNG bytes`);
  const said = lines.filter((l) => /worker threads/.test(l));
  t.equal(said.length, 1, lines.join(' | '));
  t.match(said[0], /^2 worker threads did not start \(.*gone\.onnx.*\); the images run in this thread$/);
});
