// The body of `nullspace inspect` (see inspect.ts for its flags): reads the models, takes the
// census of each on a rank engine, prints the tables or the JSON report.
import { join } from 'node:path';
import { census } from '../census/census.js';
import { comparisonTable, modelTable } from '../census/format.js';
import { weightDump } from '../census/dump.js';
import { lazyPoolEngine, localEngine, type RankEngine } from '../census/rank-engine.js';
import type { ModelReport } from '../census/report.js';
import { readModelFile, type ModelFile } from './model-file.js';
import { parseSize, writeFilesAtomic, type InspectArgs } from './inspect.js';
import { tool } from './version.js';
import type { StemSection } from './inspect-stem.js';

/** Runs the census of every model on one engine. */
export async function inspectModels(args: InspectArgs, engine: RankEngine, onModel?: (f: ModelFile) => void): Promise<ModelReport[]> {
  const size = parseSize(args.size);
  const reports: ModelReport[] = [];
  for (const path of args.models) {
    const f = readModelFile(path);
    const large = f.model.graph!.node!.length + (f.model.graph!.initializer?.length ?? 0) > 50;
    // cli-progress loads only when a bar is drawn
    const cliProgress = process.stderr.isTTY && large ? (await import('cli-progress')).default : undefined;
    const bar = cliProgress
      ? new cliProgress.SingleBar({ stream: process.stderr, format: `${f.label} [{bar}] {value}/{total} weights`, clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
    let started = false;
    try {
      const r = await census(f.model, engine, {
        path: f.label, sha256: f.sha256, size, rtol: args.rtol, atol: args.atol, maxBytes: args.maxBytes, external: f.external,
        onProgress: (done, total) => {
          if (!bar) return;
          if (!started) { bar.start(total, 0); started = true; }
          bar.update(done);
        },
        onWeights: args.dumpWeights ? (uses, records) => writeFilesAtomic(join(args.dumpWeights!, f.label.replace(/\.onnx$/, '')), weightDump(uses, records)) : undefined,
      });
      r.path = path;
      reports.push(r);
      onModel?.(f);
    } finally {
      if (started) bar!.stop();
    }
  }
  return reports;
}

/** The command's body; inspect.ts's handler has checked the flags, then loads this module. */
export async function run(args: InspectArgs): Promise<void> {
  // workers start only for parallel work worth their start-up (one big weight runs here)
  const engine = args.threads > 1 ? lazyPoolEngine(args.threads) : localEngine();
  // --image: the stem's level set of each model as it is read (the image reader and the stem load only then)
  const stems: StemSection[] = [];
  let onModel: ((f: ModelFile) => void) | undefined;
  if (args.image) {
    const [{ stemSection }, { readImageFile }] = await Promise.all([import('./inspect-stem.js'), import('../image/io.js')]);
    const image = await readImageFile(args.image);
    onModel = (f) => { stems.push(stemSection(f, image, args)); };
  }
  let reports: ModelReport[];
  try {
    reports = await inspectModels(args, engine, onModel);
  } finally {
    await engine.close();
  }
  let out: string;
  if (args.json) out = JSON.stringify({ tool, models: reports.map((r, i) => (stems[i] ? { ...r, stem: stems[i]!.report } : r)) }, null, 2);
  else {
    const parts = reports.map((r, i) => [modelTable(r, args.markdown), stems[i]?.text].filter(Boolean).join('\n\n'));
    if (reports.length > 1) parts.push(`${args.markdown ? '### Comparison' : 'Comparison'}\n\n${comparisonTable(reports, args.markdown)}`);
    out = parts.join('\n\n');
  }
  process.stdout.write(`${out}\n`);
}
