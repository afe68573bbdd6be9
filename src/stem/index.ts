// Exact collisions past an injective first layer: at a tensor after the stem's ReLU/Clip/MaxPool
// layers, on the level set's polytope (DESIGN.md §5).
export { stemChain, cutCheck, type StemChain, type StemCandidate } from './chain.js';
export { flatsOf, levelSet, stemForward, windowsOf, poolOutput, type Act, type Pool, type Step, type LevelSet, type Windows, type Flats } from './program.js';
export { stemSolve, completeRows, type RowBounds, type StemSolveOptions, type StemSolveResult } from './solve.js';
export { prepareStem, type StemSetup, type StemOptions, type StemCollision, type StemLevel, type StemMeasures } from './collider.js';
export { stemModel, type StemSpec } from './example.js';
