#!/usr/bin/env node
// The CLI as built: dist/bundle/ (bin/build.mjs) holds the compiled src/cli in a few chunks.
// With --debug, stack traces point into src/ through the bundle's source maps.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/main.js');

await main();
