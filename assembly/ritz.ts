// Rayleigh–Ritz helper for the Lanczos solver (src/linalg/lanczos.ts): the eigen-decomposition of
// the small dense symmetric matrix T = QᵀBQ (n ≲ a few hundred) by cyclic Jacobi rotations.
// Jacobi is chosen for its accuracy on every eigenvalue and its short, allocation-free body;
// the cost (≈ 10 sweeps × 4n³) is negligible next to one product with the big operator.
// float64 only: the projected matrix is always formed in float64.

/**
 * a (n×n row-major, symmetric; overwritten: eigenvalues on its diagonal, unsorted), v (n×n,
 * written: column j is the unit eigenvector of a[j,j]). Returns the sweeps used, or −1 if the
 * off-diagonal mass did not fall below eps² of the diagonal within maxSweeps.
 */
export function symEigJacobiF64(aPtr: usize, n: i32, vPtr: usize, maxSweeps: i32): i32 {
  const row = <usize>n << 3;
  memory.fill(vPtr, 0, <usize>n * row);
  for (let i = 0; i < n; i++) store<f64>(vPtr + <usize>i * row + (<usize>i << 3), 1.0);
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let off = 0.0, diag = 0.0;
    for (let p = 0; p < n; p++) {
      const rp = aPtr + <usize>p * row;
      const d = load<f64>(rp + (<usize>p << 3));
      diag += d * d;
      for (let q = p + 1; q < n; q++) { const x = load<f64>(rp + (<usize>q << 3)); off += x * x; }
    }
    if (off <= 1.2e-32 * diag || off == 0.0) return sweep - 1;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const pp = aPtr + <usize>p * row + (<usize>p << 3);
        const qq = aPtr + <usize>q * row + (<usize>q << 3);
        const pq = aPtr + <usize>p * row + (<usize>q << 3);
        const apq = load<f64>(pq);
        if (apq == 0.0) continue;
        const app = load<f64>(pp), aqq = load<f64>(qq);
        // skip rotations that cannot change the diagonal in floating point
        if (Math.abs(apq) < 1e-18 * (Math.abs(app) + Math.abs(aqq))) { store<f64>(pq, 0.0); store<f64>(aPtr + <usize>q * row + (<usize>p << 3), 0.0); continue; }
        const theta = (aqq - app) / (2.0 * apq);
        const t = (theta >= 0 ? 1.0 : -1.0) / (Math.abs(theta) + Math.sqrt(theta * theta + 1.0));
        const c = 1.0 / Math.sqrt(t * t + 1.0), s = t * c;
        // columns p, q of A and V
        for (let k = 0; k < n; k++) {
          const rk = aPtr + <usize>k * row;
          const akp = load<f64>(rk + (<usize>p << 3)), akq = load<f64>(rk + (<usize>q << 3));
          store<f64>(rk + (<usize>p << 3), c * akp - s * akq);
          store<f64>(rk + (<usize>q << 3), s * akp + c * akq);
          const vk = vPtr + <usize>k * row;
          const vkp = load<f64>(vk + (<usize>p << 3)), vkq = load<f64>(vk + (<usize>q << 3));
          store<f64>(vk + (<usize>p << 3), c * vkp - s * vkq);
          store<f64>(vk + (<usize>q << 3), s * vkp + c * vkq);
        }
        // rows p, q of A
        const rp = aPtr + <usize>p * row, rq = aPtr + <usize>q * row;
        for (let k = 0; k < n; k++) {
          const apk = load<f64>(rp + (<usize>k << 3)), aqk = load<f64>(rq + (<usize>k << 3));
          store<f64>(rp + (<usize>k << 3), c * apk - s * aqk);
          store<f64>(rq + (<usize>k << 3), s * apk + c * aqk);
        }
        store<f64>(pq, 0.0);
        store<f64>(aPtr + <usize>q * row + (<usize>p << 3), 0.0);
      }
    }
  }
  return -1;
}
