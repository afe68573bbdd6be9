// `inspect --image`: the stem's level set for one image, per tensor after the stem's discarding
// layers — is it a cut, how many equality and inequality rows, the proven dimension bound.
import type { ModelFile } from './model-file.js';
import type { Image } from '../image/image.js';
import { grid } from '../census/format.js';
import { parseNormalization } from './collide-options.js';
import { toModelTensor } from '../image/tensor.js';
import { InputError } from '../core/errors.js';
import { loadFirstLayer } from '../collide/model-layer.js';
import { affineOf } from '../collide/pipeline.js';
import { stemChain } from '../stem/chain.js';
import { stemLevels } from '../stem/collider.js';
import type { InspectArgs } from './inspect.js';

export interface StemSection {
  report: {
    image: string; size: { h: number; w: number }; folded: string[]; stop: string;
    tensors: { tensor: string; node: string; shape: number[]; cut: boolean; refused: string | null; equalities: number; inequalities: number; tight: number; interior: number; dimensionBound: number }[];
  };
  text: string;
}

/** The stem section of one model (as inspect read it) for the image of --image (read once for all models). */
export function stemSection(f: ModelFile, image: Image, args: InspectArgs): StemSection {
  const size = { h: image.height, w: image.width };
  const loaded = loadFirstLayer(f.model, { where: f.label, size, external: f.external });
  const [, c, h, w] = loaded.input.dims;
  if (h !== image.height || w !== image.width) throw new InputError(`${args.image}: image is ${image.height}×${image.width} but ${f.label} takes ${h}×${w}`);
  if (loaded.spec.kind !== 'conv') throw new InputError(`${f.label}: the first layer is not a Conv; --image reports a conv stem's level set`);
  if (c !== 1 && c !== 3) throw new InputError(`${f.label}: input has ${c} channels; --image handles 1 or 3`);
  const normalization = { ...parseNormalization(args), channels: c as 1 | 3 };
  const x = toModelTensor(image, normalization, args.image);
  const chain = stemChain(f.model, loaded, f.label);
  const levels = stemLevels(chain, x, affineOf(normalization));
  const tensors = levels.map(({ candidate: k, level: l }) => ({
    tensor: k.tensor, node: k.node, shape: [k.shape.c, k.shape.h, k.shape.w], cut: k.refused === null, refused: k.refused,
    equalities: l.equalities, inequalities: l.inequalities, tight: l.tight, interior: l.interior, dimensionBound: l.dimensionBound,
  }));
  const md = !!args.markdown;
  const head = ['tensor L', 'after', 'shape', 'cut', 'equality rows', 'inequality rows', 'tight', 'pixels inside box', 'dimension ≥'];
  const rows = tensors.map((t) => [t.tensor, t.node, t.shape.join('×'), t.cut ? 'yes' : 'no', String(t.equalities), String(t.inequalities), String(t.tight), String(t.interior), String(t.dimensionBound)]);
  const title = `Stem level set of ${args.image} at ${h}×${w}${chain.folded.length ? ` (${chain.folded.join(', ')} folded into the conv)` : ''}: images with the same output at L form a polytope of dimension ≥ the bound`;
  const notes = tensors.filter((t) => t.refused).map((t) => `  ${t.tensor}: not a cut — ${t.refused}`);
  const text = tensors.length
    ? [md ? `### ${title}` : title, '', grid(head, rows, md, head.map((_, i) => i >= 4)), ...(notes.length ? ['', ...notes] : [])].join('\n')
    : `${title}: no tensor after the first conv is built of discarding layers (${chain.stop})`;
  return { report: { image: args.image!, size: { h, w }, folded: chain.folded, stop: chain.stop, tensors }, text };
}
