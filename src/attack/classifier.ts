// A classifier seen from pixel space for the attacks: logits of an image (pixel values in [0, 1],
// H×W×K as src/image holds them) and the gradient of the cross-entropy with respect to those
// pixels, through the model's Jacobian (src/grad). When the chosen output is a Softmax's output,
// its input (the logits) is used instead: a saturated probability carries no gradient digits.
import { InputError } from '../core/errors.js';
import { createJacobian, type Jacobian } from '../grad/jacobian.js';
import type { Image } from '../image/image.js';
import { modelGradientToPixelGradient, toModelTensor, type ModelInputOptions } from '../image/tensor.js';
import { decodeModel } from '../onnx/model.js';
import type { ModelProto } from '../onnx/proto.js';
import type { BackendName } from '../runtime/backends.js';
import { createSession, type Precision, type Session, type SessionBackend } from '../runtime/session.js';

export interface ClassifierOptions {
  /** tensor holding the class scores (default: the model's first output; a Softmax's output means its input) */
  output?: string;
  precision?: Precision;
  source?: string;
  /** 'wasm' (default), 'webgpu' or 'native', for the forward passes and the gradients */
  backend?: BackendName;
  /** build the Jacobian for crossEntropy (default true); false: logits only, for models with an op
   *  that has no derivative rule (the score-based Square Attack needs no gradient) */
  gradients?: boolean;
}

export interface Classifier {
  /** the tensor differentiated (logits) */
  readonly logitsName: string;
  readonly classes: number;
  /** model evaluations so far (forward and gradient) */
  readonly queries: number;
  /** where the forward passes run: backend, execution provider, node placement */
  readonly backend: SessionBackend;
  logits(pixels: Float64Array): Promise<Float64Array>;
  /**
   * Cross-entropy of class `label` at the image and its gradient with respect to the pixel values.
   * @returns loss = −log softmax(z)[label], grad (H×W×K), and the logits z
   */
  crossEntropy(pixels: Float64Array, label: number): Promise<{ loss: number; grad: Float64Array; logits: Float64Array }>;
  release(): Promise<void>;
}

/** log Σ exp(z), stable. */
export function logSumExp(z: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]!);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += Math.exp(z[i]! - m);
  return m + Math.log(s);
}

/** The logits tensor for a requested output: the input of a Softmax/LogSoftmax that produces it. */
export function logitsTensor(model: ModelProto, output?: string): string {
  const name = output ?? model.graph?.output?.[0]?.name ?? '';
  const producer = (model.graph?.node ?? []).find((n) => (n.output ?? []).includes(name));
  return producer && (producer.opType === 'Softmax' || producer.opType === 'LogSoftmax') ? producer.input![0]! : name;
}

/**
 * @param like an image of the size and channels the classifier will see (its data is not used)
 * @throws InputError for a model the derivative rules cannot handle (every missing op named)
 */
export async function createClassifier(model: Uint8Array | ModelProto, like: Image, input: ModelInputOptions, opts: ClassifierOptions = {}): Promise<Classifier> {
  const source = opts.source ?? 'model';
  const proto = model instanceof Uint8Array ? decodeModel(model, source) : model;
  const logitsName = logitsTensor(proto, opts.output);
  const dims = [1, input.channels ?? 3, like.height, like.width];
  const precision = opts.precision ?? 'f32';
  const jac: Jacobian | undefined = opts.gradients === false ? undefined : await createJacobian(proto, dims, { precision, outputs: [logitsName], source, ...(opts.backend ? { backend: opts.backend } : {}) });
  const fwd: Session = await createSession(proto, { precision, expose: [logitsName], source, ...(opts.backend ? { backend: opts.backend } : {}) });
  let queries = 0;
  const tensor = (pixels: Float64Array) => toModelTensor({ ...like, data: pixels }, input);
  const logits = async (pixels: Float64Array) => {
    queries++;
    const r = await fwd.run({ [fwd.inputNames[0]!]: { data: tensor(pixels), dims } });
    return Float64Array.from(r[logitsName]!.data as ArrayLike<number>);
  };
  const classes = jac ? jac.outputDims[0]!.reduce((a, b) => a * b, 1) : (await logits(new Float64Array(like.data.length))).length; // one probe run for the class count
  queries = 0;
  if (classes < 2) {
    await jac?.release();
    await fwd.release();
    throw new InputError(`${source}: ${logitsName} has ${classes} entry; attacks need class scores`);
  }
  return {
    logitsName, classes, logits, backend: fwd.backend,
    get queries() { return queries; },
    async crossEntropy(pixels, label) {
      if (!jac) throw new Error('this classifier was created without gradients (gradients: false)');
      const x = tensor(pixels);
      const z = await logits(pixels);
      const lse = logSumExp(z);
      const u = Float64Array.from(z, (v, i) => Math.exp(v - lse) - (i === label ? 1 : 0));
      queries++;
      const { gradient } = await jac.vjp(x, { [logitsName]: u }, 1);
      return { loss: lse - z[label]!, grad: modelGradientToPixelGradient(gradient, input, like), logits: z };
    },
    async release() {
      await jac?.release();
      await fwd.release();
    },
  };
}
