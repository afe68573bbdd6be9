// The tool's name and version, read once from package.json.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
export const version: string = pkg.version;
export const tool = Object.freeze({ name: pkg.name, version: pkg.version });
