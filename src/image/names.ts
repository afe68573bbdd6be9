// Output file names derived from input names. Pure string functions (no path module), browser-safe.
//   dir/x.png  → x.collide.png   (and x.collide.npy for --format npy)
//   dir/x.npy  → x.collide.png / x.collide.npy
//   stream item 3 (1-based) → stdin-000003.collide.npy
// Two inputs with the same base name (a/x.png, b/x.png) get x.collide.png and x-2.collide.png, in input order.

/** The final path component, after the last "/" or "\\". */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(i + 1);
}

/** The base name without its last extension (".png", ".npy"); dotfiles keep their name. */
export function stem(path: string): string {
  const b = baseName(path);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}

/** Naming options: suffix between stem and extension (default "collide"), extension without dot (default "png"). */
export interface NameOptions {
  suffix?: string;
  ext?: string;
}

function join(name: string, o: NameOptions): string {
  const suffix = o.suffix ?? 'collide';
  return `${name}${suffix ? `.${suffix}` : ''}.${o.ext ?? 'png'}`;
}

/** Output base name for one input path: "dir/x.png" → "x.collide.png". */
export function outputName(inputPath: string, options: NameOptions = {}): string {
  return join(stem(inputPath), options);
}

/**
 * Output base names for a list of inputs, unique among themselves: repeated stems get "-2", "-3", … in
 * input order (compared case-insensitively, for case-insensitive file systems).
 */
export function outputNames(inputPaths: readonly string[], options: NameOptions = {}): string[] {
  const used = new Set<string>();
  return inputPaths.map((p) => {
    const s = stem(p);
    let name = s;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${s}-${k}`;
    used.add(name.toLowerCase());
    return join(name, options);
  });
}

/** Name for the n-th image of a stream (index 0-based): streamItemName(2, {ext: 'npy'}) → "stdin-000003.collide.npy". */
export function streamItemName(index: number, options: NameOptions & { source?: string } = {}): string {
  return join(`${options.source ?? 'stdin'}-${String(index + 1).padStart(6, '0')}`, options);
}
