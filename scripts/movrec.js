#!/usr/bin/env node
// The `movrec` executable: runs the compiled CLI (built by `npm ci` / `npm run build`).

const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('movrec: not built yet: run `npm run build` (npm ci does it)\n');
  process.exit(1);
}
require(entry).main(process.argv.slice(2));
