// Benchmark: one top-20 query over a 27,000 x 64 item matrix, native kernel and
// TypeScript twin, beside NumPy (matrix-vector product + argpartition) on the
// same matrix and the same queries, run in the same benchmark; and the batched
// kernel (BATCH users per pass, as the scorer sends them) beside NumPy's batched
// form (matrix-matrix product + argpartition per row).
// Run: npx tsc -p tsconfig.build.json && node native/build.js && node dist/scripts/bench/topk-kernel.js
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  int8Path,
  nativeStatus,
  packItems,
  topKBatchNative,
  topKBatchTwin,
  topKNative,
  topKTwin,
  useInt8,
} from '../../native/index';
import { rng } from './random-model';

const ITEMS = Number(process.env.ITEMS ?? 27_000);
const K = Number(process.env.FACTORS ?? 64);
const TOP = 20;
const QUERIES = 64;
const SEEN = 50;
const BATCH = Number(process.env.BATCH ?? 32);

const r = rng(42);
const items = Float32Array.from({ length: ITEMS * K }, () => (r() - 0.5) / 4);
const bias = Float32Array.from({ length: ITEMS }, () => (r() - 0.5) / 10);
const flags = Uint8Array.from({ length: ITEMS }, () => (r() < 0.02 ? 1 : 0));
const users = Float32Array.from({ length: QUERIES * K }, () => r() - 0.5);
const masks = Array.from({ length: QUERIES }, () => {
  const m = new Uint8Array(ITEMS);
  for (let s = 0; s < SEEN; s++) m[Math.floor(r() * ITEMS)] = 1;
  return m;
});

// The kernels read the packed layout; serving packs once per model load (timed below), and passes
// the unpacked matrix too (the native int8 path rescores from it), as the calls here do.
const packStart = process.hrtime.bigint();
const packed = packItems(items, ITEMS, K);
const packMs = Number(process.hrtime.bigint() - packStart) / 1e6;

type Kernel = typeof topKTwin;
function timeKernel(kernel: Kernel, rounds: number): { usPerQuery: number; first: Int32Array } {
  for (let q = 0; q < QUERIES; q++)
    kernel(packed, bias, users.subarray(q * K, q * K + K), masks[q]!, flags, q % 2 === 0, TOP, items);
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    for (let q = 0; q < QUERIES; q++)
      kernel(packed, bias, users.subarray(q * K, q * K + K), masks[q]!, flags, q % 2 === 0, TOP, items);
  }
  const ns = Number(process.hrtime.bigint() - start);
  return {
    usPerQuery: ns / 1000 / (rounds * QUERIES),
    first: kernel(packed, bias, users.subarray(0, K), masks[0]!, flags, true, TOP, items),
  };
}

type BatchKernel = typeof topKBatchTwin;
const batchMasks = Buffer.concat(masks);
const batchAdult = Uint8Array.from({ length: QUERIES }, (_, q) => (q % 2 === 0 ? 1 : 0));
/** The QUERIES users in batches of `batch` (the last one smaller when QUERIES is not a multiple); time per user. */
function timeBatch(kernel: BatchKernel, rounds: number, batch = BATCH): { usPerQuery: number; first: Int32Array } {
  const run = () => {
    let first: Int32Array | null = null;
    for (let q = 0; q < QUERIES; q += batch) {
      const b = Math.min(batch, QUERIES - q);
      const out = kernel(
        packed,
        bias,
        users.subarray(q * K, (q + b) * K),
        batchMasks.subarray(q * ITEMS, (q + b) * ITEMS),
        flags,
        batchAdult.subarray(q, q + b),
        TOP,
        items,
      );
      first ??= out.subarray(0, TOP);
    }
    return first!;
  };
  const first = run();
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) run();
  return { usPerQuery: Number(process.hrtime.bigint() - start) / 1000 / (rounds * QUERIES), first };
}

const PY = `
import sys, time, json
import numpy as np
d = sys.argv[1]
n, k, q, top, rounds, bsz = (int(x) for x in sys.argv[2:8])
F = np.fromfile(d + '/items.f32', dtype=np.float32).reshape(n, k)
b = np.fromfile(d + '/bias.f32', dtype=np.float32)
flags = np.fromfile(d + '/flags.u8', dtype=np.uint8).astype(bool)
U = np.fromfile(d + '/users.f32', dtype=np.float32).reshape(q, k)
M = np.fromfile(d + '/masks.u8', dtype=np.uint8).reshape(q, n).astype(bool)
def query(i):
    s = F @ U[i] + b
    drop = M[i] | flags if i % 2 == 0 else M[i]
    s[drop] = -np.inf
    part = np.argpartition(-s, top)[:top]
    return part[np.argsort(-s[part], kind='stable')]
adult = np.array([i % 2 == 0 for i in range(q)])
def batch(lo, hi):
    S = U[lo:hi] @ F.T
    S += b
    np.putmask(S, M[lo:hi] | (flags[None, :] & adult[lo:hi, None]), -np.inf)
    part = np.argpartition(-S, top, axis=1)[:, :top]
    order = np.argsort(-np.take_along_axis(S, part, 1), axis=1, kind='stable')
    return np.take_along_axis(part, order, 1)
def batches():
    for lo in range(0, q, bsz): batch(lo, min(q, lo + bsz))
for i in range(q): query(i)
t = time.perf_counter()
for _ in range(rounds):
    for i in range(q): query(i)
us = (time.perf_counter() - t) / (rounds * q) * 1e6
batches()
t = time.perf_counter()
for _ in range(rounds):
    batches()
usBatch = (time.perf_counter() - t) / (rounds * q) * 1e6
blas = 'unknown'
try:
    cfg = np.show_config(mode='dicts')
    blas = cfg['Build Dependencies']['blas']['name'] + ' ' + str(cfg['Build Dependencies']['blas'].get('version', ''))
except Exception:
    pass
print(json.dumps({'us': us, 'usBatch': usBatch, 'first': query(0).tolist(), 'numpy': np.__version__, 'blas': blas}))
`;

interface NumpyResult {
  us: number;
  usBatch: number;
  first: number[];
  numpy: string;
  blas: string;
}

function numpy(rounds: number, threads: string | undefined): NumpyResult | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'movrec-topk-bench-'));
  try {
    writeFileSync(join(dir, 'items.f32'), items);
    writeFileSync(join(dir, 'bias.f32'), bias);
    writeFileSync(join(dir, 'flags.u8'), flags);
    writeFileSync(join(dir, 'users.f32'), users);
    writeFileSync(join(dir, 'masks.u8'), Buffer.concat(masks));
    const py = spawnSync(
      process.env.PYTHON ?? 'python3',
      ['-c', PY, dir, String(ITEMS), String(K), String(QUERIES), String(TOP), String(rounds), String(BATCH)],
      {
        encoding: 'utf8',
        timeout: 300_000,
        env:
          threads === undefined
            ? process.env
            : { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads },
      },
    );
    if (py.status !== 0)
      return { error: (py.error?.message ?? py.stderr).trim().split('\n').pop() ?? 'python3 failed' };
    return JSON.parse(py.stdout) as NumpyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (us: number) => `${us.toFixed(1).padStart(8)} us/query`;
console.log(
  `top-${TOP} over ${ITEMS} x ${K} float32, ${QUERIES} distinct users, ${SEEN} exclusions each, ` +
    `adult mask on every other query`,
);
console.log(`kernel in use: ${nativeStatus}; machine shared with other jobs, figures are noisy`);
console.log(
  `packing the item matrix for the kernels (once per model load, shared by the scoring workers): ` +
    `${packMs.toFixed(1)} ms`,
);
// One BLAS thread is the like-for-like reference: each scoring worker runs one query on one core.
const py = numpy(50, '1');
const pyThreaded = numpy(5, undefined);
const twin = timeKernel(topKTwin, 3);
const native = topKNative ? timeKernel(topKNative, 50) : null;
const twinBatch = timeBatch(topKBatchTwin, 3);
const nativeBatch = topKBatchNative ? timeBatch(topKBatchNative, 50) : null;
// With the int8 path (AMX or VNNI) in use, the same kernels once more on the plain AVX-512 scan, in this run.
const path = int8Path();
const int8 = path !== 'off';
const tag = path.toUpperCase();
const plain =
  int8 && topKNative && topKBatchNative
    ? (useInt8(false), { single: timeKernel(topKNative, 50), batch: timeBatch(topKBatchNative, 50) })
    : null;
if (int8) useInt8(true);
if ('error' in py) console.log(`numpy                            : unavailable (${py.error}); pip install numpy`);
else console.log(`numpy ${py.numpy} (${py.blas.trim()}), 1 BLAS thread: ${fmt(py.us)}   <- reference`);
if (!('error' in pyThreaded)) console.log(`numpy, default BLAS threads      : ${fmt(pyThreaded.us)}`);
if (native) {
  const ratio = 'error' in py ? '' : `   ${(native.usPerQuery / py.us).toFixed(2)}x numpy (target <= 1.5x)`;
  console.log(`${(int8 ? `native kernel (${tag})` : 'native kernel').padEnd(33)}: ${fmt(native.usPerQuery)}${ratio}`);
  if (plain)
    console.log(
      `${`native kernel, ${tag} off (AVX-512)`.padEnd(33)}: ${fmt(plain.single.usPerQuery)}   ${tag} ` +
        `${(plain.single.usPerQuery / native.usPerQuery).toFixed(2)}x faster`,
    );
} else console.log('native kernel        : not built (node native/build.js)');
const twinRatio = 'error' in py ? '' : `   ${(twin.usPerQuery / py.us).toFixed(2)}x numpy`;
console.log(`typescript twin                  : ${fmt(twin.usPerQuery)}${twinRatio}`);
const same = native ? Array.from(native.first).join() === Array.from(twin.first).join() : true;
const npSame = 'error' in py ? true : py.first.join() === Array.from(twin.first).join();
console.log(
  `same ids for query 0             : native vs twin ${same ? 'yes' : 'NO'}, numpy vs twin ` +
    `${npSame ? 'yes' : 'no (float summation order differs)'}`,
);

console.log('');
console.log(`batched, ${BATCH} users per call (as the scorer sends a busy turn's requests), time per user:`);
if (!('error' in py))
  console.log(`numpy batched (matmul + argpartition per row), 1 BLAS thread: ${fmt(py.usBatch)}   <- reference`);
if (!('error' in pyThreaded)) console.log(`numpy batched, default BLAS threads: ${fmt(pyThreaded.usBatch)}`);
if (nativeBatch) {
  const ratio = 'error' in py ? '' : `   ${(nativeBatch.usPerQuery / py.usBatch).toFixed(2)}x numpy batched`;
  const single = native
    ? `, ${(native.usPerQuery / nativeBatch.usPerQuery).toFixed(1)}x faster than one query at a time`
    : '';
  console.log(
    `${(int8 ? `native batched kernel (${tag})` : 'native batched kernel').padEnd(33)}: ` +
      `${fmt(nativeBatch.usPerQuery)}${ratio}${single}`,
  );
  if (plain)
    console.log(
      `${`native batched, ${tag} off (AVX-512)`.padEnd(33)}: ${fmt(plain.batch.usPerQuery)}   ${tag} ` +
        `${(plain.batch.usPerQuery / nativeBatch.usPerQuery).toFixed(2)}x faster`,
    );
} else console.log('native batched kernel            : not built (node native/build.js)');
console.log(`typescript twin, batched         : ${fmt(twinBatch.usPerQuery)}`);
const batchSame = nativeBatch ? Array.from(nativeBatch.first).join() === Array.from(twin.first).join() : true;
console.log(`same ids for query 0             : batched native vs single twin ${batchSame ? 'yes' : 'NO'}`);
if (plain) {
  // The scorer's batches come in every size: time per user at a few, the int8 path on and off in turn.
  const sizes = [4, 8, 12, 20, 27].map((b) => {
    const on = timeBatch(topKBatchNative!, 20, b);
    useInt8(false);
    const off = timeBatch(topKBatchNative!, 20, b);
    useInt8(true);
    return `${b}: ${on.usPerQuery.toFixed(1)} vs ${off.usPerQuery.toFixed(1)}`;
  });
  console.log(`${`per user by users per call, ${tag} vs AVX-512`.padEnd(33)}: ${sizes.join(' | ')} us`);
  const all = (r: { first: Int32Array }) => Array.from(r.first).join();
  console.log(
    `${`same ids, ${tag} vs AVX-512`.padEnd(33)}: single ` +
      `${all(native!) === all(plain.single) ? 'yes' : 'NO'}, batched ` +
      `${all(nativeBatch!) === all(plain.batch) ? 'yes' : 'NO'}`,
  );
}
