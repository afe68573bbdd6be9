// Builds the browser page: web/app.ts and the library it imports → web/dist/app.js (one ES module).
// esbuild because it bundles TypeScript directly in well under a second, with no config of its own;
// node-stdlib-browser supplies the Node built-ins pngjs needs in a browser (zlib, stream, Buffer).
// onnxruntime-web stays external (the page's import map loads it from its own dist/, beside its
// .wasm files); the Node-only backends are never reached in a browser.
import { build } from 'esbuild';
import stdLibBrowser from 'node-stdlib-browser';
import plugin from 'node-stdlib-browser/helpers/esbuild/plugin';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [here('./app.ts')],
  outfile: here('./dist/app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  external: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-node', 'webgpu', 'node:*'],
  inject: [require.resolve('node-stdlib-browser/helpers/esbuild/shim')],
  define: { global: 'globalThis' },
  plugins: [plugin(stdLibBrowser)],
});
