// `npm run fuzz -- --target png|onnx --cases N --seed S [--cli K] [--out DIR] [--case I]`: seeded,
// structure-aware fuzzing of the PNG stream and ONNX model paths (fuzz/png.ts, fuzz/onnx.ts), run
// in-process through the library entry points (fuzz/harness.ts), plus K cases (default 20) through the
// CLI (fuzz/cli.ts: exit code 0/1/3, one stderr line and no stack trace, nothing half-written, max RSS).
// Prints cases/s and a summary; every failing case is written to DIR (default fuzz/failures) as the
// input file plus a .txt with the seed, case index, mutations and errors. --case I replays one case.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzEnv, makeCase, runCase, type Target } from './harness.js';
import { cliCase } from './cli.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'png' }, cases: { type: 'string', default: '1000' }, seed: { type: 'string', default: '0' },
    cli: { type: 'string', default: '20' }, out: { type: 'string', default: 'fuzz/failures' }, case: { type: 'string' },
    'rss-limit-mb': { type: 'string', default: '1024' },
  },
});
const target = values.target as Target;
if (target !== 'png' && target !== 'onnx') throw new RangeError(`Expected one of "png", "onnx" for --target but received ${JSON.stringify(values.target)}`);
const seed = Number(values.seed), cases = Number(values.cases), cliCases = Number(values.cli), rssLimit = Number(values['rss-limit-mb']) * 1e6;
for (const [k, v] of [['--seed', seed], ['--cases', cases], ['--cli', cliCases]] as const) if (!Number.isInteger(v) || v < 0) throw new RangeError(`Expected a non-negative integer for ${k} but received ${v}`);
const only = values.case !== undefined ? Number(values.case) : undefined;

const env = await fuzzEnv();
const ext = target === 'png' ? 'png' : 'onnx';
let failed = 0, refused = 0, passed = 0, maxRss = 0;
const reasons = new Map<string, number>();
const fail = (i: number, bytes: Uint8Array, what: string[], lines: string[]) => {
  failed++;
  mkdirSync(values.out!, { recursive: true });
  const base = join(values.out!, `${target}-seed${seed}-case${i}`);
  writeFileSync(`${base}.${ext}`, bytes);
  writeFileSync(`${base}.txt`, [`npm run fuzz -- --target ${target} --seed ${seed} --case ${i}`, `mutations: ${what.join('; ')}`, ...lines].join('\n') + '\n');
  for (const l of lines) { const k = l.split('\n')[0]!.slice(0, 160); reasons.set(k, (reasons.get(k) ?? 0) + 1); }
};

const t0 = performance.now();
const indices = only !== undefined ? [only] : Array.from({ length: cases }, (_, i) => i);
for (const i of indices) {
  const c = makeCase(target, seed, i, env);
  const res = await runCase(target, c.bytes, c.r, env);
  passed += res.passed; refused += res.refused;
  const rss = process.memoryUsage().rss;
  maxRss = Math.max(maxRss, rss);
  const lines = res.failures.map((f) => `${f.stage}: ${f.reason}: ${f.message}\n${f.stack ?? ''}`);
  if (rss > rssLimit) lines.push(`memory: resident set ${(rss / 1e6).toFixed(0)} MB > ${rssLimit / 1e6} MB`);
  if (lines.length) fail(i, c.bytes, c.what, lines);
}
const seconds = (performance.now() - t0) / 1000;
console.log(`fuzz ${target} seed ${seed}: ${indices.length} cases in-process in ${seconds.toFixed(1)} s = ${(indices.length / seconds).toFixed(0)} cases/s; stages passed ${passed}, refused cleanly (exit 1/3) ${refused}; failing cases ${failed}; max RSS ${(maxRss / 1e6).toFixed(0)} MB`);

// A sample through the CLI: every ⌊N/K⌋-th case.
if (only === undefined && cliCases > 0 && cases > 0) {
  const step = Math.max(1, Math.floor(cases / cliCases));
  const t1 = performance.now();
  let n = 0, cliFailed = 0;
  const codes = new Map<number, number>();
  for (let i = 0; i < cases && n < cliCases; i += step, n++) {
    const c = makeCase(target, seed, i, env);
    const r = await cliCase(target, c.bytes, env);
    codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    if (r.problems.length) { cliFailed++; fail(i, c.bytes, c.what, r.problems.map((p) => `cli: ${p}\n${r.stderr}`)); }
  }
  const s = (performance.now() - t1) / 1000;
  console.log(`fuzz ${target} CLI sample: ${n} cases in ${s.toFixed(1)} s; exit codes ${[...codes].sort().map(([k, v]) => `${k}×${v}`).join(' ')}; failing ${cliFailed}`);
}
for (const [k, v] of reasons) console.log(`  ${v}× ${k}`);
if (failed) console.log(`reproducers in ${values.out}/`);
process.exitCode = failed ? 1 : 0;
