// Jacobian products of ONNX models: tangent (J·V) and adjoint (Jᵀ·U) graphs built from per-op
// rules, run at float32 and float64 on the same runtime as inference.
export { createJacobian, type Jacobian, type JacobianOptions } from './jacobian.js';
export { buildGradModel, type GradModel } from './build.js';
export { probeTensors, type TensorInfo } from './probe.js';
export { RULES } from './rules.js';
export { imageGradient, type ImageGradient, type ImageGradientOptions } from './image-gradient.js';
export { scalarOf, type ScalarChoice } from './scalar.js';
export { gradientHeatmap } from './heatmap.js';
