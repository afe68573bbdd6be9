import t from 'tap';
import { hamiltonianPaths } from '../../src/interactions/paths.js';
import { estimateInteractions, type Game } from '../../src/interactions/estimate.js';
import { rng } from '../../src/linalg/random.js';

t.test('hamiltonianPaths(n) are n/2 permutations whose adjacent pairs cover every pair exactly once', async (t) => {
  for (const n of [2, 4, 6, 10, 64]) {
    const paths = hamiltonianPaths(n);
    t.equal(paths.length, n / 2);
    const seen = new Uint8Array(n * n);
    for (const p of paths) {
      t.same([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `n = ${n}: a permutation`);
      for (let k = 0; k + 1 < n; k++) { const a = Math.min(p[k]!, p[k + 1]!), b = Math.max(p[k]!, p[k + 1]!); seen[a * n + b]!++; }
    }
    let ok = true;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (seen[a * n + b] !== 1) ok = false;
    t.ok(ok, `n = ${n}: every pair once`);
  }
  t.throws(() => hamiltonianPaths(5), /Expected an even number for n but received 5/);
});

/** v(S) = Σ a_i + Σ_{i<j} b_ij + Σ_{i<j<k} c_ijk over S, with its exact Shapley values and interactions. */
function polynomialGame(n: number, seed: number, cubic: number) {
  const g = rng(seed);
  const a = Float64Array.from({ length: n }, () => g.normal());
  const b = new Float64Array(n * n), c = new Map<number, number>();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { const v = g.normal() * 0.3; b[i * n + j] = v; b[j * n + i] = v; }
  const triples: [number, number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) triples.push([i, j, k, cubic * g.normal()]);
  void c;
  let calls = 0;
  const v = (m: Uint8Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (m[i]) { s += a[i]!; for (let j = i + 1; j < n; j++) if (m[j]) s += b[i * n + j]!; }
    for (const [i, j, k, w] of triples) if (m[i] && m[j] && m[k]) s += w;
    return s;
  };
  const game: Game = async (masks, count) => { calls += count; return Float64Array.from({ length: count }, (_, r) => v(masks.subarray(r * n, (r + 1) * n))); };
  // exact: Δ_ij of a cubic term c_ijk m_i m_j m_k is c_ijk m_k, and k ∈ S with probability 1/2 under the
  // Shapley interaction weighting; a unit's share of a cubic term is 1/3
  const interaction = new Float64Array(b);
  const shapley = new Float64Array(n);
  for (let i = 0; i < n; i++) { shapley[i] = a[i]!; for (let j = 0; j < n; j++) if (j !== i) shapley[i]! += b[i * n + j]! / 2; }
  for (const [i, j, k, w] of triples) {
    for (const [p, q] of [[i, j], [i, k], [j, k]] as const) { interaction[p * n + q]! += w / 2; interaction[q * n + p]! += w / 2; }
    shapley[i]! += w / 3; shapley[j]! += w / 3; shapley[k]! += w / 3;
  }
  const full = v(new Uint8Array(n).fill(1));
  return { game, interaction, shapley, full, calls: () => calls };
}

function rmsError(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

t.test('estimateInteractions(quadratic game) recovers the exact interactions in one round, for even and odd n', async (t) => {
  for (const n of [8, 9]) {
    const q = polynomialGame(n, n, 0);
    const r = await estimateInteractions(q.game, n, { samples: 1, seed: 3 });
    t.ok(rmsError(r.interaction, q.interaction) < 1e-13, `n = ${n}: Δv is constant for a quadratic game`);
    t.equal(r.evaluations, q.calls(), 'every coalition evaluated is counted');
    const m = n % 2 ? n + 1 : n;
    t.ok(r.evaluations <= m * m - m + 2, `n = ${n}: at most m² − m + 2 evaluations (${r.evaluations})`);
    t.ok(Number.isNaN(r.interactionSE[1]!), 'no standard error from one round');
  }
});

t.test('estimateInteractions(cubic game) converges to the exact interactions and Shapley values as 1/√samples', async (t) => {
  const n = 9;
  const q = polynomialGame(n, 7, 0.5);
  const err = async (samples: number) => {
    let e = 0, s = 0, se = 0;
    for (const seed of [1, 2, 3, 4]) {
      const r = await estimateInteractions(q.game, n, { samples, seed });
      e += rmsError(r.interaction, q.interaction) ** 2;
      s += rmsError(r.shapley, q.shapley) ** 2;
      se += r.meanInteractionSE ** 2;
    }
    return { e: Math.sqrt(e / 4), s: Math.sqrt(s / 4), se: Math.sqrt(se / 4) };
  };
  const few = await err(16), many = await err(256);
  t.ok(many.e < 0.08, `interaction RMS error at 256 samples: ${many.e}`);
  const ratio = few.e / many.e, sratio = few.s / many.s;
  t.ok(ratio > 2.5 && ratio < 6.5, `16× the samples shrinks the interaction error by ${ratio.toFixed(2)} (√16 = 4)`);
  t.ok(sratio > 2.5 && sratio < 6.5, `and the Shapley error by ${sratio.toFixed(2)}`);
  t.ok(many.se > 0.5 * many.e && many.se < 2 * many.e, `reported standard errors (${many.se}) match the actual error (${many.e})`);
});

t.test('estimateInteractions(game) keeps efficiency: Σφ = v(Ω) − v(∅) in every run', async (t) => {
  for (const [n, seed] of [[2, 1], [3, 2], [8, 3], [9, 4], [16, 5]] as const) {
    const g = rng(seed + 100);
    const w = Float64Array.from({ length: n }, () => g.normal());
    // a non-polynomial game with a nonzero v(∅)
    const game: Game = async (masks, count) => Float64Array.from({ length: count }, (_, r) => {
      let s = 0.3;
      for (let i = 0; i < n; i++) if (masks[r * n + i]) s += w[i]!;
      return Math.sin(3 * s) + Math.exp(-s * s);
    });
    for (const samples of [1, 3]) {
      const r = await estimateInteractions(game, n, { samples, seed, chunk: 7 });
      const sum = r.shapley.reduce((a, b) => a + b, 0);
      t.ok(Math.abs(sum - (r.vFull - r.vEmpty)) < 1e-13, `n = ${n}, ${samples} rounds: Σφ ${sum} = v(Ω) − v(∅) ${r.vFull - r.vEmpty}`);
      t.ok(r.vEmpty !== 0, 'v(∅) is measured, not assumed');
    }
  }
});

t.test('estimateInteractions(game) is reproducible by seed and validates its options', async (t) => {
  const q = polynomialGame(6, 1, 0.5);
  const a = await estimateInteractions(q.game, 6, { samples: 2, seed: 9 });
  const b = await estimateInteractions(q.game, 6, { samples: 2, seed: 9 });
  const c = await estimateInteractions(q.game, 6, { samples: 2, seed: 10 });
  t.same(a.interaction, b.interaction);
  t.not(rmsError(a.interaction, c.interaction), 0, 'another seed, other contexts');
  await t.rejects(estimateInteractions(q.game, 1, { samples: 1 }), /Expected an integer between 2 and \d+ for units but received 1/);
  await t.rejects(estimateInteractions(q.game, 6, { samples: 0 }), /Expected an integer between 1 and \d+ for samples but received 0/);
});
