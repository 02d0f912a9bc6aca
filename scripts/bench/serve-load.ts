// Benchmark: `movrec serve` with a 1M-user x 27,000-item x 64-factor model,
// loaded from a second process on loopback (wrk when it is on PATH, else
// autocannon; user ids drawn from all 1M users), beside (a) a bare uWebSockets.js handler answering a fixed
// line, the ceiling, (b) the same server with the TypeScript kernel
// (MOVREC_NATIVE=0), and (c) the same server without micro-batching
// (serve.batchSize 1: one worker task and one kernel pass per request); then
// SIGHUP every few seconds during a load run of a fresh server, beside a steady
// run of that same server just before it. For the first native run it also
// prints where the CPU went per answer (main thread, scoring workers, the rest
// of the machine, from /proc) and the users per scoring task. The rate against
// the ceiling is judged on alternating raw / native runs (PAIRS), not on runs
// minutes apart.
// Run: npx tsc -p tsconfig.build.json && node native/build.js && node dist/scripts/bench/serve-load.js
// wrk is the better gauge here: it costs the shared 2 cores about a third of
// what autocannon (a Node process) does per request, so more CPU is left to the
// server, and the raw ceiling it measures is the server's, not the client's.
// Knobs (env): USERS, ITEMS, FACTORS, SECONDS (per run, default 10), CONNECTIONS (32), THREADS (2), SWAP_EVERY_MS
// (2500),
// LOADGEN (wrk | autocannon; default wrk when installed), WARMUP (s of unmeasured load before each server's runs,
// default 2), SWEEP (connection counts for the native server, default 16,48,64,128,256; the raw handler also runs at
// the largest),
// RATE (offered req/s of the paced run, default 1000: latency below saturation, where the simulator lives),
// PAIRS (back-to-back raw / native runs at the largest connection count, default 3: the rate ratio's verdict is their
// median).
// BASELINE=<path to another build's scripts/movrec.js>: the short comparison instead of the full run: that build's
// server and this one, each loaded PAIRS times in alternation (SECONDS each, CONNECTIONS), medians and their ratio
// (e.g. the cost of a feature: build the commit before it into a copy and point BASELINE at it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelParts } from '../../src/model/artifact';
import { manifestPath, registerModel } from '../../src/model/registry';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';
import { numberKnob, numberListKnob, servingKnobs, textKnob } from './env';
import { movieId, randomModelParts, rng } from './random-model';

const { USERS, RATE, SECONDS, WARMUP, THREADS } = servingKnobs({
  users: 1_000_000,
  // The paced run's offered req/s: latency below saturation, where the simulator lives.
  rate: 1000,
  seconds: 10,
  // Unmeasured load before each server's first run: JIT warm-up and first touches of the model's pages.
  warmup: 2,
  threads: 2,
});
const ITEMS = numberKnob('ITEMS', 27_000);
const K = numberKnob('FACTORS', 64);
const CONNECTIONS = numberKnob('CONNECTIONS', 32);
const SWAP_EVERY_MS = numberKnob('SWAP_EVERY_MS', 2500);
const SWEEP = numberListKnob('SWEEP', [16, 48, 64, 128, 256]);
// Alternating raw / native runs at the largest connection count, for the rate comparison.
const PAIRS = numberKnob('PAIRS', 3);
const HISTORY = 3;
const BASELINE = textKnob('BASELINE');
// `wrk -v` prints its version and exits 1; a missing binary is a spawn error.
const WRK_FOUND = /^wrk /.test(spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout ?? '');
const LOADGEN = textKnob('LOADGEN') ?? (WRK_FOUND ? 'wrk' : 'autocannon');
if (LOADGEN !== 'wrk' && LOADGEN !== 'autocannon') throw new Error(`LOADGEN must be wrk or autocannon, got ${LOADGEN}`);
if (LOADGEN === 'wrk' && !WRK_FOUND) throw new Error('LOADGEN=wrk but wrk is not on PATH (apt-get install wrk)');

const ROOT = join(__dirname, '..', '..', '..');
const MOVREC = join(ROOT, 'scripts', 'movrec.js');
const RAW = join(__dirname, 'http-raw-uws.js');

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; p99_9: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<LoadResult>;
// autocannon ships no typings; this is the slice of its result the report reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

function parts(id: string, seed: number): ModelParts {
  return randomModelParts({
    id,
    seed,
    users: USERS,
    items: ITEMS,
    factors: K,
    segments: { 'unknown|unknown': Array.from({ length: 100 }, (_, i) => i) },
  });
}

const manifestFields = (created: string) => ({
  created,
  approved: true,
  gate: { passed: true, reasons: [] },
  data: { from: 0, to: 0, hash: 'bench', ratings: 0, watches: USERS * HISTORY, users: USERS, items: ITEMS },
  codeVersion: 'bench',
  hyperparameters: {},
  metrics: {},
  trainSeconds: 0,
  peakRssBytes: 0,
});

/** Every user watched HISTORY titles: enough history to be scored by the model, not answered from a segment. */
async function fillHistory(dataDir: string): Promise<void> {
  const store = openStore(dataDir);
  const t = storeTables(store);
  const r = rng(7);
  const bits = new Uint8Array(16).fill(255);
  await t.watches.transaction(() => {
    for (let u = 1; u <= USERS; u++) {
      const seen: string[] = [];
      for (let s = 0; s < HISTORY; s++) seen.push(movieId(Math.floor(r() * ITEMS)));
      for (const m of seen) void t.watches.put([u, m], [1, 2, 90, bits]);
      addSeen(t, u, seen);
    }
  });
  await store.close();
}

/** Makes a registered model the newest approved one, as a fresh training run would. */
function touch(dataDir: string, id: string): void {
  const file = manifestPath(dataDir, id);
  const m = JSON.parse(readFileSync(file, 'utf8')) as { created: string };
  m.created = new Date().toISOString();
  writeFileSync(`${file}.tmp`, JSON.stringify(m));
  renameSync(`${file}.tmp`, file);
}

interface Child {
  proc: ChildProcess;
  port: number;
  lines: string[];
}

function start(cmd: string[], env: NodeJS.ProcessEnv, portFrom: 'stdout' | 'stderr'): Promise<Child> {
  const proc = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${cmd.join(' ')}: no port within 120 s\n${lines.slice(-5).join('\n')}`)),
      120_000,
    );
    const onData = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
      for (const line of d.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        if (stream !== portFrom) continue;
        const m = /"port":(\d+)/.exec(line);
        if (m && (portFrom === 'stdout' || /"msg":"listening"/.test(line))) {
          clearTimeout(timer);
          resolve({ proc, port: Number(m[1]), lines });
        }
      }
    };
    proc.stdout!.on('data', onData('stdout'));
    proc.stderr!.on('data', onData('stderr'));
    proc.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}\n${lines.slice(-5).join('\n')}`)));
  });
}

async function stop(c: Child): Promise<number | null> {
  const exited = new Promise<number | null>((r) => c.proc.once('exit', (code) => r(code)));
  c.proc.kill('SIGTERM');
  return exited;
}

/** Closed loop: each connection sends its next request when the last is answered. */
function load(port: number, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  return LOADGEN === 'wrk' ? wrk(port, seconds, connections) : autocannonLoad(port, seconds, connections);
}

function autocannonLoad(port: number, seconds: number, connections: number): Promise<LoadResult> {
  const r = rng(99);
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/recommend/${1 + Math.floor(r() * USERS)}` }),
      },
    ],
  });
}

// One wrk thread (one core at most, like autocannon's one event loop); the
// script draws the user ids and prints the summary as one JSON line.
const WRK_SCRIPT = `
math.randomseed(99)
request = function() return wrk.format("GET", "/recommend/" .. math.random(1, ${USERS})) end
done = function(s, lat)
  local e = s.errors
  io.write(string.format('WRK {"requests":%d,"us":%d,"p50":%d,"p99":%d,"p999":%d,"max":%d,' ..
    '"errors":%d,"timeouts":%d,"non2xx":%d}\\n',
    s.requests, s.duration, lat:percentile(50), lat:percentile(99), lat:percentile(99.9), lat.max,
    e.connect + e.read + e.write, e.timeout, e.status))
end
`;

function wrk(port: number, seconds: number, connections: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'movrec-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, WRK_SCRIPT);
  return new Promise<LoadResult>((resolve, reject) => {
    const proc = spawn(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '2s', '-s', script, `http://127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const m = /WRK (\{.*\})/.exec(out);
      if (code !== 0 || !m)
        return reject(new Error(`wrk exited with ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`));
      const w = JSON.parse(m[1]!) as {
        requests: number;
        us: number;
        p50: number;
        p99: number;
        p999: number;
        max: number;
        errors: number;
        timeouts: number;
        non2xx: number;
      };
      resolve({
        requests: { average: w.requests / (w.us / 1e6), total: w.requests },
        latency: { p50: w.p50 / 1000, p99: w.p99 / 1000, p99_9: w.p999 / 1000, max: w.max / 1000 },
        errors: w.errors,
        timeouts: w.timeouts,
        non2xx: w.non2xx,
      });
    });
  });
}

/**
 * Open loop: requests leave at a steady `rate` whether or not earlier ones
 * were answered (autocannon's own rate limit sends each second's quota in a
 * burst, which measures bursts, not a steady stream like the simulator's).
 */
async function paced(port: number, seconds: number, rate: number): Promise<LoadResult> {
  // Enough sockets that requests queue in the server, where the deadline budget sees them, not in this client.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const r = rng(98);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let pending = 0;
  const started = performance.now();
  const one = (): void => {
    pending++;
    const t0 = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path: `/recommend/${1 + Math.floor(r() * USERS)}`, agent },
      (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          if (res.statusCode !== 200) non2xx++;
          pending--;
        });
      },
    );
    req.on('error', () => {
      errors++;
      pending--;
    });
    req.end();
  };
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(rate * seconds, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) {
        one();
        sent++;
      }
      if (sent >= rate * seconds && pending === 0) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    requests: { average: latencies.length / ((performance.now() - started) / 1000), total: sent },
    latency: { p50: q(0.5), p99: q(0.99), p99_9: q(0.999), max: latencies[latencies.length - 1] ?? NaN },
    errors,
    timeouts: 0,
    non2xx,
  };
}

/** Each named metric's value summed over its series, from one fetch of /metrics. */
async function scrapeAll(port: number, names: readonly string[]): Promise<number[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sums = names.map(() => 0);
  for (const line of text.split('\n')) {
    const at = names.findIndex((name) => line.startsWith(name));
    if (at >= 0) sums[at]! += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sums;
}

async function scrape(port: number, name: string): Promise<number> {
  return (await scrapeAll(port, [name]))[0]!;
}

/** On-CPU nanoseconds of each thread of a process (Linux schedstat); empty where /proc has none. */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number.isFinite(ns)) out.set(Number(tid), ns);
    }
  } catch {
    // Not Linux, or the process has gone: no breakdown.
  }
  return out;
}

/** Busy and total CPU time of the whole machine in /proc/stat's USER_HZ ticks (user..steal), or null. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - f[4]!, total };
  } catch {
    return null;
  }
}

/**
 * Where the CPU went during one load run: per answer, the server's main
 * thread, its scoring workers (its THREADS busiest other threads), the rest of
 * its threads, and everything else the machine ran (the load generator, this
 * script); and how busy the machine's cores were.
 */
async function cpuBreakdown(pid: number, run: () => Promise<LoadResult>): Promise<{ r: LoadResult; line: string }> {
  const c0 = threadCpu(pid);
  const m0 = machineTicks();
  const r = await run();
  const c1 = threadCpu(pid);
  const m1 = machineTicks();
  if (c0.size === 0 || !m0 || !m1) return { r, line: 'CPU breakdown: not available here (no /proc)' };
  const deltas = [...c1].map(([tid, ns]) => ({ tid, s: (ns - (c0.get(tid) ?? 0)) / 1e9 }));
  const main = deltas.find((d) => d.tid === pid)?.s ?? 0;
  const others = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.s - a.s);
  const workers = others.slice(0, THREADS).reduce((a, d) => a + d.s, 0);
  const rest = others.slice(THREADS).reduce((a, d) => a + d.s, 0);
  // USER_HZ is 100 on Linux.
  const busy = (m1.busy - m0.busy) / 100;
  const elsewhere = Math.max(0, busy - main - workers - rest);
  const us = (s: number) => `${((s / r.requests.total) * 1e6).toFixed(0)} us`;
  const pctBusy = ((100 * (m1.busy - m0.busy)) / (m1.total - m0.total)).toFixed(0);
  return {
    r,
    line:
      `CPU per answer: main thread ${us(main)}, ${THREADS} scoring workers ${us(workers)}, other ` +
      `server threads ${us(rest)}, the rest of the machine (load generator, this script) ` +
      `${us(elsewhere)}; the ${cpus().length} cores ${pctBusy}% busy`,
  };
}

interface Row {
  name: string;
  r: LoadResult;
  degraded?: number;
  note?: string;
}

function row({ name, r, degraded, note }: Row): string {
  const f = (x: number) => x.toFixed(2).padStart(7);
  return [
    name.padEnd(34),
    Math.round(r.requests.average).toString().padStart(7),
    f(r.latency.p50),
    f(r.latency.p99),
    f(r.latency.p99_9),
    String(r.errors + r.timeouts).padStart(6),
    String(r.non2xx).padStart(6),
    String(degraded ?? '-').padStart(8),
    note ?? '',
  ].join('  ');
}

/** This build's server against another build's, alternating runs so that both see the same machine. */
async function compareWithBaseline(baseline: string, serveArgs: string[], children: Child[]): Promise<void> {
  const base = await start([baseline, ...serveArgs.slice(1)], { MOVREC_LOG_LEVEL: 'info' }, 'stderr');
  children.push(base);
  const cur = await start(serveArgs, { MOVREC_LOG_LEVEL: 'info' }, 'stderr');
  children.push(cur);
  await load(base.port, WARMUP);
  await load(cur.port, WARMUP);
  const runs: { base: LoadResult; cur: LoadResult }[] = [];
  for (let x = 0; x < PAIRS; x++)
    runs.push({ base: await load(base.port, SECONDS), cur: await load(cur.port, SECONDS) });
  await stop(base);
  await stop(cur);
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const b = median(runs.map((r) => r.base.requests.average));
  const c = median(runs.map((r) => r.cur.requests.average));
  console.log('');
  for (const [i, r] of runs.entries())
    console.log(
      `pair ${i + 1}: baseline ${Math.round(r.base.requests.average)} req/s (p99 ` +
        `${r.base.latency.p99} ms), this build ${Math.round(r.cur.requests.average)} req/s (p99 ` +
        `${r.cur.latency.p99} ms)`,
    );
  console.log(
    `median of ${PAIRS} alternating ${SECONDS} s runs at ${CONNECTIONS} connections: baseline ` +
      `(${baseline}) ${Math.round(b)} req/s, this build ${Math.round(c)} req/s: ` +
      `${((100 * c) / b).toFixed(1)}% of the baseline`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'movrec-serve-bench-'));
  const children: Child[] = [];
  try {
    console.log(
      `model ${USERS} users x ${ITEMS} items x ${K} factors; serve --threads ${THREADS}; load: ` +
        `${LOADGEN}${LOADGEN === 'wrk' ? ' (1 thread)' : ''}, ${CONNECTIONS} connections, ${SECONDS} ` +
        `s per run, ids from all ${USERS} users`,
    );
    console.log('the machine (2 cores) is shared with the load generator and other jobs: figures are noisy');
    let t0 = Date.now();
    await fillHistory(dir);
    const a = registerModel(dir, parts('mf-20260101T000000Z-aaaaaa', 1), manifestFields('2026-01-02T00:00:00.000Z'));
    const b = registerModel(dir, parts('mf-20260101T000000Z-bbbbbb', 2), manifestFields('2026-01-01T00:00:00.000Z'));
    console.log(
      `setup: ${USERS * HISTORY} watches in LMDB, two artifacts of ` +
        `${(readFileSync(join(dir, 'models', a.artifact)).byteLength / 2 ** 20).toFixed(0)} MiB, ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const serveArgs = [
      MOVREC,
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--threads',
      String(THREADS),
      '--data-dir',
      dir,
    ];
    if (BASELINE) return await compareWithBaseline(BASELINE, serveArgs, children);
    const unbatched = join(dir, 'unbatched.json');
    writeFileSync(unbatched, JSON.stringify({ serve: { batchSize: 1 } }));
    const rows: Row[] = [];
    let breakdown = '';

    const raw = await start([RAW], {}, 'stdout');
    children.push(raw);
    await load(raw.port, WARMUP);
    rows.push({ name: '(a) raw uWebSockets.js, fixed line', r: await load(raw.port, SECONDS) });
    // Its capacity at the sweep's largest concurrency too: the rate comparison takes each server at its best.
    const wide = Math.max(CONNECTIONS, ...SWEEP);
    if (wide !== CONNECTIONS)
      rows.push({ name: `  same, ${wide} connections`, r: await load(raw.port, SECONDS, wide) });
    // The raw handler stays up (idle) for the alternating capacity runs below.
    const rawRuns = rows.slice();
    const pairs: { raw: LoadResult; native: LoadResult }[] = [];

    for (const [name, env, extra, openLoop] of [
      ['movrec serve, native kernel', {}, [], true],
      ['(b) movrec serve, TypeScript kernel', { MOVREC_NATIVE: '0' }, [], false],
      ['(c) movrec serve, native, batchSize 1', {}, ['--config', unbatched], false],
    ] as const) {
      t0 = Date.now();
      const s = await start([...serveArgs, ...extra], { ...env, MOVREC_LOG_LEVEL: 'info' }, 'stderr');
      children.push(s);
      const startS = ((Date.now() - t0) / 1000).toFixed(1);
      await load(s.port, WARMUP);
      const counted = [
        'movrec_http_degraded_total',
        'movrec_scoring_batch_users_sum',
        'movrec_scoring_batch_users_count',
      ] as const;
      const [d0, users0, tasks0] = (await scrapeAll(s.port, counted)) as [number, number, number];
      const { r, line } = await cpuBreakdown(s.proc.pid!, () => load(s.port, SECONDS));
      const [d1, users1, tasks1] = (await scrapeAll(s.port, counted)) as [number, number, number];
      rows.push({ name, r, degraded: d1 - d0, note: `start ${startS} s` });
      if (openLoop) {
        const perTask = (users1 - users0) / (tasks1 - tasks0);
        breakdown =
          `in the ${CONNECTIONS}-connection native run: ${line}; ${perTask.toFixed(1)} ` + `users per scoring task`;
        // The same server at other concurrencies: throughput against latency.
        for (const c of SWEEP) rows.push({ name: `  same, ${c} connections`, r: await load(s.port, SECONDS, c) });
        // Capacity against the ceiling in back-to-back pairs: the machine's speed drifts by a quarter
        // within minutes, so a raw run minutes before the native one can land on either side of 25%.
        for (let x = 0; x < PAIRS; x++)
          pairs.push({ raw: await load(raw.port, SECONDS, wide), native: await load(s.port, SECONDS, wide) });
        await stop(raw);
        const before = await scrape(s.port, 'movrec_http_degraded_total');
        const steady = await paced(s.port, SECONDS, RATE);
        rows.push({
          name: `  same, open loop at ${RATE} req/s`,
          r: steady,
          degraded: (await scrape(s.port, 'movrec_http_degraded_total')) - before,
        });
      }
      await stop(s);
    }

    const s = await start(serveArgs, { MOVREC_LOG_LEVEL: 'info' }, 'stderr');
    children.push(s);
    await load(s.port, WARMUP);
    // The steady reference for the swap run: this same server, measured just
    // before it (the machine's speed drifts by a quarter within minutes, so a
    // run of another server process minutes earlier is a loose reference).
    const swapSteady = await load(s.port, SECONDS);
    rows.push({ name: 'movrec serve, steady before swaps', r: swapSteady });
    const swapD0 = await scrape(s.port, 'movrec_http_degraded_total');
    let swaps = 0;
    let next = b.id;
    const timer = setInterval(() => {
      touch(dir, next);
      next = next === a.id ? b.id : a.id;
      s.proc.kill('SIGHUP');
      swaps++;
    }, SWAP_EVERY_MS);
    const swapRun = await load(s.port, SECONDS);
    clearInterval(timer);
    await new Promise((r) => setTimeout(r, 3000));
    const published = s.lines.filter((l) => /"msg":"model published"/.test(l)).length - 1;
    const flipMs = s.lines
      .filter((l) => /"msg":"model published"/.test(l))
      .slice(1)
      .map((l) => Number(/"ms":(\d+)/.exec(l)?.[1]));
    rows.push({
      name: `movrec serve, SIGHUP every ${SWAP_EVERY_MS / 1000} s`,
      r: swapRun,
      degraded: (await scrape(s.port, 'movrec_http_degraded_total')) - swapD0,
      note: `${swaps} SIGHUPs, ${published} flips (load+verify+flip ms: ${flipMs.join(', ')})`,
    });
    const exit = await stop(s);

    console.log('');
    console.log(
      [
        'run'.padEnd(34),
        'req/s'.padStart(7),
        'p50 ms'.padStart(7),
        'p99 ms'.padStart(7),
        'p99.9ms'.padStart(7),
        'errors'.padStart(6),
        'non2xx'.padStart(6),
        'degraded'.padStart(8),
      ].join('  '),
    );
    for (const x of rows) console.log(row(x));
    const rawRow = rows[0]!;
    const nat = rows.find((x) => x.name === 'movrec serve, native kernel')!;
    const ts = rows.find((x) => x.name.startsWith('(b)'))!;
    const single = rows.find((x) => x.name.startsWith('(c)'))!;
    const swap = rows[rows.length - 1]!;
    const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(0)}%`;
    console.log('');
    console.log(
      `targets at ${CONNECTIONS} connections: >= 10000 req/s: ${Math.round(nat.r.requests.average)} ` +
        `| p99 <= 10 ms: ${nat.r.latency.p99} | no errors: ` +
        `${nat.r.errors + nat.r.timeouts + nat.r.non2xx} | share of raw at ${CONNECTIONS} ` +
        `connections (the 25% target is judged on capacity below): ` +
        `${pct(nat.r.requests.average, rawRow.r.requests.average)} ` +
        `(TS kernel: ${pct(ts.r.requests.average, rawRow.r.requests.average)}, ` +
        `unbatched: ${pct(single.r.requests.average, rawRow.r.requests.average)})`,
    );
    // The closed-loop connection count is the load generator's choice: the best native run that keeps p99 <= 10 ms and
    // no errors.
    const native = [nat, ...rows.filter((x) => !rawRuns.includes(x) && / connections$/.test(x.name))];
    const ok = native
      .filter((x) => x.r.latency.p99 <= 10 && x.r.errors + x.r.timeouts + x.r.non2xx === 0)
      .sort((a, b) => b.r.requests.average - a.r.requests.average)[0];
    console.log(
      ok
        ? `best native run with p99 <= 10 ms and no errors: ${Math.round(ok.r.requests.average)} ` +
            `req/s (${ok === nat ? `${CONNECTIONS} connections` : ok.name.replace('same, ', '').trim()}), ` +
            `${pct(ok.r.requests.average, rawRow.r.requests.average)} of raw -> >= 10000 req/s ` +
            `${ok.r.requests.average >= 10_000 ? 'MET' : 'NOT MET'}`
        : 'no native run kept p99 <= 10 ms without errors -> NOT MET',
    );
    // Capacity: each server's best rate without errors over the connection counts it ran at (the p99 target above is
    // separate).
    const clean = (x: Row) => x.r.errors + x.r.timeouts + x.r.non2xx === 0;
    const best = (xs: Row[]) => xs.filter(clean).sort((a, b) => b.r.requests.average - a.r.requests.average)[0];
    const rawBest = best(rawRuns);
    const natBest = best(native);
    const conns = (x: Row, first: Row) =>
      x === first ? `${CONNECTIONS} connections` : x.name.replace('same, ', '').trim();
    if (rawBest && natBest) {
      const share = natBest.r.requests.average / rawBest.r.requests.average;
      console.log(
        `capacity (best run without errors, runs minutes apart): native ` +
          `${Math.round(natBest.r.requests.average)} req/s (${conns(natBest, nat)}, p99 ` +
          `${natBest.r.latency.p99} ms) vs raw ${Math.round(rawBest.r.requests.average)} req/s ` +
          `(${conns(rawBest, rawRow)}) = ${(100 * share).toFixed(1)}%`,
      );
    }
    if (pairs.length > 0) {
      // A pair with errors on either side does not count.
      const shares = pairs
        .filter((p) => [p.raw, p.native].every((r) => r.errors + r.timeouts + r.non2xx === 0))
        .map((p) => p.native.requests.average / p.raw.requests.average);
      const sorted = shares.slice().sort((a, b) => a - b);
      const median =
        sorted.length === 0
          ? NaN
          : sorted.length % 2
            ? sorted[(sorted.length - 1) >> 1]!
            : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
      const each = pairs
        .map((p) => `${Math.round(p.native.requests.average)} / ${Math.round(p.raw.requests.average)}`)
        .join(', ');
      console.log(
        `capacity in ${pairs.length} back-to-back pairs at ${Math.max(CONNECTIONS, ...SWEEP)} ` +
          `connections (native / raw req/s): ${each} = ` +
          `${shares.map((x) => `${(100 * x).toFixed(1)}%`).join(', ')}; median ` +
          `${(100 * median).toFixed(1)}% -> >= 25% of raw ${median >= 0.25 ? 'MET' : 'NOT MET'}`,
      );
    }
    console.log(breakdown);
    const ratio = swap.r.latency.p99 / swapSteady.latency.p99;
    console.log(
      `swap under load: failed requests ${swap.r.errors + swap.r.timeouts + swap.r.non2xx} (target ` +
        `0) | p99 during swaps ${swap.r.latency.p99} ms vs ${swapSteady.latency.p99} ms steady on ` +
        `the same server just before = ${ratio.toFixed(2)}x (target <= 2x: ` +
        `${ratio <= 2 ? 'MET' : 'NOT MET'}; vs the first native run's ${nat.r.latency.p99} ms: ` +
        `${(swap.r.latency.p99 / nat.r.latency.p99).toFixed(2)}x) | exit after SIGTERM ${exit}`,
    );
  } finally {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
