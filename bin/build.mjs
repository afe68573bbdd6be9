// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/, which bin/nullspace.js
// runs. Node spends ≈ 0.5 ms resolving, reading and linking each ES module, and a command loaded
// about 110 of them (our ~70 and yargs' ~40): one chunk per lazily imported command body keeps
// start-up light while cutting that to a handful (≈ 60 ms off `inspect`, bench/README.md).
// Entries and chunks sit flat in dist/bundle/, two levels below the package root like dist/cli/,
// so the modules' own `new URL('../../build/release.wasm', import.meta.url)` still resolve, and
// the worker entries sit beside the chunks that spawn them (src/core/worker.ts looks there).
// Only yargs (pure ES modules) is bundled from node_modules; the other dependencies stay external:
// they find native addons, .wasm files or their own data relative to themselves. The library
// (dist/index.js) is not bundled.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((d) => d !== 'yargs');
// yargs reaches three copies of string-width (help-text column widths): 7.x under cliui and under
// wrap-ansi, 8.x its own, each building an Intl.Segmenter at load, and 8.x four Unicode-property
// regular expressions in v mode (≈ 25 ms of every start). One copy, cliui's, serves all three.
const require = createRequire(import.meta.url);
const stringWidth = createRequire(require.resolve('cliui')).resolve('string-width');

// chunk names carry content hashes: without a clean start old chunks would pile up
rmSync(here('../dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: ['../dist/cli/main.js', '../dist/cli/collide-worker.js', '../dist/linalg/pool-worker.js'].map(here),
  outdir: here('../dist/bundle'),
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external,
  alias: { 'string-width': stringWidth },
});
