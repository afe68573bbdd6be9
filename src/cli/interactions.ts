// `nullspace interactions MODEL ORIGINAL PERTURBED`: Shapley values and pairwise interactions of
// the grid cells of δ = PERTURBED − ORIGINAL inside the model (Wang, Ren et al., ICLR 2021), with
// standard errors, evaluations and time; --baseline random adds a seeded random δ of the same
// norm. Writes the matrices (.npy), the report (JSON) and the heat maps into --out. Thin: read,
// call src/interactions, format. The library, onnxruntime and plotting load inside the handler.
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { InputError, assertInt, invalidParameter } from '../core/errors.js';
import { modelInputOptions, type ModelInputArgs } from './model-input-flags.js';
import { tool } from './version.js';

export interface InteractionsArgs extends ModelInputArgs {
  model: string;
  original: string;
  perturbed: string;
  grid: number;
  samples: number;
  seed: number;
  utility: string;
  precision: string;
  batch: number;
  baseline: string;
  out: string;
  json?: boolean;
}

export const command = 'interactions <model> <original> <perturbed>';
export const describe = 'Shapley values and pairwise game-theoretic interactions of the grid cells of a perturbation inside the model';

export function builder(y: Argv): Argv<InteractionsArgs> {
  return modelInputOptions(y
    .positional('model', { type: 'string', describe: 'ONNX model file', demandOption: true })
    .positional('original', { type: 'string', describe: 'the image x (PNG or float64 .npy H×W×C in [0, 1])', demandOption: true })
    .positional('perturbed', { type: 'string', describe: 'x + δ (PNG or .npy, e.g. from collide --format npy)', demandOption: true })
    .option('grid', { type: 'number', default: 16, describe: 'units are the cells of a grid×grid partition of δ; cost grows as grid⁴ (one round evaluates ≈ grid⁴ masked images: ≈ 65 000 at 16, ≈ 4 000 at 8); default 16' })
    .option('samples', { type: 'number', default: 4, describe: 'rounds: context samples per pair (each round gives every pair one sample and every unit grid²/2 marginals); ≥ 2 for standard errors; default 4' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the contexts (and of the random baseline), default 0' })
    .option('utility', { type: 'string', default: 'margin', describe: 'v(S) = u(x + δ_S) − u(x) with u: margin (top-1 output − the largest other), logit (the top-1 output), loss (its cross-entropy); default margin' })
    .option('precision', { type: 'string', default: 'f32', describe: 'f32 (onnxruntime as is) or f64 (the graph lowered to double ops, slower); default f32' })
    .option('batch', { type: 'number', default: 32, describe: 'masked images per model run, default 32' })
    .option('baseline', { type: 'string', default: 'none', describe: 'none, or random: also analyse a seeded Gaussian δ with the same pixel-space L2 norm; default none' })
    .option('out', { type: 'string', default: 'interactions', describe: 'directory for interactions.npy (grid²×grid²), interactions-se.npy, shapley.npy, interactions.json, interactions.svg/png; default ./interactions' })
    .option('json', { type: 'boolean', describe: 'print the JSON report instead of text' }))
    .example('$0 interactions cls.onnx x.png x-prime.npy --preset paddle --baseline random --out ia/', 'a null-space δ against a random δ of the same norm') as unknown as Argv<InteractionsArgs>;
}

function checkArgs(a: InteractionsArgs): void {
  assertInt('--grid', a.grid, 1, 64);
  assertInt('--samples', a.samples, 1, 1e6);
  assertInt('--seed', a.seed, -(2 ** 31), 2 ** 32);
  assertInt('--batch', a.batch, 1, 4096);
  if (a.precision !== 'f32' && a.precision !== 'f64') throw invalidParameter('--precision', 'one of f32, f64', a.precision, RangeError);
  if (a.baseline !== 'none' && a.baseline !== 'random') throw invalidParameter('--baseline', 'one of none, random', a.baseline, RangeError);
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : '-');

export async function handler(argv: ArgumentsCamelCase): Promise<void> {
  const args = argv as unknown as InteractionsArgs;
  checkArgs(args);
  const { resolveUtility } = await import('../interactions/utility.js');
  const utility = resolveUtility(args.utility);
  const { normalizationOf, channelStats, parseSize } = await import('./model-input-args.js');
  const norm = normalizationOf(args);
  const { readFileSync } = await import('node:fs');
  const { mkdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { readImageFile, writeFileAtomic } = await import('../image/io.js');
  const { toModelTensor } = await import('../image/tensor.js');
  const { writeNpy } = await import('../image/npy.js');
  const { readModelFile } = await import('./model-file.js');
  const { createSession } = await import('../runtime/session.js');
  const { sessionRunner, randomLike } = await import('../interactions/model-game.js');
  const { analyseInteractions } = await import('../interactions/analyse.js');

  const original = await readImageFile(args.original);
  const perturbed = await readImageFile(args.perturbed);
  if (perturbed.width !== original.width || perturbed.height !== original.height) {
    throw new InputError(`${args.perturbed}: image is ${perturbed.height}×${perturbed.width} but the original is ${original.height}×${original.width}`);
  }
  const size = parseSize(args.size) ?? { h: original.height, w: original.width };
  if (size.h !== original.height || size.w !== original.width) throw new InputError(`${args.original}: image is ${original.height}×${original.width} but --size is ${size.h}×${size.w}; interactions work at model resolution (no resizing)`);
  const mf = readModelFile(args.model);
  const session = await createSession(new Uint8Array(readFileSync(args.model)), { precision: args.precision as 'f32' | 'f64', source: mf.label });
  try {
    const meta = session.inputMeta[0];
    if (!meta || meta.dims.length !== 4) throw new InputError(`${mf.label}: the first input is not an image tensor [N, C, H, W]`);
    const [, C, H, W] = meta.dims;
    if ((typeof H === 'number' && H !== size.h) || (typeof W === 'number' && W !== size.w)) throw new InputError(`${args.original}: image is ${size.h}×${size.w} but the model input is ${H}×${W}`);
    const channels = (typeof C === 'number' ? C : 3) as 1 | 3;
    // a preset's three equal values serve a one-channel model too
    const one = (v: number | readonly number[]) => (channels === 1 && Array.isArray(v) && v.every((e) => e === v[0]) ? v[0]! : v);
    const options = { ...norm, mean: one(norm.mean), std: one(norm.std), channels };
    const x = toModelTensor(original, options, args.original);
    const xp = toModelTensor(perturbed, options, args.perturbed);
    const delta = xp.map((v, i) => v - x[i]!);
    const runner = sessionRunner(session, [channels, size.h, size.w]);
    const base = { x, h: size.h, w: size.w, grid: args.grid, samples: args.samples, seed: args.seed, utility, batch: args.batch };
    const progress = process.stderr.isTTY ? (r: number, n: number) => process.stderr.write(`\r${mf.label}: round ${r}/${n}`) : undefined;
    const main = await analyseInteractions(runner, { ...base, delta, onProgress: progress });
    const std = channelStats(options).std;
    const plane = size.h * size.w;
    const pixelNorm = (d: Float64Array) => Math.sqrt(d.reduce((s, v, i) => s + (v * std[Math.floor(i / plane)]!) ** 2, 0));
    const random = args.baseline === 'random' ? randomLike(delta, std, plane, args.seed) : undefined;
    const baseline = random ? await analyseInteractions(runner, { ...base, delta: random, onProgress: progress }) : undefined;
    if (progress) process.stderr.write('\n');

    const n = main.units, g = args.grid;
    const record = (r: typeof main, d: Float64Array) => ({
      units: r.units, grid: g, samples: r.samples, class: r.class, u0: r.u0,
      vFull: r.vFull, vEmpty: r.vEmpty, shapleySum: r.shapleySum,
      meanAbsInteraction: r.meanAbsInteraction, meanInteraction: r.meanInteraction, meanInteractionSE: r.meanInteractionSE, meanAbsShapley: r.meanAbsShapley,
      deltaL2: pixelNorm(d), evaluations: r.evaluations, seconds: r.seconds,
      shapley: Array.from(r.shapley), shapleySE: Array.from(r.shapleySE, (v) => (Number.isFinite(v) ? v : null)), summedInteraction: Array.from(r.summedInteraction),
    });
    const report = {
      tool, model: { path: args.model, name: mf.label, sha256: mf.sha256 }, original: args.original, perturbed: args.perturbed,
      settings: { grid: g, samples: args.samples, seed: args.seed, utility, precision: args.precision, batch: args.batch, baseline: args.baseline,
        preset: args.preset ?? 'none', mean: norm.mean, std: norm.std, bgr: norm.bgr ?? false, size: `${size.h}x${size.w}` },
      ...record(main, delta),
      ...(baseline ? { baselineRandom: record(baseline, random!) } : {}),
    };
    await mkdir(args.out, { recursive: true });
    const enc = new TextEncoder();
    const files: [string, Uint8Array][] = [
      ['interactions.npy', writeNpy(main.interaction, [n, n])],
      ['interactions-se.npy', writeNpy(main.interactionSE, [n, n])],
      ['shapley.npy', writeNpy(main.shapley, [g, g])],
    ];
    if (baseline) {
      files.push(['random-interactions.npy', writeNpy(baseline.interaction, [n, n])], ['random-interactions-se.npy', writeNpy(baseline.interactionSE, [n, n])],
        ['random-shapley.npy', writeNpy(baseline.shapley, [g, g])]);
    }
    const { interactionsSvg } = await import('../interactions/plot.js');
    const { svgToPng } = await import('../verify/plot.js');
    const panels = [{ label: 'δ', report: main }, ...(baseline ? [{ label: 'random δ, same L2 norm', report: baseline }] : [])];
    const svg = interactionsSvg(panels, size.h / size.w, `Interactions inside the perturbation — ${mf.label}`, [
      `Units: ${g}×${g} grid cells of δ = ${args.perturbed} − ${args.original}; v(S) = u(x + δ_S) − u(x), u = ${utility} of class ${main.class}; ${args.samples} context samples per pair (seed ${args.seed}), ${args.precision}.`,
    ]);
    files.push(['interactions.json', enc.encode(`${JSON.stringify(report, null, 2)}\n`)], ['interactions.svg', enc.encode(svg)], ['interactions.png', svgToPng(svg)]);
    for (const [name, bytes] of files) await writeFileAtomic(join(args.out, name), bytes);

    if (args.json) { process.stdout.write(`${JSON.stringify(report, null, 2)}\n`); return; }
    const row = (label: string, r: typeof main, d: Float64Array) =>
      `${label.padEnd(24)} ${fmt(pixelNorm(d)).padStart(10)} ${fmt(r.vFull).padStart(11)} ${fmt(r.meanAbsShapley).padStart(11)} ${fmt(r.meanAbsInteraction).padStart(11)} ${fmt(r.meanInteraction).padStart(11)} ${fmt(r.meanInteractionSE).padStart(11)} ${String(r.evaluations).padStart(8)} ${r.seconds.toFixed(1).padStart(7)}`;
    const lines = [
      `${mf.label}: ${g}×${g} units, ${args.samples} samples per pair, utility ${utility} of class ${main.class} (u(x) = ${main.u0.toPrecision(6)}), ${args.precision}`,
      '',
      `${'perturbation'.padEnd(24)} ${'‖δ‖₂'.padStart(10)} ${'v(Ω)'.padStart(11)} ${'mean |φ|'.padStart(11)} ${'mean |I|'.padStart(11)} ${'mean I'.padStart(11)} ${'mean SE(I)'.padStart(11)} ${'evals'.padStart(8)} ${'seconds'.padStart(7)}`,
      row('δ', main, delta),
      ...(baseline ? [row('random δ, same norm', baseline, random!)] : []),
      '',
      `efficiency: Σφ = ${main.shapleySum.toExponential(6)}, v(Ω) − v(∅) = ${(main.vFull - main.vEmpty).toExponential(6)}`,
      `wrote ${files.map(([f]) => join(args.out, f)).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await session.release();
  }
}
