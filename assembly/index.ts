// Re-exports every kernel family; nothing else lives here.
// Memory is owned by the host (src/core): kernels take byte offsets into the
// exported memory, write into caller-sized outputs and never allocate.
export { heapBase } from "./memory";
export { gemmF64, gemmF32, gemmWorkElems } from "./gemm";
export { im2colF64, im2colF32, col2imF64, col2imF32 } from "./im2col";
export { jacobiF64, jacobiF32, jacobiRotations, jacobiMaxCosine, jacobiMaxSine, rowsNormalizeF64, rowsNormalizeF32, rowsCompleteF64, rowsCompleteF32, transposeF64, transposeF32 } from "./svd_jacobi";
export { qrHouseF64, qrHouseF32, qrRF64, qrRF32, qrApplyF64, qrApplyF32, qrWyF64, qrWyF32, qrBlockSize, qrWorkElems } from "./qr";
export { qrcpInitF64, qrcpStepF64, triInvFrobF64, normOneInfF64 } from "./qrcp";
export { gramF64, gramWorkElems, symEigvalsF64 } from "./sym_eigen";
export { bidiagonalizeF64, bidiagWorkElems, bidiagValuesF64, maxAbsF64, stageF64, qrColumnsF64 } from "./bidiag";
export { symEigJacobiF64 } from "./ritz";
export { gemvNF64, gemvNF32, gemvTF64, gemvTF32, dotF64, dotF32, axpbyF64, axpbyF32 } from "./blas1";
export { bandCholeskyF64, bandSolveF64, bandSolvePeriodicF64, bandSolveBlocksF64, bandSolveBlocksF32 } from "./banded";
export { rowsCombineF64, trsvLowerF64, trsvLowerTF64, trsvLowerFromF64, trsvLowerTBlockF64, activeSetTileF64, heldTileStepF64 } from "./tile";
export { dualTileF64 } from "./tile_dual";
export { tileResidualsF64, tileRoomsF64, tileNoUp, tileNoDown, tileStepAlongF64, heldTileAtF64 } from "./tile_sweep";
export { convGramTableF64, convGramRowsF64, convGramDowndateF64 } from "./conv_gram";
export { convRowsF64, convRowsTF64 } from "./conv_rows";
export { pdDualF32 } from "./primal_dual";
export { gridDescentConvF64, gridDescentDenseF64 } from "./grid_round";
