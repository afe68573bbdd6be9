// Re-exports every kernel family; nothing else lives here.
// Memory is owned by the host (src/core): kernels take byte offsets into the
// exported memory, write into caller-sized outputs and never allocate.
export { heapBase } from "./memory";
export { gemmF64, gemmF32, gemmWorkElems } from "./gemm";
export { im2colF64, im2colF32, col2imF64, col2imF32 } from "./im2col";
