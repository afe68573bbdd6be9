// Linear algebra over plain typed arrays; the kernels run in the WASM core.
export { type ConvGeometry, outputSize, convGeometry, windowsOverlap } from './geometry.js';
export type { LinearOperator } from './operator.js';
export { rng, randn, type Rng } from './random.js';
