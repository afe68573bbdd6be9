// The drift experiment's channels (DESIGN.md §2): each isolates one way exactness is lost.
// A closed set: ids, the letter used in tables and the label used in plots.

export type DriftChannel = 'exact-f64' | 'float32' | 'png16' | 'png8' | 'clipped' | 'patch';

export interface ChannelInfo {
  id: DriftChannel;
  /** (a)…(f), as in the issue and DESIGN.md §2 */
  letter: string;
  /** short label for legends */
  label: string;
  /** what the channel does, for reports */
  description: string;
}

export const DRIFT_CHANNELS: readonly ChannelInfo[] = Object.freeze([
  { id: 'exact-f64', letter: 'a', label: '(a) exact δ, float64', description: 'x + αδ with δ ∈ ker(A_img), float64 forward' },
  { id: 'float32', letter: 'b', label: '(b) float32 forward', description: 'same x′, float32 forward (onnxruntime-web)' },
  { id: 'png16', letter: 'c', label: '(c) 16-bit PNG grid', description: 'x′ rounded to the 16-bit PNG grid (steps of 1/65535 in pixel units; range limit left to (e)), float64 forward' },
  { id: 'png8', letter: 'd', label: '(d) 8-bit PNG grid', description: 'x′ rounded to the 8-bit PNG grid (steps of 1/255 in pixel units; range limit left to (e)), float64 forward' },
  { id: 'clipped', letter: 'e', label: '(e) clipped to [0, 1]', description: 'x′ clipped to the pixel box [0, 1], no rounding, float64 forward' },
  { id: 'patch', letter: 'f', label: '(f) patch mode (paper)', description: "the paper's per-window fold of a W-kernel vector, same RMS, float64 forward" },
].map((c) => Object.freeze(c as ChannelInfo)));

export function channelInfo(id: DriftChannel): ChannelInfo {
  return DRIFT_CHANNELS.find((c) => c.id === id)!;
}
