// The dispatch both worker pools share (SvdPool, collide's threads): jobs wait in order for an idle
// worker, one job a worker at a time, and each reply settles the job it answers.

/** A queued or running job's promise ends. */
interface Ends<R> { resolve: (v: R) => void; reject: (e: Error) => void }

export class JobQueue<W extends { postMessage(v: unknown): void }, J extends { id: number }, R> {
  private readonly idle: W[];
  private readonly waiting: Array<{ job: J } & Ends<R>> = [];
  private readonly running = new Map<number, { worker: W } & Ends<R>>();

  constructor(workers: readonly W[]) { this.idle = [...workers]; }

  /** Jobs waiting for an idle worker. */
  get queued(): number { return this.waiting.length; }

  /** Queues a job; its promise ends with the reply to its id. */
  run(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** The reply to job `id` from worker w: w is idle again, the next job goes out. */
  settle(w: W, id: number, outcome: { value: R } | { error: Error }): void {
    const p = this.running.get(id);
    if (!p) return;
    this.running.delete(id);
    this.idle.push(w);
    if ('error' in outcome) p.reject(outcome.error); else p.resolve(outcome.value);
    this.pump();
  }

  /** Worker w is gone: its running job fails with `error`; with `orphans`, also every waiting job when no worker is left. */
  lose(w: W, error: Error, orphans?: { left: number; error: Error }): void {
    const i = this.idle.indexOf(w); if (i >= 0) this.idle.splice(i, 1);
    for (const [id, p] of this.running) if (p.worker === w) { this.running.delete(id); p.reject(error); }
    if (orphans && orphans.left === 0) for (const q of this.waiting.splice(0)) q.reject(orphans.error);
  }

  /** Every job, waiting or running, fails with `error`. */
  clear(error: Error): void {
    for (const q of this.waiting.splice(0)) q.reject(error);
    for (const p of this.running.values()) p.reject(error);
    this.running.clear();
  }

  private pump(): void {
    while (this.idle.length && this.waiting.length) {
      const w = this.idle.pop()!;
      const { job, resolve, reject } = this.waiting.shift()!;
      this.running.set(job.id, { worker: w, resolve, reject });
      w.postMessage(job);
    }
  }
}
