// Lists the tests tap skipped in the last run (from its per-file results in .tap/test-results) and
// checks them against the README's "Known skips" list: a skip not listed there, with its reason,
// is a failure in CI. Prints one line per skip and, last, "skipped S unlisted U"; exits 1 when U > 0.
// Usage: node .ci/skips.mjs [RESULTS_DIR] [README]
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const results = process.argv[2] ?? '.tap/test-results';
const readme = process.argv[3] ?? 'README.md';

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.tap') ? [p] : [];
  });
}

// "- `test/x.test.ts: the test's name` — why it may skip" under a heading "Known skips"
function knownSkips(text) {
  const out = new Set();
  let inside = false;
  for (const line of text.split('\n')) {
    if (/^#+\s/.test(line)) { inside = /^#+\s+Known skips\b/i.test(line); continue; }
    const m = inside && /^\s*[-*]\s+`([^`]+)`\s*\S/.exec(line);
    if (m) out.add(m[1].trim());
  }
  return out;
}

const known = existsSync(readme) ? knownSkips(readFileSync(readme, 'utf8')) : new Set();
const skips = [];
for (const f of files(results)) {
  const file = relative(results, f).replace(/\.tap$/, '');
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    // a skipped test: "ok N - name # SKIP reason"; a skipped file: "1..0 # SKIP reason"
    const test = /^\s*(?:not )?ok \d+(?: - (.*?))? # SKIP\b\s*(.*)$/i.exec(line);
    const whole = /^\s*1\.\.0\s*# SKIP\b\s*(.*)$/i.exec(line);
    if (test) skips.push({ id: `${file}: ${test[1] ?? ''}`, reason: test[2] });
    else if (whole) skips.push({ id: `${file}: (whole file)`, reason: whole[1] });
  }
}
let unlisted = 0;
for (const s of skips) {
  const ok = known.has(s.id);
  if (!ok) unlisted++;
  console.log(`${ok ? 'skip (listed in README)' : 'SKIP NOT LISTED in the README\'s Known skips'}: ${s.id} — ${s.reason}`);
}
console.log(`skipped ${skips.length} unlisted ${unlisted}`);
process.exit(unlisted > 0 ? 1 : 0);
