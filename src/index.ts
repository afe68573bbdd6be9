// nullspace as a library: every area's public names, one namespace per area (collide and verify
// both have a `Verdict`, of different things, so the areas are not flattened). Node-only pieces (src/cli, src/image/io*)
// are not re-exported here; everything below also runs in a browser.

// WASM core: the instance, its arena, error classes
export * as core from './core/index.js';
// Linear algebra: SVD, rank, null space, GEMM, im2col/col2im, conv operators, CG, Lanczos
export * as linalg from './linalg/index.js';
// ONNX: decode/encode, weights of every storage kind, graph walks, the first layer
export * as onnx from './onnx/index.js';
// Census: per-weight rank/nullity (the paper's Table 1) and the whole-layer operator
export * as census from './census/index.js';
// Images: PNG stream split/decode/encode, .npy, pixels ↔ model tensor, metrics
export * as image from './image/index.js';
// Collide: null-space search (operator projection, patch mode, approximate, masks, box fit)
export * as collide from './collide/index.js';
// Runtime: onnxruntime-web sessions (float32) and float64 execution by graph lowering
export * as runtime from './runtime/index.js';
// Verify: output comparison, verdicts, drift experiments, plots
export * as verify from './verify/index.js';
// Filters: torchconvquality's filter-quality metrics (Gavrikov & Keuper) per 2-D Conv layer
export * as filters from './filters/index.js';
// Interactions: Shapley values and pairwise interactions of a perturbation's grid cells (Wang, Ren et al.)
export * as interactions from './interactions/index.js';
// Grad: Jacobian products (J·V, Jᵀ·U) from tangent and adjoint graphs, at float32 and float64
export * as grad from './grad/index.js';
// Attack: adversarial examples (PGD) through those gradients
export * as attack from './attack/index.js';
// Stem: exact collisions at a tensor after ReLU/Clip/MaxPool, on the level set's polytope
export * as stem from './stem/index.js';
