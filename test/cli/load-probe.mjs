// Preloaded with `node --import` by startup.test.ts: appends the URL of every module the process
// loads to the file named by NS_LOAD_LOG — ES modules as they are resolved (a resolve hook, which
// Node runs on its hooks thread), CommonJS files from require.cache when the process exits
// (a require() inside a CommonJS package never reaches the ESM hooks).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const log = process.env.NS_LOAD_LOG;

if (isMainThread && log) {
  register(import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(log, Object.keys(cache).map((f) => `${pathToFileURL(f).href}\n`).join('')));
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (log) appendFileSync(log, `${r.url}\n`);
  return r;
}
