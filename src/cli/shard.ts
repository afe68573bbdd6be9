// `--shard i/n`: which of many images this process handles, so that n workers started by an
// existing engine (GNU parallel, xargs -P, a Slurm array, a Kubernetes Indexed Job) each take every
// image exactly once. Image k (0-based, in input order: stream order, or IMAGES after expanding
// directories, whose files are sorted by name) belongs to shard k mod n. The rule needs no count of
// the images, so it works on streams; each image keeps its global index k (its seed is seed + k,
// its output name and report record are the ones a single run gives), so the shards' reports
// concatenate, after sorting, into a single run's report. Pure: the environment comes in as an argument.
import { invalidParameter } from '../core/errors.js';

/** Shard index (0-based) and count; { index: 0, count: 1 } is the whole input. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = Object.freeze({ index: 0, count: 1 });

/** The environment variables `--shard auto` reads. */
export const SHARD_ENV = Object.freeze({
  /** Set by Kubernetes on each pod of an Indexed Job (0 … completions − 1). */
  index: 'JOB_COMPLETION_INDEX',
  /** The shard count for a bare `--shard auto` (set it to the Job's completions). */
  count: 'NULLSPACE_SHARD_COUNT',
});

const EXPECTED = '"i/n" with 0 ≤ i < n (e.g. 0/4), "auto/n", or "auto" (index from $JOB_COMPLETION_INDEX, count from $NULLSPACE_SHARD_COUNT)';

function nonNegativeInt(s: string | undefined): number | undefined {
  return s !== undefined && /^\d{1,9}$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

/**
 * Parses `--shard`: "i/n", "auto/n" or "auto" (undefined: the whole input). "auto" takes i from
 * $JOB_COMPLETION_INDEX and, without "/n", n from $NULLSPACE_SHARD_COUNT.
 * @throws RangeError naming --shard (or the variable) for anything else
 */
export function parseShard(value: string | undefined, env: Record<string, string | undefined> = {}): Shard {
  if (value === undefined) return WHOLE;
  const s = String(value).trim();
  const m = /^(auto|\d{1,9})(?:\/(\d{1,9}))?$/.exec(s);
  if (!m) throw invalidParameter('--shard', EXPECTED, value, RangeError);
  let count = nonNegativeInt(m[2]);
  let index: number | undefined;
  if (m[1] === 'auto') {
    const raw = env[SHARD_ENV.index];
    index = nonNegativeInt(raw);
    if (index === undefined) throw invalidParameter(`$${SHARD_ENV.index} (for --shard auto)`, 'a non-negative integer', raw, RangeError);
    if (count === undefined) {
      const rawCount = env[SHARD_ENV.count];
      count = nonNegativeInt(rawCount);
      if (count === undefined) throw invalidParameter(`$${SHARD_ENV.count} (for --shard auto without /n)`, 'a positive integer', rawCount, RangeError);
    }
  } else {
    if (count === undefined) throw invalidParameter('--shard', EXPECTED, value, RangeError);
    index = Number(m[1]);
  }
  if (!(count >= 1)) throw invalidParameter('--shard', 'a shard count n ≥ 1', value, RangeError);
  if (index >= count) throw invalidParameter('--shard', `an index below the count (shards ${count === 1 ? '0/1' : `0/${count} … ${count - 1}/${count}`})`, value, RangeError);
  return { index, count };
}

/** Does image k (global, 0-based) belong to this shard? */
export function inShard(shard: Shard, k: number): boolean {
  return k % shard.count === shard.index;
}

/** The yargs option, shared by every command that takes many images. */
export const SHARD_OPTION = Object.freeze({
  type: 'string' as const,
  describe: 'handle only image k with k mod n = i (k counts from 0 in input order: the stream, or IMAGES with directories sorted by name); image k keeps its seed + k, name and report record. "auto": i from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job), n from /n or $NULLSPACE_SHARD_COUNT',
});
