// Start-up stays light: `nullspace --version` loads not even yargs; `--help` and each command's --help
// load no command's dependencies (the plotting stack, onnxruntime, the ONNX schema, the WASM core, the
// library), only yargs and the command modules' flags. Every module loaded is recorded by load-probe.mjs; a control
// run (inspect of a model) shows that the probe does see the heavy modules when they load.
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../../src/onnx/writer.js';
import { randn } from '../../src/linalg/random.js';
import { version } from '../../src/cli/version.js';
import { ENTRY, ROOT } from './harness.js';

const PROBE = fileURLToPath(new URL('./load-probe.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ns-startup-'));

/** What must not load at start-up, by where it lives. */
const HEAVY: [string, RegExp][] = [
  ['@observablehq/plot', /\/node_modules\/@observablehq\/plot\//],
  ['linkedom', /\/node_modules\/linkedom\//],
  ['@resvg/resvg-js', /\/node_modules\/@resvg\//],
  ['onnxruntime-web', /\/node_modules\/onnxruntime-(web|common)\//],
  ['onnx-proto', /\/node_modules\/onnx-proto\//],
  ['protobufjs', /\/node_modules\/protobufjs\//],
  ['pngjs', /\/node_modules\/pngjs\//],
  ['cli-progress', /\/node_modules\/cli-progress\//],
  ['the WASM core', /\/src\/core\/wasm\.ts$/],
  ['the library', /\/src\/(linalg|runtime|census|collide|verify)\//],
];

let run = 0;
/** Runs the CLI from source under the probe; returns its exit code, stdout and the modules it loaded. */
function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string; modules: string[] }> {
  const log = join(dir, `loads-${run++}.txt`);
  writeFileSync(log, '');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--import', PROBE, ENTRY, ...args], { cwd: ROOT, env: { ...process.env, NS_LOAD_LOG: log }, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

function heavyIn(modules: string[]): string[] {
  return HEAVY.filter(([, re]) => modules.some((m) => re.test(m))).map(([name]) => name);
}

t.test('nullspace --version prints the version and loads none of the commands\' dependencies', async (t) => {
  const r = await probe(['--version']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, `${version}\n`);
  // a bare --version is answered before yargs loads
  t.ok(r.modules.some((m) => /\/src\/cli\/main\.ts$/.test(m)), 'the probe saw main.ts load');
  t.same([...heavyIn(r.modules), ...r.modules.filter((m) => /\/node_modules\/yargs\//.test(m))], []);
});

for (const args of [['--help'], ...['verify', 'drift', 'collide', 'demo', 'inspect', 'basis'].map((c) => [c, '--help'])]) {
  t.test(`nullspace ${args.join(' ')} loads none of the commands' dependencies`, async (t) => {
    const r = await probe(args);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, args.length > 1 ? new RegExp(`^nullspace ${args[0]}\\b`) : /^nullspace <command> \[options\]/);
    t.same(heavyIn(r.modules), []);
    t.ok(r.modules.some((m) => /\/node_modules\/yargs\//.test(m)), 'the probe sees yargs where it loads');
  });
}

t.test('control: the probe sees the heavy modules when a command loads them (inspect of a model)', async (t) => {
  const model = join(dir, 'm.onnx');
  writeFileSync(model, buildModel({
    inputs: [{ name: 'x', shape: [1, 6] }], outputs: [{ name: 'y', shape: [1, 4] }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [6, 4], data: Float32Array.from(randn(24, 1)) }],
  }));
  const r = await probe(['inspect', model, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).models[0].weights[0].rank, 4);
  // onnx-proto is imported from ES modules, protobufjs required from CommonJS: both routes are seen
  t.same(heavyIn(r.modules), ['onnx-proto', 'protobufjs', 'the WASM core', 'the library']);
});

t.test('a bare --version keeps Unix manners: a closed pipe ends it quietly (exit 0), a full disk is one line (exit 1)', async (t) => {
  // the read end closed before the child writes: its write fails with EPIPE
  const piped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--version'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.destroy();
    let stderr = '';
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('close', (code) => resolve({ code, stderr }));
  });
  t.ok(piped.code === 0 && piped.stderr === '', `closed pipe: exit ${piped.code}, stderr ${JSON.stringify(piped.stderr)}`);
  if (!existsSync('/dev/full')) { t.comment('no /dev/full here: the full-disk case is not run'); return; }
  const full = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const fd = openSync('/dev/full', 'w');
    const c = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--version'], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    c.stderr!.on('data', (d) => { stderr += d; });
    c.on('close', (code) => resolve({ code, stderr }));
  });
  t.ok(full.code === 1 && /^nullspace: cannot write standard output: ENOSPC\n$/.test(full.stderr), `full disk: exit ${full.code}, stderr ${JSON.stringify(full.stderr)}`);
});
