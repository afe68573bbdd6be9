// The one line `collide` prints on stderr for each set-up (A_img, its null space, the solver): shared by
// the command and its worker threads, which report the set-ups they build for new input sizes.
import type { SizedSetup } from '../collide/pipeline.js';

/** One line about A_img for stderr. */
export function setupSummary(p: SizedSetup): string {
  const f = p.analysis.figures;
  const l = p.layer.spec;
  const what = l.kind === 'conv'
    ? `Conv ${l.geometry.outC}←${l.geometry.c} ${l.geometry.kh}×${l.geometry.kw}/${l.geometry.sh}${l.geometry.groups > 1 ? ` groups ${l.geometry.groups}` : ''}`
    : `dense ${l.m}←${l.n}`;
  const sig = f.sigmaMinRelative !== undefined ? `σ_min/‖A‖ ≲ ${f.sigmaMinRelative.toExponential(2)}` : '';
  const ker = f.lowerBound > 0 ? `nullity ≥ ${f.lowerBound}`
    : f.trivial ? `kernel trivial (${[f.certificate?.injective ? 'proven: block-triangular' : '', sig].filter(Boolean).join(', ')})`
    : `${sig} (numerically singular)`;
  const w = f.windowNullity ? `, ker(W) ${f.windowNullity.join('/')}` : '';
  const head = `${what} at ${p.height}×${p.width}: A_img ${f.rows}×${f.cols} (${f.shape}${f.overlap ? ', windows overlap' : ''}), ${ker}${w}`;
  if (p.stem) {
    const s = p.stem;
    const folded = s.chain.folded.length ? ` (${s.chain.folded.join(', ')} folded in)` : '';
    const at = s.usable.map((u) => `${u.candidate.tensor} after ${u.candidate.node}, ${u.candidate.shape.c}×${u.candidate.shape.h}×${u.candidate.shape.w}`).join('; ');
    return `${head}; collisions at the stem${folded}: ${at}; set-up ${(s.setupMs / 1000).toFixed(2)} s`;
  }
  const c = p.collider!;
  const ns = c.normal;
  const solver = ns ? `, solver ${ns.kind === 'banded' ? `factored A·Aᵀ (band ${ns.bandwidth}, ${((ns.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB)` : ns.kind}` : '';
  return `${head}; set-up ${(c.setupMs / 1000).toFixed(2)} s, mode ${c.mode}${solver}`;
}
