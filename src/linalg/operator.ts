// A linear operator given by its products with vectors: A x and Aᵀ y. The whole first layer
// at the real input size is one (DESIGN.md §1); iterative solvers work on this interface only.

export interface LinearOperator {
  /** length of A x */
  readonly rows: number;
  /** length of x */
  readonly cols: number;
  /** A x (float64); writes into out when given */
  apply(x: Float64Array, out?: Float64Array): Float64Array;
  /** Aᵀ y (float64); writes into out when given */
  applyT(y: Float64Array, out?: Float64Array): Float64Array;
}
