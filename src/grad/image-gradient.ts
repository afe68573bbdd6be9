// The gradient of one scalar of a model (a chosen entry of an output or intermediate tensor, or
// the top-1 margin) with respect to an image's pixel values in [0, 1]: `nullspace grad`.
import { InputError } from '../core/errors.js';
import type { Image } from '../image/image.js';
import { modelGradientToPixelGradient, toModelTensor, type ModelInputOptions } from '../image/tensor.js';
import type { ModelProto } from '../onnx/proto.js';
import type { BackendName } from '../runtime/backends.js';
import type { Precision, SessionBackend } from '../runtime/session.js';
import { createJacobian } from './jacobian.js';
import { scalarOf, type ScalarChoice } from './scalar.js';

export interface ImageGradientOptions {
  /** the tensor the scalar is read from (default: the model's first output) */
  output?: string;
  /** the entry of that tensor (flattened, one image); default: the top-1 margin */
  classIndex?: number;
  precision?: Precision;
  source?: string;
  /** 'wasm' (default), 'webgpu' (float32 only) or 'native' */
  backend?: BackendName;
}

export interface ImageGradient {
  output: string;
  outputDims: number[];
  scalar: Omit<ScalarChoice, 'cotangent'>;
  /** ∂scalar/∂pixel, H×W×K row-major (K the image's colour channels) */
  gradient: Float64Array;
  /** the same with respect to the model input (1, C, H, W) */
  modelGradient: Float64Array;
  /** where the adjoint graph ran: backend, execution provider, node placement */
  backend?: SessionBackend;
}

/**
 * @param image the image at the model's input size
 * @throws InputError for an image whose size the model does not take, unknown tensors, ops without rules
 */
export async function imageGradient(model: Uint8Array | ModelProto, image: Image, input: ModelInputOptions, opts: ImageGradientOptions = {}): Promise<ImageGradient> {
  const source = opts.source ?? 'model';
  const dims = [1, input.channels ?? 3, image.height, image.width];
  const j = await createJacobian(model, dims, { precision: opts.precision ?? 'f64', source, ...(opts.output ? { outputs: [opts.output] } : {}), ...(opts.backend ? { backend: opts.backend } : {}) });
  try {
    const output = j.outputs[0]!;
    if (!output) throw new InputError(`${source}: the model has no outputs`);
    const x = toModelTensor(image, input);
    const zero = new Float64Array(j.outputDims[0]!.reduce((a, b) => a * b, 1));
    const first = await j.vjp(x, { [output]: zero }, 1);
    const y = first.values[output]!;
    const choice = scalarOf(y, opts.classIndex);
    const { gradient } = await j.vjp(x, { [output]: choice.cotangent }, 1);
    const modelGradient = Float64Array.from(gradient);
    const { cotangent: _c, ...scalar } = choice;
    const { adjoint: backend } = await j.backends();
    return { output, outputDims: [...j.outputDims[0]!], scalar, gradient: modelGradientToPixelGradient(modelGradient, input, image), modelGradient, ...(backend ? { backend } : {}) };
  } finally {
    await j.release();
  }
}
