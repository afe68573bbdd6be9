// The preprocessing flags of verify and drift (--preset, --mean, --std, --bgr, --size), with
// collide's names and help texts. Light on purpose: the command specs load it at every start-up;
// parsing the values is model-input-args.ts's job.
import type { Argv } from 'yargs';

export interface ModelInputArgs {
  preset?: string;
  mean?: string;
  std?: string;
  bgr?: boolean;
  size?: string;
}

/** Adds the preprocessing flags to a command. */
export function modelInputOptions<T>(y: Argv<T>): Argv<T & ModelInputArgs> {
  return y
    .option('preset', { type: 'string', describe: 'normalisation preset, as collide: imagenet | paddle (mean = std = 0.5) | none (default)' })
    .option('mean', { type: 'string', describe: 'per-channel mean after scaling to [0,1], RGB order: "0.5" or "0.485,0.456,0.406"' })
    .option('std', { type: 'string', describe: 'per-channel std, RGB order' })
    .option('bgr', { type: 'boolean', describe: 'the model takes channels as B, G, R' })
    .option('size', { type: 'string', describe: 'model input size HxW when the model\'s is dynamic; default: the (original) image\'s size' }) as unknown as Argv<T & ModelInputArgs>;
}
