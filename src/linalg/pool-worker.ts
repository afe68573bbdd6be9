// The worker side of SvdPool: one WASM core per worker thread (its own module instance), jobs in,
// records out. Node only; loaded by pool.ts through worker_threads.
import { parentPort } from 'node:worker_threads';
import { singularValues } from './singular-values.js';
import { matrixRank } from './rank.js';
import type { PoolJob, PoolReply } from './pool.js';

const port = parentPort!;
port.on('message', (job: PoolJob) => {
  let reply: PoolReply;
  try {
    const result = job.op === 'singularValues'
      ? singularValues(job.a, job.m, job.n, job.opts)
      : matrixRank(job.a, job.m, job.n, job.opts);
    reply = { id: job.id, result };
  } catch (e) {
    const err = e as Error;
    reply = { id: job.id, error: { name: err.name, message: err.message } };
  }
  port.postMessage(reply);
});
port.postMessage({ id: -1, ready: true });
