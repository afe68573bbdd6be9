// One fuzz case through the real CLI (a child process): `collide` on the PNG stream (stdin → stdout,
// .npy files and an NDJSON report on disk) or on the ONNX model (an image folder → --out-dir), checked
// for: exit code 0, 1 or 3; on failure exactly one "nullspace: …" line and no stack trace (no --debug);
// no temporary or unreadable file left in the output folders; a report of whole JSON lines; and the
// child's peak resident memory (from /usr/bin/time, when the machine has it) under a bound.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../src/onnx/writer.js';
import { decodePng, encodePng } from '../src/image/png.js';
import { npyToImage } from '../src/image/image-npy.js';
import { BASES } from './onnx.js';
import type { FuzzEnv, Target } from './harness.js';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const TIME = '/usr/bin/time';
// resolved here: the child runs in a temporary folder, outside node_modules' reach
const TSX = import.meta.resolve('tsx');
/** Peak RSS bound for one CLI run on these tiny inputs. */
export const CLI_RSS_LIMIT_KB = 1024 * 1024;

export interface CliCaseResult { code: number; stderr: string; problems: string[] }

function run(args: string[], input: Uint8Array, cwd: string): Promise<{ code: number; stderr: string; maxRssKb?: number }> {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const argv = [...(timed ? ['-f', 'maxrss-kb %M', process.execPath] : []), '--import', TSX, entry, ...args];
  return new Promise((resolve) => {
    const child = execFile(cmd, argv, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, _out, errBuf) => {
      let stderr = (errBuf as Buffer).toString('utf8');
      let maxRssKb: number | undefined;
      const m = /(?:^|\n)maxrss-kb (\d+)\n?$/.exec(stderr);
      if (m) { maxRssKb = Number(m[1]); stderr = stderr.slice(0, m.index).replace(/\n?Command exited with non-zero status \d+$/, ''); }
      // /usr/bin/time reports a child killed by a signal on its own line: keep it visible
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stderr, maxRssKb });
    });
    child.stdin!.on('error', () => {}); // the CLI may exit before reading all of stdin
    child.stdin!.end(Buffer.from(input));
  });
}

function checkFolder(dir: string, problems: string[]): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f.endsWith('.tmp') || f.startsWith('.')) { problems.push(`temporary file left: ${f}`); continue; }
    try {
      const b = new Uint8Array(readFileSync(p));
      if (f.endsWith('.png')) decodePng(b); else if (f.endsWith('.npy')) npyToImage(b);
    } catch (e) { problems.push(`unreadable output ${f}: ${(e as Error).message}`); }
  }
}

/** Runs case bytes through the CLI in a fresh folder under env.dir and lists what is wrong. */
export async function cliCase(target: Target, bytes: Uint8Array, env: FuzzEnv): Promise<CliCaseResult> {
  const dir = mkdtempSync(join(env.dir, 'cli-'));
  let r;
  if (target === 'png') {
    writeFileSync(join(dir, 'm.onnx'), buildModel(BASES.conv!()));
    r = await run(['collide', 'm.onnx', '--resize', '--report', 'r.ndjson', '--npy-dir', 'npy'], bytes, dir);
  } else {
    writeFileSync(join(dir, 'fuzz.onnx'), bytes);
    writeFileSync(join(dir, 'w.bin'), readFileSync(join(env.dir, 'w.bin')));
    const x = { width: 8, height: 8, channels: 3 as const, bitDepth: 8 as const, data: Float64Array.from({ length: 192 }, (_, i) => ((i * 37) % 255) / 255) };
    writeFileSync(join(dir, 'x.png'), encodePng(x, { bitDepth: 8 }));
    r = await run(['collide', 'fuzz.onnx', 'x.png', '--resize', '--out-dir', 'out', '--format', 'npy', '--report', 'r.ndjson'], new Uint8Array(0), dir);
  }
  const problems: string[] = [];
  if (![0, 1, 3].includes(r.code)) problems.push(`exit code ${r.code}`);
  if (/^\s+at /m.test(r.stderr)) problems.push('stack trace on stderr without --debug');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('nullspace: '));
  if (r.code !== 0 && errors.length !== 1) problems.push(`${errors.length} error lines (expected 1)`);
  if (r.maxRssKb !== undefined && r.maxRssKb > CLI_RSS_LIMIT_KB) problems.push(`peak RSS ${r.maxRssKb} kB > ${CLI_RSS_LIMIT_KB} kB`);
  checkFolder(join(dir, 'npy'), problems);
  checkFolder(join(dir, 'out'), problems);
  if (existsSync(join(dir, 'r.ndjson'))) {
    const text = readFileSync(join(dir, 'r.ndjson'), 'utf8');
    if (text !== '' && !text.endsWith('\n')) problems.push('report ends mid-line');
    for (const l of text.split('\n').filter(Boolean)) { try { JSON.parse(l); } catch { problems.push('report line is not JSON'); break; } }
  }
  return { code: r.code, stderr: r.stderr, problems };
}
