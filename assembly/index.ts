// Re-exports every kernel family; nothing else lives here.
// Memory is owned by the host (src/core): kernels take byte offsets into the
// exported memory, write into caller-sized outputs and never allocate.
export { heapBase } from "./memory";
