// Where the census's singular values are computed: in this thread, or on a pool of workers
// (--threads) so that a big model's census uses every core, started at once or only when the
// work is worth it. All give the same numbers: the same matrixRank code runs in each worker.
// Internal: groupRank.
import { matrixRank, type MatrixRankResult } from '../linalg/rank.js';
import { SvdPool } from '../linalg/pool.js';
import { nrm2 } from '../linalg/blas1.js';
import { EPS32, EPS64, gramMinRtol, rankByRule, resolveTolerance } from '../linalg/tolerance.js';
import { BIDIAG_QR_RATIO } from '../linalg/bidiag.js';
import type { ToleranceOptions } from './report.js';

/** One matrix: (m × n) row-major. */
export interface RankJob { a: Float64Array; m: number; n: number }

/** Rank of one matrix at the census tolerance and at float64 eps. */
export interface GroupRank {
  rank: number;
  rankF64: number;
  tol: number;
  sigmaMax: number;
  /** σ_min(m, n) (0 for an empty matrix) */
  sigmaMin: number;
  /** 'gram-eig', 'bidiag', … as reported by matrixRank (+ 'bidiag' when the f64 rank needed a recheck) */
  path: string;
}

export interface RankEngine {
  rank(job: RankJob, tol: ToleranceOptions): Promise<GroupRank>;
  /** every group of a weight: `groups` consecutive (m × n) row-major blocks of `data` */
  rankGroups(data: Float64Array, groups: number, m: number, n: number, tol: ToleranceOptions): Promise<GroupRank[]>;
  close(): Promise<void>;
  /** number of worker threads (0: this thread) */
  readonly threads: number;
}

type RankFn = (a: Float64Array, m: number, n: number, opts: Record<string, unknown>) => Promise<MatrixRankResult> | MatrixRankResult;

/**
 * Matrices whose SVD costs at most this many multiply-adds (m·n·min(m, n), ≈ 1 ms) run in this
 * thread even with a pool: posting one to a worker and back costs about as much.
 */
const SMALL = 2 ** 21;

/**
 * The census rank of one matrix. The default tolerance is numpy's matrix_rank rule at float32
 * eps (weights are stored in float32 or less); rankF64 uses eps(float64). The 'gram-eig' path
 * (eigenvalues of the Gram matrix) is accurate for σ ≥ gramMinRtol(m, n)·σmax only, which covers
 * the float32 rule but not the float64 one: when a σ falls below that floor, rankF64 is
 * recomputed from the bidiagonal path's singular values (accurate to ≈ max(m, n)·eps64·σmax,
 * what the float64 rule needs; LAPACK's gesdd computes them the same way).
 */
async function groupRank(fn: RankFn, job: RankJob, tol: ToleranceOptions): Promise<GroupRank> {
  const { m, n } = job;
  const k = Math.min(m, n);
  if (k === 0) return { ...EMPTY };
  if (k === 1) return vectorRank(job, tol);
  const r = await fn(job.a, m, n, { rtol: tol.rtol, atol: tol.atol, eps: EPS32, method: squareish(m, n) ? 'bidiag' : 'auto' });
  const s = r.s;
  const sigmaMax = s[0] ?? 0;
  let rankF64: number;
  let path = r.path;
  let sigmaMin = s[k - 1] ?? 0;
  if (r.path === 'gram-eig' && s.some((x) => x < gramMinRtol(m, n) * sigmaMax)) {
    // the Gram values below the floor are noise: take σmin from the recheck too
    const exact = await fn(job.a, m, n, { eps: EPS64, method: 'bidiag' });
    rankF64 = exact.rank;
    sigmaMin = exact.sigmaMin;
    path += '+bidiag';
  } else {
    rankF64 = rankByRule(s, m, n, { eps: EPS64 }).rank;
  }
  return { rank: r.rank, rankF64, tol: r.tol, sigmaMax, sigmaMin, path };
}

/**
 * Square-ish matrices (no QR step in the bidiagonal path) go straight to the bidiagonal path: there
 * it costs 0.9–1.3× the Gram path (measured: 480² 42 against 46 ms, 384² 23 against 18 ms) and
 * yields both ranks at once, where a rank-deficient one would otherwise pay for both (the
 * 384²/480² 1×1 convolutions of PP-OCRv4 all are). Longer ones keep the Gram path, ≈ 2× cheaper there.
 */
function squareish(m: number, n: number): boolean {
  return Math.max(m, n) <= BIDIAG_QR_RATIO * Math.min(m, n);
}

/**
 * The ranks of a weight's groups. Blocks with at most one singular value (a depthwise conv's
 * hundreds of 1×k filters) are settled here in one synchronous loop: one promise per block cost
 * more than its norm, and that overhead was most of the classifier's census before V8 had
 * optimised it. Others go to `rank` one by one.
 */
async function rankGroups(rank: RankEngine['rank'], data: Float64Array, groups: number, m: number, n: number, tol: ToleranceOptions): Promise<GroupRank[]> {
  const size = m * n;
  if (Math.min(m, n) > 1) return Promise.all(Array.from({ length: groups }, (_, g) => rank({ a: data.subarray(g * size, (g + 1) * size), m, n }, tol)));
  const out = new Array<GroupRank>(groups);
  for (let g = 0; g < groups; g++) out[g] = size === 0 ? EMPTY : vectorRank({ a: data.subarray(g * size, (g + 1) * size), m, n }, tol);
  return out;
}

const EMPTY: GroupRank = Object.freeze({ rank: 0, rankF64: 0, tol: 0, sigmaMax: 0, sigmaMin: 0, path: 'empty' });

/**
 * A 1×n or m×1 matrix has one singular value, its 2-norm (depthwise convs have hundreds of
 * these per layer; an SVD call each would cost more than the norm).
 */
function vectorRank(job: RankJob, tol: ToleranceOptions): GroupRank {
  const sigma = nrm2(job.a);
  if (!Number.isFinite(sigma)) throw new RangeError(`matrixRank: the ${job.m}×${job.n} matrix contains a non-finite value`);
  const L = Math.max(job.m, job.n);
  const t = resolveTolerance(sigma, job.m, job.n, tol);
  return { rank: sigma > t ? 1 : 0, rankF64: sigma > sigma * L * EPS64 ? 1 : 0, tol: t, sigmaMax: sigma, sigmaMin: sigma, path: 'norm' };
}

/** Runs every matrix in this thread. */
export function localEngine(): RankEngine {
  const fn: RankFn = (a, m, n, o) => matrixRank(a, m, n, o);
  const rank: RankEngine['rank'] = (job, tol) => groupRank(fn, job, tol);
  return { threads: 0, rank, rankGroups: (data, g, m, n, tol) => rankGroups(rank, data, g, m, n, tol), close: async () => {} };
}

/**
 * Runs big matrices on a pool of `threads` workers, small ones (see SMALL) in this thread.
 * Batching small ones to idle workers (one message per worker, sharing out by cost) was measured
 * slower on the PP-OCR classifier, where all 47 matrices are small: 5.1–5.4 against 4.0 ms per
 * census (median of 150), as the round trip and the copies cost more than the share saves.
 */
export async function poolEngine(threads: number): Promise<RankEngine> {
  const pool = await SvdPool.create(threads);
  const local: RankFn = (a, m, n, o) => matrixRank(a, m, n, o);
  // A subarray view would post its whole buffer; send a compact copy.
  const remote: RankFn = (a, m, n, o) => pool.matrixRank(a.byteLength === a.buffer.byteLength ? a : a.slice(), m, n, o);
  // While jobs wait for a worker, let worker replies in (they send the next jobs out) every few
  // ms, else a long run of small ones here would starve the workers. Only then: a yield costs a
  // trip round the event loop (setTimeout(0) ≥ 1 ms), and the classifier's whole census takes a
  // few ms. All callers that find the time up share one yield.
  let lastYield = performance.now();
  let pause: Promise<void> | null = null;
  const yielding: RankFn = (a, m, n, o) => {
    if (pool.queued === 0 || performance.now() - lastYield <= 4) return local(a, m, n, o);
    pause ??= new Promise<void>((r) => setImmediate(r)).then(() => { pause = null; lastYield = performance.now(); });
    return pause.then(() => yielding(a, m, n, o));
  };
  const rank: RankEngine['rank'] = (job, tol) => groupRank(svdCost(job.m, job.n) <= SMALL ? yielding : remote, job, tol);
  return {
    threads,
    rank,
    rankGroups: (data, g, m, n, tol) => rankGroups(rank, data, g, m, n, tol),
    close: async () => { await pool.close(); },
  };
}

/**
 * Parallel work, in multiply-adds (svdCost), that pays for starting the workers: starting two
 * took ≈ 80 ms of CPU (each loads the library and compiles the WASM core), about what 8e8
 * multiply-adds of SVD take on one core (512×4608, 1.2e9 of them, in 0.12 s); rounded up.
 */
export const POOL_WORTH = 1e9;

/**
 * Like poolEngine, but the workers start only when there is parallel work worth their start-up:
 * until then every job runs in this thread. Big jobs (see SMALL) handed in during one turn of the
 * event loop — census hands in every weight at once — form a batch; the pool starts when the
 * batch's work that threads could take off the longest job, total − max(largest, total/threads),
 * exceeds `minParallelWork` (default POOL_WORTH). A model with one large weight therefore never
 * starts a worker. Once started, the pool takes every later job as poolEngine would.
 */
export function lazyPoolEngine(threads: number, opts: { minParallelWork?: number } = {}): RankEngine {
  const minWork = opts.minParallelWork ?? POOL_WORTH;
  const local = localEngine();
  let pool: Promise<RankEngine> | undefined;
  let started = 0;
  let batch: { job: RankJob; tol: ToleranceOptions; resolve: (r: GroupRank) => void; reject: (e: unknown) => void }[] = [];
  const flush = (): void => {
    const jobs = batch;
    batch = [];
    const costs = jobs.map((j) => svdCost(j.job.m, j.job.n));
    const total = costs.reduce((a, b) => a + b, 0);
    if (!pool && total - Math.max(...costs, total / threads) > minWork) {
      pool = poolEngine(threads);
      pool.then(() => { started = threads; }, () => {});
    }
    for (const j of jobs) (pool ? pool.then((p) => p.rank(j.job, j.tol)) : local.rank(j.job, j.tol)).then(j.resolve, j.reject);
  };
  const rank: RankEngine['rank'] = (job, tol) => {
    if (pool) return pool.then((p) => p.rank(job, tol));
    if (svdCost(job.m, job.n) <= SMALL) return local.rank(job, tol);
    return new Promise<GroupRank>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ job, tol, resolve, reject });
    });
  };
  return {
    get threads() { return started; },
    rank,
    rankGroups: (data, g, m, n, tol) => rankGroups(rank, data, g, m, n, tol),
    close: async () => { if (pool) await pool.then((p) => p.close(), () => {}); }, // a failed start was reported by the jobs
  };
}

/** Multiply-adds of an SVD of an m × n matrix, roughly. */
function svdCost(m: number, n: number): number {
  return m * n * Math.min(m, n);
}
