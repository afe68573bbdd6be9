// Starting a worker thread on a module of this package (Node only). From dist/ the worker runs the
// compiled .js beside its owner; under tsx or ts-node (tests, benches) it is TypeScript source, and
// Node 20 does not apply the parent's --import loader hooks to a worker's entry module, so the
// worker registers tsx itself and then imports the script (checked with both `node --import tsx`
// and tap's ts-node loader).
import type { Worker, WorkerOptions } from 'node:worker_threads';

/** The URL of module `name` (no extension) beside `owner` (an import.meta.url), with the owner's own extension. */
export function siblingModule(owner: string, name: string): { url: URL; typescript: boolean } {
  const typescript = /\.ts$/.test(new URL(owner).pathname);
  return { url: new URL(`./${name}${typescript ? '.ts' : '.js'}`, owner), typescript };
}

/** A started worker on that module (its workerData as given). */
export async function spawnWorker(owner: string, name: string, options: Pick<WorkerOptions, 'workerData'> = {}): Promise<Worker> {
  const { Worker: W } = await import('node:worker_threads');
  const { url, typescript } = siblingModule(owner, name);
  return typescript
    ? new W(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, ...options })
    : new W(url, options);
}
