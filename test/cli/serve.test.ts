// nullspace serve: the page and its assets with the COOP/COEP headers threaded WASM needs, the
// shipped model under /models/, and nothing outside the served directories.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { request } from 'node:http';
import { startServer } from '../../src/cli/serve.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = existsSync(join(ROOT, 'web/dist/app.js')) ? false : 'the page is not built (npm run build)';

function get(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // a raw path, so that ../ reaches the server unnormalised
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('startServer serves the page, the core and onnxruntime with COOP/COEP, and refuses paths outside its roots', { skip }, async (t) => {
  const server = await startServer(0);
  t.teardown(() => { server.close(); });
  const port = (server.address() as { port: number }).port;
  const page = await get(port, '/');
  t.equal(page.status, 200);
  t.match(page.body.toString(), /<script type="module" src="\/web\/dist\/app.js">/);
  t.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  t.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  const wasm = await get(port, '/build/release.wasm');
  t.equal(wasm.status, 200);
  t.equal(wasm.headers['content-type'], 'application/wasm');
  t.same([...wasm.body.subarray(0, 4)], [0, 97, 115, 109], 'the WASM core, magic number and all');
  t.equal((await get(port, '/ort/ort.bundle.min.mjs')).status, 200);
  for (const bad of ['/web/../package.json', '/web/%2e%2e/package.json', '/build/../../../etc/passwd', '/package.json', '/src/index.ts']) {
    t.equal((await get(port, bad)).status, 404, `${bad} is not served`);
  }
});
