// Walecki's decomposition of the complete graph K_n (n even) into n/2 Hamiltonian paths that use
// every edge exactly once. Relabelled by a random permutation, each path is a uniformly random
// ordering of the units and each pair of units is adjacent in exactly one path, at a position
// uniform over 0 … n − 2 with a uniformly random set of predecessors: exactly the context
// distribution of the Shapley interaction index. One round of paths therefore gives every pair one
// sample and every unit n/2 marginal contributions (estimate.ts).
import { assertInt } from '../core/errors.js';

/**
 * The n/2 zigzag paths k, k+1, k−1, k+2, k−2, …, k + n/2 (mod n), k = 0 … n/2 − 1.
 * @param n an even number ≥ 2
 * @returns n/2 paths, each a permutation of 0 … n − 1
 * @throws RangeError for odd or small n
 */
export function hamiltonianPaths(n: number): Int32Array[] {
  assertInt('n', n, 2);
  if (n % 2) throw new RangeError(`Expected an even number for n but received ${n}`);
  const paths: Int32Array[] = [];
  for (let k = 0; k < n / 2; k++) {
    const p = new Int32Array(n);
    p[0] = k;
    for (let t = 1; t <= n / 2; t++) {
      p[2 * t - 1] = (k + t) % n;
      if (2 * t < n) p[2 * t] = (k - t + n) % n;
    }
    paths.push(p);
  }
  return paths;
}
