// Adversarial examples: from the model's gradients (src/grad) PGD (L∞, L2) and the L-BFGS attack;
// score-based, the Square Attack; with records.
export { createClassifier, logitsTensor, logSumExp, type Classifier, type ClassifierOptions } from './classifier.js';
export { pgd, argmax, type PgdOptions, type AttackResult, type AttackNorm } from './pgd.js';
export { attackImage, colorsOnly, resolveMethod, type AttackMethod, type AttackRecord, type AttackSettings } from './attack.js';
export { szegedy, type SzegedyOptions, type SzegedyResult } from './szegedy.js';
export { minimizeBox, type BoxProblem, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
export { squareAttack, squareFraction, type SquareOptions } from './square.js';
