// One worker thread of `collide`'s pool (collide-pool.ts): its own WASM core and its own pipeline
// for the model (read again from its file, so external data is read here too), primed with the
// tile bases the command already found; decoded images in, PNG bytes and records out. Node only.
import { parentPort, workerData } from 'node:worker_threads';
import { createPipeline } from '../collide/pipeline.js';
import { primeTileBases } from '../collide/tile-basis.js';
import { readModelFile } from './model-file.js';
import { exitCodeFor } from './errors.js';
import { setupSummary } from './collide-summary.js';
import { commandError, type PoolJob, type PoolMessage, type PoolSpec, type WorkerFault } from './collide-pool.js';

const port = parentPort!;
const spec = workerData as PoolSpec;

/** An error as the command would report it (commandError), with its exit code, for the command's thread. */
function fault(e: unknown, label: string): WorkerFault {
  const c = commandError(e, label);
  const err = c instanceof Error ? c : new Error(String(c));
  return { message: err.message, code: exitCodeFor(err), name: err.name, stack: err.stack };
}

const post = (m: PoolMessage) => port.postMessage(m);

try {
  primeTileBases(spec.primes);
  const model = readModelFile(spec.modelPath);
  const pipeline = await createPipeline(model.model, { ...spec.options, external: model.external });
  pipeline.onSetup = (s) => post({ kind: 'setup', key: `${s.height}x${s.width}`, line: setupSummary(s) });
  port.on('message', (job: PoolJob) => {
    try {
      const r = pipeline.process(job.image, job.index, job.location);
      // copied, not transferred: an encoder's small Buffer may share its ArrayBuffer with others
      post({ kind: 'done', id: job.id, png: r.png, record: r.record, xPrime: spec.wantNpy ? r.xPrime : undefined });
    } catch (e) {
      post({ kind: 'failed', id: job.id, fault: fault(e, spec.label) });
    }
  });
  post({ kind: 'ready' });
} catch (e) {
  post({ kind: 'failed', id: -1, fault: fault(e, spec.label) });
}
