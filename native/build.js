#!/usr/bin/env node
// Builds the native kernels: compiles every native/*.cc into ONE addon,
// native/build/movrec.node, with the machine's g++ and Node's own headers (no
// node-gyp, no download). `npm ci` runs it (package.json "prepare", with
// --if-possible); `node native/build.js` rebuilds by hand. Without a compiler
// it says so in one line and exits 0: the TypeScript twins in native/twins
// take over. With --if-possible a failed compile does the same, so an install
// never fails for want of a working compiler.
// The int8 backends (topk-amx.cc, topk-vnni.cc) compile to nothing unless the
// --simd flags below select them (topk-scan.h says which one a build has).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
// `--out FILE` and `--simd amx|vnni|avx512|avx2|none` build another variant (tests build the
// lower instruction sets this CPU would not pick, to check them against the twins).
const argOf = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const out = path.resolve(argOf('--out') ?? path.join(here, 'build', 'movrec.node'));
const cxx = process.env.CXX || 'g++';

const probe = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  process.stdout.write(`native build skipped: no C++ compiler (${cxx}); the TypeScript kernels will be used\n`);
  process.exit(0);
}

const include = path.join(path.dirname(path.dirname(fs.realpathSync(process.execPath))), 'include', 'node');
if (!fs.existsSync(path.join(include, 'node_api.h'))) {
  process.stdout.write(`native build skipped: no node_api.h under ${include}; the TypeScript kernels will be used\n`);
  process.exit(0);
}

// SIMD only where this CPU has it: the addon is built on the machine that runs it.
const cpu = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
const flagsLine = (cpu.match(/^flags\s*:(.*)$/m) || ['', ''])[1].split(/\s+/);
const has = (...f) => f.every((x) => flagsLine.includes(x));
const SIMD = {
  amx: ['-mavx2', '-mfma', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mamx-tile', '-mamx-int8'],
  vnni: ['-mavx2', '-mfma', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512vnni'],
  avx512: ['-mavx2', '-mfma', '-mavx512f'],
  avx2: ['-mavx2', '-mfma'],
  none: [],
};
const wanted = argOf('--simd');
if (wanted !== undefined && !(wanted in SIMD)) {
  process.stderr.write(`native build: --simd must be one of ${Object.keys(SIMD).join(', ')}, got ${wanted}\n`);
  process.exit(2);
}
const simd =
  SIMD[
    wanted ??
      (has('amx_tile', 'amx_int8', 'avx512f', 'avx512bw', 'avx512vl', 'avx2', 'fma')
        ? 'amx'
        : has('avx512_vnni', 'avx512f', 'avx512bw', 'avx512vl', 'avx2', 'fma')
          ? 'vnni'
          : has('avx512f', 'avx2', 'fma')
            ? 'avx512'
            : has('avx2', 'fma')
              ? 'avx2'
              : 'none')
  ];

const sources = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.cc'))
  .sort()
  .map((f) => path.join(here, f));
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
const args = [
  '-O3',
  ...simd,
  '-std=c++17',
  '-shared',
  '-fPIC',
  '-fvisibility=hidden',
  '-Wall',
  '-Wextra',
  '-DNAPI_VERSION=8',
  `-I${include}`,
  `-I${here}`,
  ...sources,
  '-o',
  tmp,
];
process.stdout.write(
  `native build: ${cxx} ${simd.join(' ') || '(no SIMD flags)'} ${sources.map((s) => path.basename(s)).join(' ')}\n`,
);
const r = spawnSync(cxx, args, { stdio: 'inherit' });
if (r.status !== 0) {
  fs.rmSync(tmp, { force: true });
  process.stdout.write('native build failed; the TypeScript kernels will be used\n');
  process.exit(process.argv.includes('--if-possible') ? 0 : 1);
}
// Rename into place: a running process that has the old addon mapped keeps it intact.
fs.renameSync(tmp, out);
process.stdout.write(`native build: wrote ${path.relative(process.cwd(), out)}\n`);
