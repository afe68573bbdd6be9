// Resolving --backend (src/runtime/backends.ts) and the summary line that reports where a run went;
// for the command bodies (the flag itself is in backend-args.ts, light).
import { float64Refused, resolveBackend, type BackendInfo } from '../runtime/backends.js';
import type { SessionBackend } from '../runtime/session.js';
import type { BackendArgs } from './backend-args.js';
/** The backend the flags name; refuses float64-only work on a float32-only backend. @throws RangeError */
export function backendOf(a: BackendArgs, needsFloat64 = false): BackendInfo {
  const b = resolveBackend(a.backend);
  if (needsFloat64 && !b.float64) throw float64Refused(b);
  return b;
}

/** "webgpu (webgpu execution provider on Google SwiftShader, a CPU emulation; 2 node(s) fell back to the CPU: Clip ×2)" */
export function describeBackend(b: SessionBackend): string {
  const a = b.adapter;
  const on = a ? ` on ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'an unnamed adapter'}${a.software ? ', a CPU emulation' : ''}` : '';
  return `${b.name} (${b.executionProvider} execution provider${on}${placementNote(b)})`;
}

/** What the placement adds to the line: nothing for a single-provider backend. */
function placementNote(b: SessionBackend): string {
  const p = b.placement;
  if (!p || p.source === 'single provider') return '';
  if (p.source === 'not observed') return '; node placement not observed';
  const fallback = p.cpuFallback ?? [];
  if (!fallback.length) return `; every node on ${p.providers.map((q) => q.provider).join(', ')}`;
  const ops = new Map<string, number>();
  for (const n of fallback) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
  return `; ${fallback.length} node(s) fell back to the CPU: ${[...ops].map(([op, k]) => `${op} ×${k}`).join(', ')}`;
}
