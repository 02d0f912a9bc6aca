// The kernel's lower instruction-set paths (AVX-512 VNNI or plain AVX-512
// without AMX, AVX2 without AVX-512, and no SIMD at all) are the ones this CPU's own build may skip:
// build each as its own addon and check, through MOVREC_NATIVE_ADDON in a
// child process, that it returns the twin's ids.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeStatus } from '../../native/index';

const root = join(__dirname, '..', '..');
const index = join(root, 'dist', 'native', 'index.js');
const cpuFlags = (() => {
  try {
    return (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/);
  } catch {
    return [];
  }
})();
const compiler = spawnSync(process.env.CXX ?? 'g++', ['--version']).status === 0;

// Runs in the child: the loaded addon's batched and single kernels against the twins on seeded data.
const check = `
const n = require(${JSON.stringify(index)});
const twin = require(${JSON.stringify(join(root, 'dist', 'native', 'twins', 'topk.js'))});
let seed = 7;
const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const out = { status: n.nativeStatus, cases: [] };
for (const [items, k, users, count] of [[5003, 64, 13, 50], [1001, 13, 9, 20], [37, 8, 3, 40], [130, 5, 8, 20]]) {
  const f = Float32Array.from({ length: items * k }, () => r() * 2 - 1);
  const p = n.packItems(f, items, k);
  const bias = Float32Array.from({ length: items }, () => (r() - 0.5) / 5);
  const u = Float32Array.from({ length: users * k }, () => r() * 2 - 1);
  const ex = Uint8Array.from({ length: users * items }, () => (r() < 0.1 ? 1 : 0));
  const flags = Uint8Array.from({ length: items }, () => (r() < 0.2 ? 1 : 0));
  const adult = Uint8Array.from({ length: users }, () => (r() < 0.5 ? 1 : 0));
  const got = Array.from(n.topKBatchNative(p, bias, u, ex, flags, adult, count));
  const want = Array.from(twin.topKBatch(p, bias, u, ex, flags, adult, count));
  const u0 = u.subarray(0, k), ex0 = ex.subarray(0, items);
  const single = Array.from(n.topKNative(p, bias, u0, ex0, flags, adult[0] === 1, count));
  const wantSingle = Array.from(twin.topK(p, bias, u0, ex0, flags, adult[0] === 1, count));
  out.cases.push({
    name: items + 'x' + k + ' users ' + users,
    batch: got.join() === want.join(),
    single: single.join() === wantSingle.join(),
    ids: got.filter((i) => i >= 0).length,
  });
}
process.stdout.write(JSON.stringify(out));
`;

for (const [simd, needs, label] of [
  ['vnni', ['avx512_vnni', 'avx512f', 'avx512bw', 'avx512vl', 'avx2', 'fma'], 'avx512f+vnni'],
  ['avx512', ['avx512f', 'avx2', 'fma'], 'avx512f'],
  ['avx2', ['avx2', 'fma'], 'avx2+fma'],
  ['none', [], 'scalar'],
] as const) {
  const skip = !compiler
    ? 'no C++ compiler'
    : needs.some((f) => !cpuFlags.includes(f))
      ? `this CPU lacks ${needs.join('+')}`
      : nativeStatus === `native (${label})`
        ? 'the default build here, tested directly (topk-int8-matches-plain)'
        : false;
  t.test(`the ${label} build returns the twin's ids`, { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), `movrec-simd-${simd}-`));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const addon = join(dir, 'movrec.node');
    const build = spawnSync(process.execPath, [join(root, 'native', 'build.js'), '--simd', simd, '--out', addon], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    t.equal(build.status, 0, `build: ${build.stdout}${build.stderr}`);
    const run = spawnSync(process.execPath, ['-e', check], {
      env: { ...process.env, MOVREC_NATIVE_ADDON: addon, MOVREC_NATIVE: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    t.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      status: string;
      cases: { name: string; batch: boolean; single: boolean; ids: number }[];
    };
    t.equal(out.status, `native (${label})`, 'the child loaded this build, not the default one');
    for (const c of out.cases) {
      t.ok(c.batch, `${c.name}: batched ids equal the twin's`);
      t.ok(c.single, `${c.name}: single-user ids equal the twin's`);
      t.ok(c.ids > 0, `${c.name}: the answer is not empty`);
    }
  });
}

t.test('an unknown --simd is refused with a one-line message', async (t) => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'native', 'build.js'), '--simd', 'sse9', '--out', join(tmpdir(), 'never.node')],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 2);
  t.match(r.stderr, /--simd must be one of amx, vnni, avx512, avx2, none, got sse9/);
});
