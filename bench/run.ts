// Runs every benchmark script in bench/ in sequence, one process each, so that their
// tables come out in one run (`npm run bench`). A script listed here prints its own table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = ['svd.ts', 'census.ts', 'collide.ts', 'collide-stem.ts', 'runtime.ts', 'normal-factor.ts', 'startup.ts', 'filters.ts', 'interactions.ts', 'grad.ts'].filter((s) => existsSync(join(here, s)));
// Names pick scripts (`npm run bench svd census`); everything from the first flag on goes to each
// script picked (`npm run bench svd -- --shape 64x147 --values`).
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('-'));
const only = firstFlag < 0 ? args : args.slice(0, firstFlag);
const flags = firstFlag < 0 ? [] : args.slice(firstFlag);
console.log(`# nullspace bench — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const s of scripts) {
  if (only.length && !only.some((o) => s.startsWith(o))) continue;
  console.log(`\n## ${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, s), ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
