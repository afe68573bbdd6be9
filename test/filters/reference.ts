// An independent float64 implementation of torchconvquality 0.4's per-layer figures, for the
// tests: naive loops only, the variance ratios from the eigenvalues of the (k × k) covariance
// matrix by cyclic Jacobi rotations (the library takes singular values of the centred filter
// matrix by bidiagonalisation in WASM), cosines pair by pair (the library uses a GEMM).

/** Eigenvalues of a symmetric (k × k) matrix by cyclic Jacobi rotations. */
export function jacobiEigenvalues(a: number[][]): number[] {
  const k = a.length;
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += m[p]![q]! ** 2;
    if (off === 0) break;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) {
      const apq = m[p]![q]!;
      if (apq === 0) continue;
      const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let r = 0; r < k; r++) {
        const arp = m[r]![p]!, arq = m[r]![q]!;
        m[r]![p] = c * arp - s * arq; m[r]![q] = s * arp + c * arq;
      }
      for (let r = 0; r < k; r++) {
        const apr = m[p]![r]!, aqr = m[q]![r]!;
        m[p]![r] = c * apr - s * aqr; m[q]![r] = s * apr + c * aqr;
      }
    }
  }
  return m.map((r, i) => r[i]!);
}

export function threshold(n: number): number {
  return 1.2618047 / (1 + Math.exp(-0.88767525 * (Math.log2(n) - 2.30436435))) - 0.31050834;
}

function entropyOf(filters: number[][]): number {
  const n = filters.length;
  if (n < 2) return 0;
  const k = filters[0]!.length;
  const mean = Array.from({ length: k }, (_, j) => filters.reduce((s, f) => s + f[j]!, 0) / n);
  const cov = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => filters.reduce((s, f) => s + (f[i]! - mean[i]!) * (f[j]! - mean[j]!), 0)));
  const lambda = jacobiEigenvalues(cov).map((l) => Math.max(l, 0));
  const total = lambda.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return -lambda.reduce((e, l) => (l > 0 ? e + (l / total) * Math.log10(l / total) : e), 0);
}

export interface Reference {
  n: number; sparsity: number; varianceEntropy: number; varianceEntropyNorm: number; varianceEntropyClean: number; varianceEntropyCleanNorm: number;
  orthogonality: number; normL2Norm: number; normL1Norm: number; normL2: number; normL1: number;
}

/** torchconvquality's measure_conv_weight_quality, in float64 with naive loops. */
export function referenceQuality(w: ArrayLike<number>, dims: number[], eps = 0.01): Reference {
  const [o, c, kh, kw] = dims as [number, number, number, number];
  const k = kh * kw;
  const filters: number[][] = [];
  for (let f = 0; f < o * c; f++) filters.push(Array.from({ length: k }, (_, j) => w[f * k + j]!));
  let maxAbs = 0;
  for (const f of filters) for (const v of f) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  const t = maxAbs * eps === 0 ? 1 : maxAbs * eps;
  const clean = filters.filter((f) => f.some((v) => Math.abs(v) >= t));
  const ve = entropyOf(filters), vc = entropyOf(clean);
  const rows: number[][] = [];
  for (let r = 0; r < o; r++) rows.push(filters.slice(r * c, r * c + c).flat());
  const norms = rows.map((r) => Math.sqrt(r.reduce((s, v) => s + v * v, 0)) || 1);
  let sum = 0;
  for (let i = 0; i < o; i++) for (let j = 0; j < o; j++) {
    let d = 0;
    for (let q = 0; q < rows[i]!.length; q++) d += (rows[i]![q]! / norms[i]!) * (rows[j]![q]! / norms[j]!);
    sum += Math.abs(d - (i === j ? 1 : 0));
  }
  const flat = Array.from(w);
  const mu = flat.reduce((a, b) => a + b, 0) / flat.length;
  const sd = Math.sqrt(flat.reduce((s, v) => s + (v - mu) ** 2, 0) / (flat.length - 1));
  const z = flat.map((v) => (v - mu) / sd);
  return {
    n: o * c,
    sparsity: (filters.length - clean.length) / filters.length,
    varianceEntropy: ve, varianceEntropyNorm: ve / threshold(filters.length),
    varianceEntropyClean: vc, varianceEntropyCleanNorm: vc === 0 ? 0 : vc / threshold(clean.length),
    orthogonality: 1 - sum / (o * (o - 1)),
    normL2Norm: Math.sqrt(z.reduce((s, v) => s + v * v, 0)), normL1Norm: z.reduce((s, v) => s + Math.abs(v), 0),
    normL2: Math.sqrt(flat.reduce((s, v) => s + v * v, 0)), normL1: flat.reduce((s, v) => s + Math.abs(v), 0),
  };
}
