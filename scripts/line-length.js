#!/usr/bin/env node
// Lint step: no line longer than 120 characters in the TypeScript and JavaScript
// sources (comments and strings too, which the formatter leaves alone).

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const MAX = 120;
// native/: its own .ts/.js only (the C++ follows its own width); node_modules and build output never.
const DIRS = ['src', 'workers', 'config', 'scripts', 'tests', 'native'];
const SKIP = new Set(['node_modules', 'dist', 'build', '.git']);

function* sources(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) yield* sources(full);
    } else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) yield full;
  }
}

const files = process.argv.length > 2 ? process.argv.slice(2) : DIRS.flatMap((d) => [...sources(path.join(root, d))]);
let long = 0;
for (const file of files) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.length <= MAX) continue;
    long++;
    process.stdout.write(`${path.relative(root, file)}:${i + 1}: ${line.length} characters (at most ${MAX})\n`);
  }
}
if (long > 0) {
  process.stdout.write(`line length: ${long} line(s) longer than ${MAX} characters\n`);
  process.exit(1);
}
