// Every error leaves as whole lines: reportError (the one printer of src/cli/errors.ts) for each
// kind of failure, and real processes — two failing commands piped into each other through a shell
// share one stderr, and each message must be its own line, ending in a newline.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, ExitError, UsageError, errorLine, reportError } from '../../src/cli/errors.js';
import { InputError, LinAlgError } from '../../src/core/errors.js';
import { imageToNpy } from '../../src/image/image-npy.js';
import { noisy, png, tinyImage, tinyModel } from '../verify/models.js';
import { ENTRY, ROOT } from './harness.js';

/** reportError's stderr text and exit code. */
function report(err: unknown, debug = false): { text: string; code: number } {
  let text = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(); return true; }) as typeof process.stderr.write;
  try {
    return { code: reportError(err, debug), text };
  } finally {
    process.stderr.write = write;
  }
}

t.test('reportError prints one line ending in a newline, with the exit code of the error\'s kind', async (t) => {
  const cases: [unknown, string, number][] = [
    [new InputError('m.onnx: not an ONNX model'), 'nullspace: m.onnx: not an ONNX model\n', EXIT.failure],
    [new ExitError('1 of 2 candidates do not collide at precision both', EXIT.failure), 'nullspace: 1 of 2 candidates do not collide at precision both\n', EXIT.failure],
    [new ExitError('m.onnx: no exact collision', EXIT.noExactCollision), 'nullspace: m.onnx: no exact collision\n', EXIT.noExactCollision],
    [new RangeError('Expected a positive integer for --threads but received 0 of type number'), 'nullspace: Expected a positive integer for --threads but received 0 of type number\n', EXIT.failure],
    [new LinAlgError('SVD did not converge after 60 sweeps'), 'nullspace: SVD did not converge after 60 sweeps\n', EXIT.failure],
    [Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), 'nullspace: ENOENT: no such file\n', EXIT.failure],
    [new Error('first line\nsecond line\n'), 'nullspace: first line\n', EXIT.internal],
    [new Error('\r\nthe message after a blank line\r\nmore'), 'nullspace: the message after a blank line\n', EXIT.internal],
    [new Error(''), 'nullspace: Error\n', EXIT.internal],
    ['a thrown string', 'nullspace: a thrown string\n', EXIT.internal],
  ];
  for (const [err, text, code] of cases) {
    const r = report(err);
    t.same(r, { text, code }, JSON.stringify(text));
    t.equal(errorLine(err), text);
  }
});

t.test('reportError --debug prints the stack, ending in a newline; a usage error prints the help, a blank line, then its line', async (t) => {
  const e = new InputError('bad input');
  e.stack = 'InputError: bad input\n    at somewhere (x.ts:1:1)';
  t.same(report(e, true), { text: 'InputError: bad input\n    at somewhere (x.ts:1:1)\n', code: EXIT.failure });
  const usage = new UsageError('Unknown argument: bogus', 'nullspace verify <model> [images..]\n\nOptions: …');
  for (const debug of [false, true]) {
    t.same(report(usage, debug), { text: 'nullspace verify <model> [images..]\n\nOptions: …\n\nnullspace: Unknown argument: bogus\n', code: EXIT.failure });
  }
});

const dir = mkdtempSync(join(tmpdir(), 'ns-errors-'));
const f = (name: string) => join(dir, name);
writeFileSync(f('tiny.onnx'), tinyModel());
writeFileSync(f('x.png'), png(tinyImage(), 8));
writeFileSync(f('far.npy'), imageToNpy(noisy(tinyImage(), 0.05)));
writeFileSync(f('not-a-model.onnx'), 'this is not protobuf');

/** `nullspace …` from source, quoted for sh. */
const ns = (...args: string[]) => [process.execPath, '--import', 'tsx', ENTRY, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

/** Runs `a | b` in sh with both stderrs on one pipe; returns that stderr. */
function pipe(a: string, b: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `${a} < /dev/null | ${b}`], { cwd: ROOT, encoding: 'utf8' }, (_err, _stdout, stderr) => resolve(stderr));
  });
}

const pairs: { name: string; a: string; b: string; lines: RegExp[] }[] = [
  {
    name: 'verify (a candidate that differs: the verdict\'s exit) | inspect (a missing model)',
    a: ns('verify', f('tiny.onnx'), f('x.png'), f('far.npy')),
    b: ns('inspect', f('missing.onnx')),
    lines: [/^nullspace: 1 of 1 candidate do not collide at precision both$/, /^nullspace: missing\.onnx: cannot read .*missing\.onnx \(no such file\)$/],
  },
  {
    name: 'drift (a missing image) | basis (a file that is not ONNX)',
    a: ns('drift', f('tiny.onnx'), f('missing.png'), '--out', f('drift')),
    b: ns('basis', f('not-a-model.onnx'), '--out', f('basis')),
    lines: [/^nullspace: .*missing\.png: no such file or directory$/, /^nullspace: not-a-model\.onnx: .+$/],
  },
  {
    name: 'collide (a file that is not ONNX) | verify (bad usage: an unknown flag, after the help)',
    a: ns('collide', f('not-a-model.onnx')),
    b: ns('verify', f('tiny.onnx'), '--bogus'),
    lines: [/^nullspace: not-a-model\.onnx: .+$/, /^nullspace: Unknown argument: bogus$/],
  },
];

for (const p of pairs) {
  t.test(`two failing commands piped, ${p.name}: each message is its own line, ending in a newline`, async (t) => {
    const stderr = await pipe(p.a, p.b);
    t.ok(stderr.endsWith('\n'), `stderr ends with a newline: ${JSON.stringify(stderr.slice(-80))}`);
    const lines = stderr.split('\n').slice(0, -1);
    const messages = lines.filter((l) => l.includes('nullspace: '));
    t.equal(messages.length, 2, `two messages in ${JSON.stringify(stderr)}`);
    t.ok(messages.every((l) => l.startsWith('nullspace: ')), 'no message runs on after another text');
    for (const re of p.lines) t.equal(messages.filter((l) => re.test(l)).length, 1, `one line matches ${re}`);
  });
}
