// Where the census's singular values are computed: in this thread, or on a pool of workers
// (--threads) so that a big model's census uses every core. Both give the same numbers: the
// same matrixRank code runs in each worker. Internal: groupRank.
import { matrixRank, type MatrixRankResult } from '../linalg/rank.js';
import { SvdPool } from '../linalg/pool.js';
import { nrm2 } from '../linalg/blas1.js';
import { EPS32, EPS64, gramMinRtol, resolveTolerance } from '../linalg/tolerance.js';
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
  if (k === 0) return { rank: 0, rankF64: 0, tol: 0, sigmaMax: 0, sigmaMin: 0, path: 'empty' };
  if (k === 1) return vectorRank(job, tol);
  const r = await fn(job.a, m, n, { rtol: tol.rtol, atol: tol.atol, eps: EPS32, method: squareish(m, n) ? 'bidiag' : 'auto' });
  const s = r.s;
  const sigmaMax = s[0] ?? 0;
  const tol64 = sigmaMax * Math.max(m, n) * EPS64;
  let rankF64 = 0;
  let path = r.path;
  let sigmaMin = s[k - 1] ?? 0;
  if (r.path === 'gram-eig' && s.some((x) => x < gramMinRtol(m, n) * sigmaMax)) {
    // the Gram values below the floor are noise: take σmin from the recheck too
    const exact = await fn(job.a, m, n, { eps: EPS64, method: 'bidiag' });
    rankF64 = exact.rank;
    sigmaMin = exact.sigmaMin;
    path += '+bidiag';
  } else {
    for (const x of s) if (x > tol64) rankF64++;
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
  return { threads: 0, rank: (job, tol) => groupRank(fn, job, tol), close: async () => {} };
}

/** Runs big matrices on a pool of `threads` workers, small ones (see SMALL) in this thread. */
export async function poolEngine(threads: number): Promise<RankEngine> {
  const pool = await SvdPool.create(threads);
  const local: RankFn = (a, m, n, o) => matrixRank(a, m, n, o);
  // A subarray view would post its whole buffer; send a compact copy.
  const remote: RankFn = (a, m, n, o) => pool.matrixRank(a.byteLength === a.buffer.byteLength ? a : a.slice(), m, n, o);
  // Small matrices run here; let worker replies in (and the next jobs out) every few ms, else
  // a long run of small ones would starve the workers.
  let lastYield = performance.now();
  const yielding: RankFn = async (a, m, n, o) => {
    if (performance.now() - lastYield > 4) {
      await new Promise((r) => setTimeout(r, 0));
      lastYield = performance.now();
    }
    return local(a, m, n, o);
  };
  return {
    threads,
    rank: (job, tol) => groupRank(job.m * job.n * Math.min(job.m, job.n) <= SMALL ? yielding : remote, job, tol),
    close: async () => { await pool.close(); },
  };
}
