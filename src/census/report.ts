// The census records: one per distinct weight, the per-model summary and the first layer.
// These are the `--json` shapes of `nullspace inspect` (issue 3), so field names are public.

/** Rank-tolerance choice: numpy matrix_rank's rule at float32 eps unless rtol/atol are given. */
export interface ToleranceOptions {
  /** relative tolerance: tol = rtol · σmax */
  rtol?: number;
  /** absolute tolerance (wins over rtol, as in matrixRank) */
  atol?: number;
}

export interface WeightReport {
  /** stored tensor name */
  name: string;
  /** op of the first node that uses it (Conv, ConvTranspose, Gemm, MatMul, ConvInteger, …) */
  op: string;
  /** that node's name */
  node: string;
  /** stored dims */
  shape: number[];
  /** storage type (float32, float16, int8, …) */
  dtype: string;
  groups: number;
  /** per group */
  inDim: number;
  outDim: number;
  /** smallest group rank at the tolerance below */
  rank: number;
  /** smallest group rank at σmax·max(m, n)·eps(float64) */
  rankF64: number;
  /** inDim − rank */
  nullity: number;
  wide: boolean;
  rankDeficient: boolean;
  /** largest σ over groups */
  sigmaMax: number;
  /** smallest σ over groups (of each group's min(m, n) values) */
  sigmaMin: number;
  /** largest tolerance used over groups */
  tolerance: number;
  /** number of trainable nodes that use this tensor */
  consumers: number;
  /** how the singular values were computed ('jacobi', 'gram', …; several joined by '+') */
  path: string;
  /** ops between the stored tensor and the layer (Identity, DequantizeLinear, …) */
  via: string[];
  /** the block-diagonal matrix of all groups */
  totals: { inDim: number; outDim: number; rank: number; nullity: number };
}

export interface OperatorReport {
  /** the image input's shape used (batch 1) */
  inputShape: number[];
  inDim: number;
  outDim: number;
  overlapping: boolean;
  /** exact nullity of A_img, or a lower bound when nullityIsExact is false */
  nullity: number;
  nullityIsExact: boolean;
  /** how the nullity was established */
  method: string;
  /** input pixels no window reads (each is a free direction) */
  unreadPixels: number;
}

export interface FirstLayerReport {
  weight: string;
  op: string;
  node: string;
  /** ops between the image input and this layer */
  between: string[];
  /** nullity of the window matrix W (per group) */
  windowNullity: number;
  /** the whole layer at the input size; null when the size is unknown (see note) */
  operator: OperatorReport | null;
  note?: string;
}

export interface ModelSummary {
  weights: number;
  rankDeficient: number;
  wide: number;
  rankDeficientPct: number;
  widePct: number;
}

export interface ModelReport {
  path: string;
  sha256: string;
  input: { name: string; shape: (number | string | null)[] };
  weights: WeightReport[];
  summary: ModelSummary;
  firstLayer: FirstLayerReport | null;
  /** the tolerance rule used */
  tolerance: string;
}
