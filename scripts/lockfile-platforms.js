#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages that the npm
// registry mirror of our build machines does not carry (msgpackr-extract's
// darwin/win32/linux-arm builds). npm records them as missing, and `npm ci`
// then refuses the lockfile as out of sync; with an entry that states its
// os/cpu, npm skips it on other platforms without fetching. Run after any
// `npm install` that rewrites package-lock.json.

const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const have = new Set(Object.keys(lock.packages));
const PLATFORM = /-(darwin|linux|win32|freebsd|android)-(arm64|x64|arm|ia32)$/;
let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies || {})) {
    const nested = `${key}/node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (have.has(nested) || have.has(top)) continue;
    const m = PLATFORM.exec(dep);
    if (!m) throw new Error(`${dep} is missing from the lockfile and is not a platform build: run npm install`);
    lock.packages[top] = { version, optional: true, os: [m[1]], cpu: [m[2]] };
    have.add(top);
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lockfile-platforms: added ${added} platform entries\n`);
