// npm ci builds the native kernels (package.json "prepare"); without a working
// compiler the install still succeeds and says in one line that the
// TypeScript kernels will be used.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const prepare = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts.prepare!;
/** The native step of "prepare", run as npm would run it (through a shell, from the package root). */
const nativeStep = prepare
  .split('&&')
  .map((x) => x.trim())
  .find((x) => x.startsWith('node native/build.js'));

function runStep(cxx: string, out: string) {
  return spawnSync('sh', ['-c', `${nativeStep} --out ${out}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CXX: cxx },
    timeout: 60_000,
  });
}

t.test('install builds the kernels, and goes on without a compiler', async (t) => {
  t.ok(nativeStep, `"prepare" runs native/build.js: ${prepare}`);
  if (!nativeStep) return;
  const dir = t.testdir();

  const missing = runStep(join(dir, 'no-such-g++'), join(dir, 'a.node'));
  t.equal(missing.status, 0, 'no compiler: the install goes on');
  t.equal(
    missing.stdout.trim(),
    `native build skipped: no C++ compiler (${join(dir, 'no-such-g++')}); the TypeScript kernels will be used`,
    'one clear line',
  );

  // A compiler that answers --version and then fails every compile.
  const broken = join(dir, 'broken-g++');
  writeFileSync(
    broken,
    '#!/bin/sh\n[ "$1" = "--version" ] && { echo "g++ 0"; exit 0; }\necho "cannot compile" >&2\nexit 1\n',
  );
  chmodSync(broken, 0o755);
  const failed = runStep(broken, join(dir, 'b.node'));
  t.equal(failed.status, 0, 'a failed compile does not fail the install');
  t.match(failed.stdout, /native build failed; the TypeScript kernels will be used\n$/, 'and says so');
  t.notOk(existsSync(join(dir, 'b.node')), 'no addon is left behind');
});
