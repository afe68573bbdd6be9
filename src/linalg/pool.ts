// Independent SVDs on worker threads, one WASM instance each, so every core works (the WASM core
// itself is single-threaded). In a browser, or with threads = 0, jobs run inline.
import { env } from '../env.js';
import { spawnWorker } from '../core/worker.js';
import { JobQueue } from '../core/job-queue.js';
import { LinAlgError, assertInt } from '../core/index.js';
import { singularValues, type SingularValuesOptions, type SingularValuesResult } from './singular-values.js';
import { matrixRank, type MatrixRankOptions, type MatrixRankResult } from './rank.js';
import type { Matrix } from './svd-input.js';

/** A job as posted to a worker (internal). */
export type PoolJob =
  | { id: number; op: 'singularValues'; a: Matrix; m: number; n: number; opts?: SingularValuesOptions }
  | { id: number; op: 'matrixRank'; a: Matrix; m: number; n: number; opts?: MatrixRankOptions };
/** A worker's answer (internal). */
export interface PoolReply { id: number; ready?: boolean; result?: unknown; error?: { name: string; message: string } }

interface WorkerLike {
  postMessage(v: unknown): void;
  on(ev: string, fn: (v: any) => void): void;
  terminate(): Promise<number>;
}

const ERRORS: Record<string, new (m: string) => Error> = { LinAlgError, TypeError, RangeError };

function revive(e: { name: string; message: string }): Error {
  return new (ERRORS[e.name] ?? Error)(e.message);
}

export class SvdPool {
  private readonly jobs: JobQueue<WorkerLike, PoolJob, unknown>;
  private nextId = 0;
  private closed = false;

  private constructor(private readonly workers: WorkerLike[]) {
    this.jobs = new JobQueue(workers);
  }

  /** Number of worker threads (0: jobs run inline). */
  get threads(): number { return this.workers.length; }

  /** Jobs waiting for an idle worker (posted as soon as a worker's reply has been handled). */
  get queued(): number { return this.jobs.queued; }

  /**
   * Starts `threads` workers (default: the number of logical CPUs) and waits until each has
   * loaded its WASM core. In a browser the pool runs jobs inline.
   */
  static async create(threads?: number): Promise<SvdPool> {
    if (!env.isNode) return new SvdPool([]);
    const os = await import('node:os');
    const count = threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    assertInt('SvdPool threads', count, 0, 256);
    const spawn = () => spawnWorker(import.meta.url, 'pool-worker');
    const workers: WorkerLike[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const w = await spawn() as unknown as WorkerLike;
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.on('message', (r: PoolReply) => { if (r.ready) resolve(); });
          w.on('error', reject);
          w.on('exit', (code: number) => reject(new Error(`SvdPool worker exited with code ${code} before it was ready`)));
        });
      }
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new SvdPool(workers);
    for (const w of workers) {
      w.on('message', (r: PoolReply) => pool.settle(w, r));
      w.on('error', (e: Error) => pool.fail(w, e));
    }
    return pool;
  }

  /** singularValues on a worker; same arguments and record. */
  singularValues(a: Matrix, m: number, n: number, opts: SingularValuesOptions = {}): Promise<SingularValuesResult> {
    return this.run({ id: 0, op: 'singularValues', a, m, n, opts });
  }

  /** matrixRank on a worker; same arguments and record. */
  matrixRank(a: Matrix, m: number, n: number, opts: MatrixRankOptions = {}): Promise<MatrixRankResult> {
    return this.run({ id: 0, op: 'matrixRank', a, m, n, opts });
  }

  /** Stops the workers; pending jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    this.jobs.clear(new Error('SvdPool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private run<T>(job: PoolJob): Promise<T> {
    if (this.closed) return Promise.reject(new Error('SvdPool is closed'));
    if (this.workers.length === 0) {
      try {
        return Promise.resolve((job.op === 'singularValues'
          ? singularValues(job.a, job.m, job.n, job.opts)
          : matrixRank(job.a, job.m, job.n, job.opts)) as T);
      } catch (e) { return Promise.reject(e); }
    }
    return this.jobs.run({ ...job, id: this.nextId++ }) as Promise<T>;
  }

  private settle(w: WorkerLike, r: PoolReply): void {
    this.jobs.settle(w, r.id, r.error ? { error: revive(r.error) } : { value: r.result });
  }

  private fail(w: WorkerLike, e: Error): void {
    this.jobs.lose(w, e);
  }
}
