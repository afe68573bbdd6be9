// Linear algebra over plain typed arrays; the kernels run in the WASM core.
export { type ConvGeometry, outputSize, convGeometry, windowsOverlap } from './geometry.js';
export type { LinearOperator } from './operator.js';
export { rng, randn, type Rng } from './random.js';
export { gemm, type GemmOptions } from './gemm.js';
export { im2col, col2im } from './im2col.js';
export { conv2d, conv2dAdjoint, convOperator } from './conv.js';
export { denseOperator } from './dense-operator.js';
export { dot, nrm2, axpy, scal } from './blas1.js';
export { projectToNullSpace, opNorm, type ProjectOptions, type ProjectResult, type OpNormOptions } from './project.js';
export { svd, type SvdOptions, type SvdResult } from './svd.js';
export { singularValues, type SingularValuesOptions, type SingularValuesResult } from './singular-values.js';
export { matrixRank, type MatrixRankOptions, type MatrixRankResult } from './rank.js';
export { nullSpace, type NullSpaceOptions, type NullSpaceResult } from './nullspace.js';
export { qr, type QrResult } from './qr.js';
export { EPS64, EPS32, defaultTolerance, gramMinRtol } from './tolerance.js';
export { SvdPool } from './pool.js';
export { symmetricEigen, type SymmetricEigen } from './ritz.js';
export { smallestSingularTriplets, sigmaMinEstimate, type LanczosOptions, type SingularTriplets, type SigmaMinEstimate } from './lanczos.js';
