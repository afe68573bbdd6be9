// Images of one `collide` run on worker threads (Node only). Images are independent once the set-up
// exists (image i's direction comes from seed + i, nothing carries over), so a stream is split
// across threads, each with its own WASM core and pipeline (collide-worker.ts), and the outputs
// are put back in input order: the bytes written are those of a one-thread run.
// Threads start only when there is parallel work — a second image — and the command processes
// images itself until they are ready (a worker's set-up reuses the tile bases found here, ~0.3 s
// at 48×192). Each worker holds a set-up of its own (the factored A·Aᵀ: 31 MiB at 48×192, 700 MiB
// for a 3×3/2 conv at 224×224), so the count is capped by SETUP_BUDGET.
import type { Worker } from 'node:worker_threads';
import type { Image } from '../image/image.js';
import type { CollideRecord } from '../collide/report.js';
import type { Pipeline, PipelineOptions, SizedSetup } from '../collide/pipeline.js';
import { NoExactCollision } from '../collide/collider.js';
import { tileBasisEntries, type TileBasisEntry } from '../collide/tile-basis.js';
import { spawnWorker } from '../core/worker.js';
import { JobQueue } from '../core/job-queue.js';
import { EXIT, ExitError } from './errors.js';
import { setupSummary } from './collide-summary.js';

/** What a worker is started with (structured-cloneable). */
export interface PoolSpec {
  /** the model file (read again by each worker, external data too) and its label for messages */
  modelPath: string; label: string;
  /** the command's pipeline options without the external-data reader */
  options: Omit<PipelineOptions, 'external'>;
  /** tile bases found by the command's own set-ups */
  primes: TileBasisEntry[];
  /** send x' in float64 back (for .npy) */
  wantNpy: boolean;
}

/** An image for a worker. */
export interface PoolJob { id: number; image: Image; index: number; location: string }

/** An error of a worker as the command reports it: message, exit code, and the worker's stack for --debug. */
export interface WorkerFault { message: string; code: number; name?: string; stack?: string }

/** A worker's messages. */
export type PoolMessage =
  | { kind: 'ready' }
  | { kind: 'setup'; key: string; line: string }
  | { kind: 'done'; id: number; png: Uint8Array; record: CollideRecord; xPrime?: Image }
  | { kind: 'failed'; id: number; fault: WorkerFault };

/** One image's result: the PNG, its record, and x' in float64 when asked for. */
export interface Outcome { png: Uint8Array; record: CollideRecord; xPrime?: Image }

/** Memory the set-ups of all threads may hold together. */
export const SETUP_BUDGET = 1024 ** 3;

/** A worker's own memory besides its set-up (isolate, WASM core, per-image copies): ~100 MiB measured at 48×192, rounded up. */
const WORKER_BASE = 128 * 1024 ** 2;

/** Threads for set-ups of this size: as many as asked, at most as many as fit the budget (at least one). */
export function threadsFor(asked: number, setupBytes: number, budget = SETUP_BUDGET, workerBase = WORKER_BASE): number {
  return Math.max(1, Math.min(asked, Math.floor(budget / (setupBytes + workerBase))));
}

function revive(f: WorkerFault): Error {
  const e = new ExitError(f.message, f.code);
  if (f.stack) e.stack = f.stack;
  return e;
}

/**
 * An error as `collide` reports it, wherever it arose (set-up, an image on this thread or a worker's):
 * NoExactCollision — a trivial ker(A_img), possibly of a dynamic model's new size — exits with 3, named after the model.
 */
export function commandError(e: unknown, label: string): unknown {
  if (!(e instanceof NoExactCollision)) return e;
  const x = new ExitError(`${label}: ${e.message}`, EXIT.noExactCollision);
  x.stack = e.stack; // --debug shows where it arose
  return x;
}

/** Stops a worker without waiting for it (unref'd: a worker stopped while its module loader is busy may never report its exit). */
function stop(w: Worker): void { w.unref(); void w.terminate(); }

/** What the images still waiting get when no worker is left. */
const noWorkers = () => new ExitError('collide: every worker thread failed', EXIT.internal);

class CollidePool {
  private readonly jobs: JobQueue<Worker, PoolJob, Outcome>;
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) { this.jobs = new JobQueue(workers); }

  get threads(): number { return this.workers.length; }

  /**
   * Starts `threads` workers and resolves when every one has its pipeline (rejects, with none left
   * running, if one fails). Each worker is pushed to `workers` as it is spawned (to be terminated
   * by the caller should it stop waiting); one spawned once `cancelled()` is stopped at once.
   */
  static async start(spec: PoolSpec, threads: number, onSetup: (key: string, line: string) => void, workers: Worker[] = [], cancelled: () => boolean = () => false): Promise<CollidePool> {
    // one set of listeners a worker, routed to the pool once it exists (removeAllListeners would also
    // drop the worker's own 'newListener' hook that keeps its message port reading)
    let pool: CollidePool | undefined;
    try {
      await Promise.all(Array.from({ length: threads }, async () => {
        const w = await spawnWorker(import.meta.url, 'collide-worker', { workerData: spec });
        workers.push(w);
        // the caller stopped waiting while this one was being created: stop it now
        if (cancelled()) { stop(w); throw new Error('collide workers no longer wanted'); }
        await new Promise<void>((resolve, reject) => {
          w.on('message', (m: PoolMessage) => {
            if (pool) pool.settle(w, m, onSetup);
            else if (m.kind === 'ready') resolve();
            else if (m.kind === 'failed' && m.id === -1) reject(revive(m.fault));
          });
          w.on('error', (e: Error) => { if (pool) pool.lose(w, e); else reject(e); });
          w.on('exit', (code: number) => {
            const e = new Error(`collide worker exited with code ${code}${pool ? '' : ' before it was ready'}`);
            if (pool) pool.lose(w, e); else reject(e);
          });
        });
      }));
    } catch (e) {
      for (const w of workers) stop(w);
      throw e;
    }
    pool = new CollidePool(workers);
    return pool;
  }

  process(image: Image, index: number, location: string): Promise<Outcome> {
    // no worker left at all: nothing would take it
    if (this.workers.length === 0) return Promise.reject(noWorkers());
    return this.jobs.run({ id: this.nextId++, image, index, location });
  }

  close(): void {
    for (const w of this.workers.splice(0)) stop(w); // their exits are not losses now
  }

  private settle(w: Worker, m: PoolMessage, onSetup: (key: string, line: string) => void): void {
    if (m.kind === 'setup') onSetup(m.key, m.line);
    else if (m.kind === 'failed') this.jobs.settle(w, m.id, { error: revive(m.fault) });
    else if (m.kind === 'done') this.jobs.settle(w, m.id, { value: { png: m.png, record: m.record, xPrime: m.xPrime } });
  }

  /** A worker that crashed: its image fails (an internal error, exit 2), the others carry on; with none left, the waiting ones fail too. */
  private lose(w: Worker, e: Error): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    this.workers.splice(i, 1);
    this.jobs.lose(w, new ExitError(`collide worker thread failed: ${e.message}`, EXIT.internal), { left: this.workers.length, error: noWorkers() });
  }
}

/** A result that may not have arrived yet, with its state readable without awaiting (and never an unhandled rejection). */
export interface Tracked<T> { settled: boolean; done: Promise<void>; get(): T }

export function track<T>(p: Promise<T>): Tracked<T> {
  let value: T | undefined; let error: unknown; let failed = false;
  const t: Tracked<T> = {
    settled: false,
    done: p.then((v) => { value = v; t.settled = true; }, (e) => { error = e; failed = true; t.settled = true; }),
    get() { if (!t.settled) throw new Error('track: not settled'); if (failed) throw error; return value as T; },
  };
  return t;
}

export interface RunnerOptions {
  /** threads asked for (--threads); 1: every image on this thread */
  threads: number;
  /** the spec workers start with, when they start (primes are added then) */
  spec: Omit<PoolSpec, 'primes'>;
  /** prints a set-up's line once per input size */
  announce: (line: string) => void;
  /** memory the threads' set-ups may hold together, and each thread's own besides (default SETUP_BUDGET, ~128 MiB) */
  budget?: number; workerBase?: number;
}

/**
 * Runs the images of one command: on this thread until a second image arrives and worker threads
 * are ready, then on the workers. submit() returns at once with the image's result to come; results
 * are awaited in submission order by the caller (at most `window` in flight).
 */
export class ImageRunner {
  private pool: CollidePool | undefined;
  private startPromise: Promise<void> | undefined;
  private startingNow = false;
  private closed = false;
  private readonly spawned: Worker[] = [];
  /** a pool no longer given images (a new size's set-up would not fit the budget in every thread) */
  private retired: CollidePool | undefined;
  private submitted = 0;
  private readonly announced = new Set<string>();
  private setupBytes = 0;

  constructor(private readonly p: Pipeline, private readonly o: RunnerOptions) {
    const seen = (s: SizedSetup) => {
      // a worker's set-up peaks above what it then holds (the whole band before its settled part is kept)
      this.setupBytes = Math.max(this.setupBytes, s.collider?.normal?.peakBytes ?? s.collider?.normal?.bytes ?? 0);
      this.announceOnce(`${s.height}x${s.width}`, setupSummary(s));
    };
    if (p.fixed) seen(p.fixed);
    p.onSetup = seen;
  }

  /** Results that may be in flight before the caller awaits the oldest. */
  get window(): number { return this.pool ? 2 * this.pool.threads : 1; }

  /** Resolves when worker threads started by now are ready (or failed to start: the images then stay here). */
  async started(): Promise<void> { await this.startPromise; }

  /** Whether worker threads are being started (not ready yet). */
  get starting(): boolean { return this.startingNow; }

  /** Threads working (1 until the pool is ready). */
  get threads(): number { return this.pool?.threads ?? 1; }

  submit(image: Image, index: number, location: string): Tracked<Outcome> {
    this.submitted++;
    if (this.submitted === 2 && !this.startPromise) this.startPool();
    if (this.pool) {
      // a size this thread has not set up yet (a dynamic model): set it up here first, for its memory —
      // every worker would hold one too; past the budget the threads stop and the images stay here
      try { this.p.setupFor(image.height, image.width); } catch { /* the image's own run reports it, in its turn */ }
      if (threadsFor(this.o.threads, this.setupBytes, this.o.budget, this.o.workerBase) >= this.pool.threads) return track(this.pool.process(image, index, location));
      // (its images still running finish there; it is stopped with the command)
      this.retired = this.pool;
      this.pool = undefined;
    }
    try {
      const r = this.p.process(image, index, location);
      return track(Promise.resolve({ png: r.png, record: r.record, xPrime: r.xPrime }));
    } catch (e) {
      return track(Promise.reject(commandError(e, this.o.spec.label)));
    }
  }

  /**
   * Stops the workers, started or still starting, without waiting for them: each is unref'd, so the
   * process ends when the command does (a worker stopped while its module loader is busy — under tsx,
   * in tests — may never report its exit).
   */
  close(): void {
    this.closed = true;
    this.pool?.close();
    this.retired?.close();
    this.pool = this.retired = undefined;
    for (const w of this.spawned.splice(0)) stop(w);
  }

  private announceOnce(key: string, line: string): void {
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.o.announce(line);
  }

  private startPool(): void {
    const n = threadsFor(this.o.threads, this.setupBytes, this.o.budget, this.o.workerBase);
    if (n < 2) return;
    // (the hash of the model's bytes as read here: a worker's records name the same model)
    const spec: PoolSpec = { ...this.o.spec, options: { ...this.o.spec.options, sha256: this.p.sha256 }, primes: tileBasisEntries() };
    this.startingNow = true;
    this.startPromise = CollidePool.start(spec, n, (key, line) => this.announceOnce(key, line), this.spawned, () => this.closed).then(
      (pool) => { if (!this.closed) this.pool = pool; },
      // no threads: the images go on here, as with --threads 1 (said once, unless the command ended first)
      (e: unknown) => { if (!this.closed) this.announceOnce('threads', `${n} worker threads did not start (${e instanceof Error ? e.message : String(e)}); the images run in this thread`); },
    ).finally(() => { this.startingNow = false; });
  }
}

/** An image handed to the runner, with its name for messages. */
export interface InFlight { name: string; index: number; out: Tracked<Outcome> }

/**
 * Feeds the images of `source` to the runner and hands their results to `emit` in input order, at most
 * the runner's window in flight. A fault of the source (a broken PNG, a missing file) is raised after
 * every image before it has been emitted — unless one of those failed first, whose error then wins.
 * emit returns false when the reader went away: the rest is dropped quietly.
 */
export async function ordered(runner: ImageRunner, source: AsyncIterable<{ name: string; index: number; image: () => Image | Promise<Image> }>,
  emit: (f: InFlight, r: Outcome) => Promise<boolean>): Promise<void> {
  const inFlight: InFlight[] = [];
  const next = async (): Promise<boolean> => {
    const f = inFlight.shift()!;
    await f.out.done;
    return emit(f, f.out.get()); // an image's own failure is thrown here, in its turn
  };
  // a fault of the source ends the pulling; it is raised once everything before it is out
  let fault: { e: unknown } | undefined;
  async function* pulled() {
    try {
      for await (const item of source) yield { ...item, decoded: await item.image() };
    } catch (e) { fault = { e }; }
  }
  for await (const item of pulled()) {
    // while threads start, images run here; a turn of the event loop between them lets their "ready"
    // arrive (a source already in memory would otherwise resolve in microtasks only, never yielding)
    if (runner.starting) await new Promise(setImmediate);
    inFlight.push({ name: item.name, index: item.index, out: runner.submit(item.decoded, item.index, item.name) });
    while (inFlight.length && (inFlight[0]!.out.settled || inFlight.length > runner.window)) if (!(await next())) return;
  }
  while (inFlight.length) if (!(await next())) return;
  if (fault) throw fault.e;
}
