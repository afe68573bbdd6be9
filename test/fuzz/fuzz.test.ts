// The fuzzer's seeded subset inside `npm test` (the full runs are `npm run fuzz`, fuzz/run.ts): 500
// PNG-stream and 500 ONNX cases through the library entry points, one of each through the CLI, and the
// reproducers of what the fuzzer found, kept as regression cases.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzEnv, makeCase, runCase, verdictOf, caseRng, type Target } from '../../fuzz/harness.js';
import { cliCase } from '../../fuzz/cli.js';
import { externalReader } from '../../src/cli/model-file.js';
import { InputError } from '../../src/core/errors.js';
import { ExitError } from '../../src/cli/errors.js';
import { decodeModel } from '../../src/onnx/model.js';
import { indexGraph } from '../../src/onnx/graph.js';
import { weightReader } from '../../src/onnx/weights.js';
import { firstLayer, MAX_INPUT_VALUES } from '../../src/onnx/first-layer.js';
import type { GraphProto } from '../../src/onnx/proto.js';
import { census } from '../../src/census/census.js';
import { localEngine } from '../../src/census/rank-engine.js';

const env = await fuzzEnv();
const CASES = 500;

t.test('verdictOf: clean refusals pass; internal errors, engine errors and empty messages fail', async (t) => {
  t.equal(verdictOf(new InputError('a.png: bad CRC')), undefined);
  t.equal(verdictOf(new ExitError('no exact collision', 3)), undefined);
  t.equal(verdictOf(new RangeError('Expected a positive integer for --x but received 0')), undefined);
  t.equal(verdictOf(new Error('boom')), 'exit 2 (Error)');
  t.equal(verdictOf(new ExitError('x', 2)), 'exit 2 (ExitError)');
  t.equal(verdictOf(new TypeError("Cannot read properties of undefined (reading 'dims')")), 'JavaScript engine error (TypeError)');
  t.equal(verdictOf(new RangeError('Invalid typed array length: 1099511627776')), 'JavaScript engine error (RangeError)');
  t.equal(verdictOf(new InputError('  ')), 'empty error message');
});

for (const target of ['png', 'onnx'] as Target[]) {
  t.test(`${CASES} seeded ${target} cases (seed 0) through the library: no failure, and the cases reach every stage`, async (t) => {
    const failures: string[] = [];
    const reached = new Map<string, number>();
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(target, 0, i, env);
      const r = await runCase(target, c.bytes, c.r, env);
      refused += r.refused;
      for (const s of r.reached) reached.set(s, (reached.get(s) ?? 0) + 1);
      for (const f of r.failures) failures.push(`case ${i} (${c.what.join('; ')}): ${f.stage}: ${f.reason}: ${f.message}`);
    }
    t.same(failures, [], 'no uncaught, internal or engine error');
    const stages = target === 'png' ? ['splitPngs', 'stream', 'decodePng', 'pipeline.process'] : ['decodeModel', 'census', 'createPipeline', 'pipeline.process'];
    // a fuzzer whose mutants all die at the first check tests nothing behind it
    for (const s of stages) t.ok((reached.get(s) ?? 0) >= 10, `${s} returned normally in ${reached.get(s) ?? 0} cases`);
    t.ok(refused >= CASES / 4, `${refused} clean refusals`);
  });

  t.test(`a ${target} case through the CLI: exit 0/1/3, one error line, no stack trace, nothing half-written`, async (t) => {
    for (const i of [0]) {
      const c = makeCase(target, 0, i, env);
      const r = await cliCase(target, c.bytes, env);
      t.same(r.problems, [], `case ${i} (${c.what.join('; ')}): exit ${r.code}\n${r.stderr}`);
      t.ok([0, 1, 3].includes(r.code));
    }
  });
}

t.test('makeCase is a function of (seed, case): the same bytes twice, other bytes for another case', async (t) => {
  const a = makeCase('onnx', 4, 17, env).bytes, b = makeCase('onnx', 4, 17, env).bytes, c = makeCase('onnx', 4, 18, env).bytes;
  t.same(Buffer.from(a), Buffer.from(b));
  t.notSame(Buffer.from(a), Buffer.from(c));
  t.not(caseRng(4, 17).uniform(), caseRng(4, 18).uniform());
});

const regressions = fileURLToPath(new URL('./regressions/', import.meta.url));

t.test('the fuzzer\'s reproducers (test/fuzz/regressions) are refused cleanly', async (t) => {
  const files = readdirSync(regressions).filter((f) => /\.(png|onnx)$/.test(f));
  t.ok(files.length >= 3);
  for (const f of files) {
    const target: Target = f.endsWith('.png') ? 'png' : 'onnx';
    const r = await runCase(target, new Uint8Array(readFileSync(join(regressions, f))), caseRng(0, 0), env);
    t.same(r.failures.map((x) => `${x.stage}: ${x.reason}: ${x.message}`), [], f);
  }
});

function firstLayerOf(file: string) {
  const model = decodeModel(new Uint8Array(readFileSync(join(regressions, file))), file);
  const idx = indexGraph(model.graph as GraphProto, file);
  return firstLayer(idx, weightReader(idx, { where: file, external: externalReader(env.dir, file) }), file);
}

t.test('firstLayer: an input declaring more than MAX_INPUT_VALUES values is treated as unsized, with a note (onnx-seed1-case153)', async (t) => {
  const fl = firstLayerOf('onnx-seed1-case153.onnx');
  t.equal(fl.inputShape, null);
  t.equal(fl.geometry, undefined);
  t.match(fl.note, new RegExp(`declares \\[1,\\d+,\\d+,\\d+\\], more than ${MAX_INPUT_VALUES} values; pass --size HxW`));
});

t.test('firstLayer: Conv pads of the wrong count or size give a note, not an operator (onnx-seed1-case3412)', async (t) => {
  const fl = firstLayerOf('onnx-seed1-case3412.onnx');
  t.equal(fl.geometry, undefined);
  t.match(fl.note, /^Conv .*: pads \[0,64,1099511627776\] need 4 entries$/);
});

t.test('census refuses a weight with an empty dimension instead of counting its groups (onnx-seed5-case1303)', async (t) => {
  const file = 'onnx-seed5-case1303.onnx';
  const model = decodeModel(new Uint8Array(readFileSync(join(regressions, file))), file);
  await t.rejects(census(model, localEngine(), { path: file, sha256: '' }),
    { name: 'InputError', message: /^onnx-seed5-case1303\.onnx:node .*: weight w2 of shape \[3,1000000000,2,0\] has an empty dimension \(no values\)$/ });
});
