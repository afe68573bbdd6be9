// The body of `nullspace drift` (see drift.ts for its flags): runs the experiment, writes
// drift.csv, drift.json, drift.svg and drift.png into --out (atomically) and prints the table.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import cliProgress from 'cli-progress';
import { assertInt } from '../core/errors.js';
import { readImageFile, writeFileAtomic } from '../image/io.js';
import { toModelTensor, type ModelInputOptions } from '../image/tensor.js';
import { InputError } from '../core/errors.js';
import { NoExactCollision } from '../collide/collider.js';
import { createModelRunner } from '../verify/model-runner.js';
import { driftDirections, stemDirection, type DriftDirections, type StemDirection } from '../verify/directions.js';
import { decodeModel } from '../onnx/model.js';
import { parseAlphas, runDrift } from '../verify/drift.js';
import { driftCsv, driftText, profileText, sci } from '../verify/table.js';
import { DRIFT_CHANNELS } from '../verify/channels.js';
import type { DriftReport } from '../verify/records.js';
import { EXIT, ExitError } from './errors.js';
import { readModelFile } from './model-file.js';
import { channelStats, normalizationOf, parseSize } from './model-input-args.js';
import type { DriftArgs } from './drift.js';
import { tool } from './version.js';
import { backendOf, describeBackend } from './backend-resolve.js';
import { resolveBackends } from '../runtime/backends.js';
import { releaseBackends } from '../runtime/ort.js';

/** The command's body (drift.ts's handler loads this module and calls it). */
export async function run(args: DriftArgs): Promise<void> {
  const alphas = parseAlphas(args.alphas);
  assertInt('--seed', args.seed, 0, 2 ** 31 - 1);
  const norm = normalizationOf(args);
  const backend = backendOf(args);
  const compare = args.backends !== undefined ? resolveBackends(args.backends).map((b) => b.name) : undefined;
  const image = await readImageFile(args.image);
  const mf = readModelFile(args.model);
  const bytes = new Uint8Array(readFileSync(args.model));
  const size = parseSize(args.size) ?? { h: image.height, w: image.width };
  const runner = await createModelRunner(bytes, { source: mf.label, size, external: mf.external, profile: args.profile, backend: backend.name, compare });
  try {
    const [, C, H, W] = runner.input.dims;
    if (image.height !== H || image.width !== W) throw new InputError(`${args.image}: image is ${image.height}×${image.width} but the model input is ${H}×${W}; drift perturbs at model resolution (resize the image first)`);
    const options: ModelInputOptions = { ...norm, channels: C as 1 | 3 };
    const affine = channelStats(options);
    const x = toModelTensor(image, options, args.image);
    let dirs: DriftDirections;
    let stem: StemDirection | undefined;
    try {
      dirs = driftDirections(runner.layer.spec, x, affine, args.seed);
    } catch (e) {
      if (!(e instanceof NoExactCollision)) throw e;
      // an injective first layer: channel (a) is the stem collision, when the model has a usable stem
      stem = stemDirection(decodeModel(bytes, mf.label), runner.layer, x, affine, args.seed);
      if (!stem) throw new ExitError(e.message.replace('; pass --allow-approximate for the best approximate one', ''), EXIT.noExactCollision);
      dirs = { delta: stem.delta, residual: stem.equalityResidual, norm: NaN, patchNote: 'the first layer is injective: no ker(W) fold to compare' };
    }
    const bar = process.stderr.isTTY && !args.json
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'drift [{bar}] {value}/{total} α', clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
    bar?.start(alphas.length, 0);
    let result;
    try {
      result = await runDrift(runner, { x, delta: dirs.delta, patchDelta: dirs.patch, mean: affine.mean, std: affine.std, alphas, profileAlpha: args.profileAlpha, backends: compare, onAlpha: (d) => bar?.update(d) });
    } finally {
      bar?.stop();
    }
    const notes = [
      stem
        ? `δ: the stem collision at ${stem.at} (seed ${args.seed}; ${stem.equalities} equality rows held to ‖A_Sδ‖/(‖A_S‖‖δ‖) = ${sci(stem.equalityResidual)}, ${stem.inequalities} bounds kept, smallest slack ${sci(stem.minSlack)}), pixel RMS ${stem.rms.toFixed(4)}: x + α·δ̂ stays on the level set for α ≤ ${stem.rms.toFixed(4)} (the polytope is convex) and leaves it beyond, so channel (a) is exact at ${stem.at} up to there, not at the first layer. At x + δ, ${stem.at} differs by ${sci(stem.residual64)} at float64 and ${sci(stem.residual32)} in float32 arithmetic; ${stem.flips32} bound${stem.flips32 === 1 ? '' : 's'} kept at float64 flip${stem.flips32 === 1 ? 's' : ''} under float32 rounding. x from ${basename(args.image)}, preprocessing mean ${JSON.stringify(norm.mean)} std ${JSON.stringify(norm.std)}${norm.bgr ? ' BGR' : ''}.`
        : `δ: seeded noise (seed ${args.seed}) projected onto ker(A_img) of ${runner.layer.spec.name ?? 'the first layer'}, ‖Aδ‖/(‖A‖‖δ‖) = ${sci(dirs.residual)}; x from ${basename(args.image)}, preprocessing mean ${JSON.stringify(norm.mean)} std ${JSON.stringify(norm.std)}${norm.bgr ? ' BGR' : ''}.`,
      `Channels (a), (c)–(f) run in float64 (the graph lowered to double ops) on ${describeBackend(runner.backends.f64!)}; (b) runs in float32 on ${compare ? runner.compared.map(describeBackend).join(', ') : describeBackend(runner.backends.f32!)}. Deviations are relative L2; outputs: the worst over model outputs.`,
      ...(runner.profileError ? [`Layer profile skipped: ${runner.profileError}`] : []),
      dirs.patch ? `(f): the paper's fold of a ker(W) vector into every window, same pixel RMS; its first-layer residual ‖Aδ‖/(‖A‖‖δ‖) = ${sci(dirs.patchResidual!)}.` : `(f) skipped: ${dirs.patchNote}`,
    ];
    const report: DriftReport = {
      tool,
      model: { path: args.model, sha256: mf.sha256, name: mf.label },
      settings: {
        backend: backend.name, backends: { ...runner.backends, ...(compare ? { float32: runner.compared } : {}) },
        alphas, seed: args.seed, preset: args.preset ?? 'none', mean: norm.mean, std: norm.std, bgr: norm.bgr, size: `${H}x${W}`,
        profileAlpha: result.profile?.alpha, channels: DRIFT_CHANNELS.filter((c) => result.rows.some((r) => r.channel === c.id)).map((c) => ({ id: c.id, letter: c.letter, description: c.description })),
        direction: stem
          ? { method: 'stem', at: stem.at, rms: stem.rms, residual: stem.equalityResidual, residualAtL: { float64: stem.residual64, float32: stem.residual32 }, minSlack: stem.minSlack, flips32: stem.flips32, equalities: stem.equalities, inequalities: stem.inequalities }
          : { method: 'operator', residual: dirs.residual, iterations: dirs.iterations, operatorNorm: dirs.norm, patchResidual: dirs.patchResidual },
      },
      date: new Date().toISOString(),
      image: args.image,
      imageSha256: createHash('sha256').update(readFileSync(args.image)).digest('hex'),
      rows: result.rows,
      profile: result.profile,
      notes,
    };
    // the plotting stack (Observable Plot, linkedom, resvg) is the heaviest import of all: load it
    // only when there is something to draw
    const { driftSvg, svgToPng } = await import('../verify/plot.js');
    // the figure draws channel (b) of the main backend; the table and files carry every backend
    const plotted = result.rows.filter((r) => !r.backend || r.backend === (compare?.includes(backend.name) ? backend.name : compare?.[0]));
    const svg = driftSvg({ model: mf.label, image: basename(args.image), rows: plotted, profile: result.profile, notes });
    await mkdir(args.out, { recursive: true });
    const enc = new TextEncoder();
    await writeFileAtomic(join(args.out, 'drift.csv'), enc.encode(driftCsv(result.rows)));
    await writeFileAtomic(join(args.out, 'drift.json'), enc.encode(`${JSON.stringify(report, null, 2)}\n`));
    await writeFileAtomic(join(args.out, 'drift.svg'), enc.encode(svg));
    await writeFileAtomic(join(args.out, 'drift.png'), svgToPng(svg));
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const parts = [`drift of ${mf.label} on ${args.image} (sha256 ${mf.sha256.slice(0, 12)}…, ${tool.name} ${tool.version})`, driftText(result.rows)];
      if (result.profile) parts.push(`layer profile at α = ${result.profile.alpha.toPrecision(3)}: relative difference x vs x′\n${profileText(result.profile)}`);
      parts.push(...notes, `wrote ${['drift.csv', 'drift.json', 'drift.svg', 'drift.png'].map((f) => join(args.out, f)).join(', ')}`);
      process.stdout.write(`${parts.join('\n\n')}\n`);
    }
  } finally {
    await runner.release();
    await releaseBackends();
  }
}
