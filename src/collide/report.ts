// The NDJSON record written per image (--report): what was done, how far x' moved, and how
// close to exact the collision is at the first layer, measured in float64 on x' as stored.
// Browser-safe: the tool's name and version come in from the caller (src/cli reads package.json).

/** Verdict of one collision: residual ≤ EXACT_TOL → exact; < APPROX_LIMIT → approximate; else none. */
export type Verdict = 'exact' | 'approximate' | 'none';

/** ‖A δ‖/(‖A‖‖δ‖) at or below this is float64 round-off: the first-layer outputs agree to ~1e-9 of the perturbation's scale. */
export const EXACT_TOL = 1e-9;
/** Above this the perturbation visibly changes the first layer: no collision. */
export const APPROX_LIMIT = 0.1;

/** exact / approximate / none from a first-layer residual. */
export function verdictOf(residual: number): Verdict {
  if (!(residual >= 0)) return 'none';
  return residual <= EXACT_TOL ? 'exact' : residual < APPROX_LIMIT ? 'approximate' : 'none';
}

/** Facts about A_img reported with every image (computed once per model and input size). */
export interface NullityFigures {
  /** A_img rows × cols */
  rows: number; cols: number;
  /** 'wide' (rows < cols), 'square', 'tall' */
  shape: 'wide' | 'square' | 'tall';
  overlap: boolean;
  /** input entries no window reads */
  freeInputs: number;
  /** nullity(A_img) ≥ this */
  lowerBound: number;
  /** ‖A_img‖₂ */
  norm: number;
  /** σ_min(A_img)/‖A‖ estimate, when the lower bound is 0 */
  sigmaMinRelative?: number;
  /** the Lanczos run behind it: products used, convergence, ‖AᵀAv − σ²v‖/‖A‖² of the smallest pair */
  lanczos?: { iterations: number; converged: boolean; residual: number };
  /** a proof of injectivity by block-triangular structure, when tried */
  certificate?: { injective: boolean; reason: string; blockCondition?: number[] };
  /** ker(A_img) = {0} at the tolerance used */
  trivial: boolean;
  /** relative tolerance σ/‖A‖ below which a singular value counts as zero */
  tol: number;
  /** nullity of each group's window matrix W (the paper's Table 1 figure) */
  windowNullity?: number[];
  /** W (m, n) per group */
  window?: { m: number; n: number; groups: number };
}

/** Measurements on x' against x, in pixel units unless said otherwise. */
export interface CollisionMeasures {
  /** ‖A δ‖/(‖A‖‖δ‖), float64, δ = x'_model − x_model */
  residual: number;
  /** ‖δ‖ in pixel units */
  delta: { l2: number; linf: number; rms: number };
  psnr: number;
  /** fraction of samples that hit 0 or 1 (clipped) */
  clipped: number;
  verdict: Verdict;
}

/** One NDJSON line. */
export interface CollideRecord {
  index: number;
  source: string;
  method: 'operator' | 'patch';
  mode: 'exact' | 'approximate';
  direction: string;
  alpha: number;
  seed: number;
  /** verdict for the PNG as written (stored.verdict); exact.verdict is the float64 / .npy one */
  verdict: Verdict;
  nullity: NullityFigures;
  /** float64 x' (what --format npy stores) */
  exact: CollisionMeasures;
  /** x' as written to the PNG (rounded to the bit depth) */
  stored?: CollisionMeasures & { bitDepth: 8 | 16 };
  /** share of ‖seed‖ (for --target: of ‖t − x‖) the projection kept */
  captured?: number;
  /** --target: ‖x' − t‖/‖x − t‖ in pixel units */
  targetDistance?: { before: number; after: number };
  solver?: { iterations: number; converged: boolean };
  fit?: { iterations: number; converged: boolean; violation: number; gamma: number; clipped: number; outsideBefore: number };
  mask?: { kind: 'pixel' | 'window'; keptFraction: number };
  /** approximate mode: relative change of the first-layer output ‖A δ‖/‖A x + b‖, predicted and measured */
  firstLayerChange?: { predicted: number; actual: number; actualStored?: number };
  /** singular values used (approximate mode), relative to ‖A‖ */
  sigma?: number[];
  tool: { name: string; version: string };
  model: { sha256: string; layer: string; kind: 'conv' | 'dense' };
  settings: Record<string, unknown>;
  outputs?: { png?: string; npy?: string };
}

/** SHA-256 of the model bytes, hex (Web Crypto: Node ≥ 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One NDJSON line (no trailing newline); non-finite numbers become null, as JSON has no Infinity. */
export function formatRecord(r: CollideRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}
