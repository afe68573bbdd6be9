// The NDJSON record written per image (--report): what was done, how far x' moved, and how
// close to exact the collision is at the first layer, measured in float64 on x' as stored.
// Browser-safe: the tool's name and version come in from the caller (src/cli reads package.json).
import type { FitFigures } from './collider.js';

/**
 * The one verdict of a collision, decided on the float64 x' (what `.npy` stores, clipped to the box):
 * `exact` — first-layer residual ‖Aδ‖/(‖A‖‖δ‖) ≤ EXACT_TOL (at a stem tensor L: L's output and the
 * winners' residual ≤ EXACT_TOL, no bound broken) and x' moved (pixel RMS of δ ≥ MIN_MOVE_RMS);
 * `unmoved` — x' is x, or within MIN_MOVE_RMS of it (the box left no room: not a collision worth the name);
 * `approximate` — residual < APPROX_LIMIT; `none` — larger.
 */
export type Verdict = 'exact' | 'unmoved' | 'approximate' | 'none';

/** ‖A δ‖/(‖A‖‖δ‖) at or below this is float64 round-off — the threshold `verify` uses for outputs. */
export const EXACT_TOL = 1e-12;
/** Above this the perturbation visibly changes the first layer: no collision. */
export const APPROX_LIMIT = 0.1;
/** x' counts as moved when δ's pixel RMS is at least this (PSNR ≤ 60 dB; a quarter of an 8-bit step). */
export const MIN_MOVE_RMS = 1e-3;

/** The verdict from the float64 residual and the pixel RMS of δ. */
export function verdictOf(residual: number, rms = Infinity): Verdict {
  if (!(rms >= MIN_MOVE_RMS)) return 'unmoved';
  if (!(residual >= 0)) return 'none';
  return residual <= EXACT_TOL ? 'exact' : residual < APPROX_LIMIT ? 'approximate' : 'none';
}

/** Why a verdict is not `exact`, in words for stderr and the record. */
export function verdictReason(r: Pick<CollideRecord, 'verdict' | 'exact' | 'fit' | 'stem'>): string | undefined {
  const e = r.exact;
  if (r.stem && r.verdict !== 'exact') return stemReason(r.stem, r.verdict, e);
  switch (r.verdict) {
    case 'exact': return undefined;
    case 'unmoved':
      if (r.fit && r.fit.frozen >= 1) return 'every pixel sits on a bound of the box (0 or 1): there is no room to move without leaving it';
      if (r.fit && r.fit.gamma === 0) return `the pixel box${r.fit.frozen > 0 ? ` (${(r.fit.frozen * 100).toFixed(1)}% of the samples on a bound, held there)` : ''} leaves no room for this direction: x' would be x itself`;
      return `x' moved by pixel RMS ${e.delta.rms.toExponential(2)} < ${MIN_MOVE_RMS}: the box${r.fit ? ` (${(r.fit.frozen * 100).toFixed(1)}% of the pixels on a bound)` : ''} and ker(A_img) leave no room for this direction`;
    default: return `first-layer residual ${e.residual.toExponential(2)} > ${EXACT_TOL}${e.clipped > 0 ? ` (${(e.clipped * 100).toFixed(2)}% of samples clipped to [0, 1]${r.fit ? '' : '; the box fit was off'})` : ''}`;
  }
}

function stemReason(s: StemRecord, verdict: Verdict, e: CollisionMeasures): string {
  const at = `at ${s.at} (${s.equalities} equality rows, ${s.interior} pixels inside the box)`;
  if (verdict === 'unmoved') {
    if (s.dimensionBound === 0 && (s.solver.gamma === 0 || !s.solver.ok)) return `the level set ${at} leaves no room: the equality rows pin x — the polytope is {x} as far as the solver finds (dimension bound 0)`;
    if (!s.solver.ok) return `the exact stage did not reach round-off on the level set ${at} (its completion stalled after ${s.solver.cgSteps} CG steps; dimension bound ${s.dimensionBound}): nothing certified, x' would be x`;
    if (s.dimensionBound === 0) return `the level set ${at} has dimension bound 0; x' moved by pixel RMS ${e.delta.rms.toExponential(2)} < ${MIN_MOVE_RMS}: the equality rows pin x`;
    return `x' moved by pixel RMS ${e.delta.rms.toExponential(2)} < ${MIN_MOVE_RMS}: the level set ${at} and the box leave no room for this direction`;
  }
  if (s.broken > 0) return `${s.broken} bounds of the level set ${at} broken: L's output changes (residual ${s.residual.float64.toExponential(2)})`;
  return `residual ${at}: ${e.residual.toExponential(2)} > ${EXACT_TOL} (winners ${s.equalityResidual.toExponential(2)}, output ${s.residual.float64.toExponential(2)})`;
}

/** A collision at a stem tensor L (src/stem): the level set, the certificates, the solver. */
export interface StemRecord {
  /** L: the tensor, and the node producing it */
  at: string; node: string;
  /** winners held (equality rows), bounded positions (inequality rows), bounds with zero slack at x, outputs on a flat part */
  equalities: number; inequalities: number; tight: number; flatOutputs: number;
  /** pixels strictly inside the box at x; the proven dim(polytope) ≥ interior − equalities − tight */
  interior: number; dimensionBound: number;
  /** each L tried (the shallowest with a positive bound is taken) */
  tried: { at: string; equalities: number; dimensionBound: number }[];
  /** ‖h_L(x') − h_L(x)‖/‖h_L(x)‖ for the float64 x' at float64 and float32 arithmetic, and for the PNG as written */
  residual: { float64: number; float32: number };
  storedResidual: { float64: number; float32: number };
  /** ‖A_S δ‖/(‖A_S‖‖δ‖) over the winners */
  equalityResidual: number;
  /** smallest slack of a bound at x' (L's units before the activation), bounds broken (float64 x', PNG) */
  minSlack: number; broken: number; storedBroken: number;
  /** bounds of zero slack at x (tied maxima) that x' keeps tied to round-off: equalities in effect */
  tiesKept: number;
  /** bounds x' keeps at float64 but breaks in float32 arithmetic: strict inequalities flipped by rounding */
  flips32: number;
  /** ‖A δ‖/‖A x + b‖: the first layer's output changes — the collision is at L, not before */
  firstLayerChange: number;
  solver: { iterations: number; rounds: number; cgSteps: number; heldRows: number; heldPixels: number; gamma: number; ok: boolean; aimRounds: number; retried: boolean };
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
  /** fraction of samples of x + δ outside [0, 1] before the final clip */
  clipped: number;
}

/** One NDJSON line. */
export interface CollideRecord {
  index: number;
  source: string;
  method: 'operator' | 'patch' | 'stem';
  mode: 'exact' | 'approximate';
  direction: string;
  alpha: number;
  seed: number;
  /** the one verdict (see Verdict), decided on the float64 x' */
  verdict: Verdict;
  /** why the verdict is not exact */
  reason?: string;
  /** whether x' was written (a non-exact x' only with --allow-approximate) */
  written?: boolean;
  nullity: NullityFigures;
  /** float64 x' (what --format npy stores) */
  exact: CollisionMeasures;
  /** x' as written to the PNG (rounded to the bit depth: never exact, see `verify`'s rounding ratio) */
  stored?: CollisionMeasures & {
    bitDepth: 8 | 16;
    /** the residual nearest rounding would have left (the grid rounding chose samples A_img sees less) */
    nearestResidual?: number;
    /** share of samples stored on the other grid neighbour than the nearest */
    moved?: number;
  };
  /** share of ‖seed‖ (for --target: of ‖t − x‖) the projection kept */
  captured?: number;
  /** --target: ‖x' − t‖/‖x − t‖ in pixel units */
  targetDistance?: { before: number; after: number };
  solver?: { iterations: number; converged: boolean };
  fit?: FitFigures;
  /** pixel RMS of δ asked for and reached after the box fit */
  strength?: { asked: number; reached: number };
  mask?: { kind: 'pixel' | 'window'; keptFraction: number };
  /** approximate mode: relative change of the first-layer output ‖A δ‖/‖A x + b‖, predicted and measured */
  firstLayerChange?: { predicted: number; actual: number; actualStored?: number };
  /** singular values used (approximate mode), relative to ‖A‖ */
  sigma?: number[];
  tool: { name: string; version: string };
  model: { sha256: string; layer: string; kind: 'conv' | 'dense' | 'stem' };
  /** a collision at a stem tensor: where, and its certificates */
  stem?: StemRecord;
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
