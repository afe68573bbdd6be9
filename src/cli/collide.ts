// `nullspace collide MODEL [IMAGES…]`: null-space search per image. Without IMAGES it reads a
// stream of concatenated PNGs on stdin and writes the colliding PNGs, in order, to stdout; with
// IMAGES (files or directories) it writes to --out-dir. Reports go to --report (NDJSON).
// This module holds the flags (loaded at every start-up); the body, collide-run.ts, is imported
// when the command runs.
import { availableParallelism } from 'node:os';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DEFAULT_MAX_PIXELS } from '../image/png-chunks.js';
import { EXIT_CODES_HELP } from './errors.js';
import type { CollideArgs } from './collide-options.js';
import { SHARD_OPTION } from './shard.js';

export const command = 'collide <model> [images..]';
export const describe = 'Make images whose first-layer features (hence the prediction) equal the originals\': x\' = x + α·δ with δ in ker(A_img)';

export function builder(y: Argv): Argv<CollideArgs> {
  return y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('images', { type: 'string', array: true, describe: 'PNG/.npy files or directories; none: a PNG stream on stdin → PNG stream on stdout' })
    .option('method', { type: 'string', default: 'operator', describe: 'operator: project onto ker(A_img) of the whole first layer (exact); patch: the paper\'s per-window fold of a ker(W) vector (exact only for disjoint windows)' })
    .option('direction', { type: 'string', describe: 'seed direction: noise (seeded Gaussian; the default)' })
    .option('target', { type: 'string', describe: 'seed direction t − x for this PNG: x\' = x + α·P(t − x), the collision closest to T the null space allows (α default 1)' })
    .option('basis', { type: 'number', describe: 'seed direction: ker(W) basis vector K folded into every window (then projected, in operator mode)' })
    .option('alpha', { type: 'number', describe: 'goal x + α·d with d ∈ ker(A_img) at unit pixel RMS (α is that pixel RMS); with --target a multiple of P(t − x) (default 1). The fit may reach less: the record says how much' })
    .option('psnr', { type: 'number', describe: 'PSNR(x, x\') in dB to reach after the box fit (pixel space, peak 1; the goal is enlarged until the fitted δ reaches it). Default: pixel RMS 0.05 (≈ 26 dB), also reached after the fit' })
    .option('mask', { type: 'string', describe: 'PNG of multipliers (gray, [0,1]): input size = per pixel, first-layer output size = per window; operator mode keeps δ = 0 where the mask is 0 and stays exact' })
    .option('fit', { type: 'boolean', describe: 'the box fit (on by default): x\' is an exact collision inside [0,1] near x + α·d (or T): sums of tile-local null vectors fitted tile by tile, else the global fit (the closest one). --no-fit skips it: x + α·d is clipped, which leaves the null space, so such images are refused unless --allow-approximate' })
    .option('at', { type: 'string', describe: 'where x\' collides: first-layer (ker(A_img)), or a tensor after the stem\'s ReLU/Clip/MaxPool layers (its polytope, DESIGN.md §5). Default: the first layer when its null space moves pixels some window reads, else the shallowest stem tensor that is a cut of the graph' })
    .option('stem-iter', { type: 'number', describe: 'primal–dual steps of the stem solver before its exact stage (default 100)' })
    .option('fit-iter', { type: 'number', describe: 'ADMM iterations of the global box fit at most (default 100; the tile fit\'s fallback)' })
    .option('allow-approximate', { type: 'boolean', describe: 'write x\' even when it is not an exact collision (clipped with --no-fit; or, when ker(A_img) is trivial, the smallest singular vectors of A_img instead of exiting with 3)' })
    .option('approx-k', { type: 'number', default: 4, describe: 'smallest singular vectors used by --allow-approximate' })
    .option('approx-iter', { type: 'number', describe: 'Lanczos products for them (default 800; fewer give Ritz vectors that are not the smallest, with exact predictions)' })
    .option('seed', { type: 'number', default: 0, describe: 'random seed (image i uses seed + i)' })
    .option('bit-depth', { type: 'number', default: 16, describe: 'PNG sample depth of x\': 8 or 16 (rounding leaves the null space; 16 leaves it least)' })
    .option('format', { type: 'string', default: 'png', describe: 'png, or npy: also write x\' as float64 .npy (H×W×C, [0,1]) — the exact collision' })
    .option('npy-dir', { type: 'string', describe: 'write the .npy files here (stream mode: required for --format npy; implies it)' })
    .option('out-dir', { type: 'string', default: './collisions', describe: 'output folder when IMAGES are given' })
    .option('size', { type: 'string', describe: 'model input size HxW (needed when the model\'s is dynamic)' })
    .option('resize', { type: 'boolean', describe: 'resize inputs of another size to the model\'s (bilinear, before perturbing; default: error)' })
    .option('preset', { type: 'string', describe: 'normalisation preset: imagenet | paddle (mean = std = 0.5) | none (default)' })
    .option('mean', { type: 'string', describe: 'per-channel mean after scaling to [0,1], RGB order: "0.5" or "0.485,0.456,0.406"' })
    .option('std', { type: 'string', describe: 'per-channel std, RGB order' })
    .option('bgr', { type: 'boolean', describe: 'the model takes channels as B, G, R' })
    // nargs 1: without it yargs-parser reads `--report -` as an empty value and drops the dash (yargs/yargs#1312)
    .option('report', { type: 'string', nargs: 1, describe: 'write one NDJSON record per image to FILE, or to stderr with - (then stderr carries only the records and errors)' })
    .option('max-pixels', { type: 'number', default: DEFAULT_MAX_PIXELS, describe: 'refuse PNGs whose header declares more pixels (checked before inflating)' })
    .option('tol', { type: 'number', default: 1e-13, describe: 'solver target for ‖Aδ‖/(‖A‖‖δ‖)' })
    .option('max-iter', { type: 'number', describe: 'solver iteration cap (default 3000)' })
    .option('json', { type: 'boolean', describe: 'IMAGES mode: print the NDJSON records to stdout instead of the text summary' })
    .option('threads', { type: 'number', default: availableParallelism(), describe: 'worker threads for a stream or folder of images, started when a second image arrives (each holds its own set-up: at most as many as fit 1 GiB of them); the output is the same for any count. Default: all cores' })
    .option('shard', SHARD_OPTION)
    .epilogue(EXIT_CODES_HELP)
    .example('$0 collide cls.onnx --preset paddle < in.png > out.png', 'one image through a pipe')
    .example('$0 collide cls.onnx imgs/ --preset paddle --psnr 24 --fit --format npy --report r.ndjson', 'a folder, exact .npy beside the PNGs') as unknown as Argv<CollideArgs>;
}

export async function handler(args: ArgumentsCamelCase): Promise<void> {
  const { run } = await import('./collide-run.js');
  await run(args);
}
