// Benchmark: latency in real operation, as the simulator sees it. The
// simulator runs in its own process at the course's rate into the Kafka
// broker and calls `movrec serve`, which ingests that topic and retrains on a
// schedule in a child; every request line the simulator wrote (status and ms,
// Kafka timestamp) is read back and split by whether a retrain was running
// (from the training child's start to 2 s after its model was swapped in, from
// serve's log). One arm per trainer priority, each in the same run on the same
// data: p50 / p99 / p99.9 beside the target p99 <= 20 ms, and where the CPU
// went (serve, its training children, the simulator, from /proc).
// Run: npm run build && node native/build.js && MOVREC_TEST_KAFKA=host:port node dist/scripts/bench/live-latency.js
// Knobs (env): USERS (100000), MOVIES (5000), HISTORY (1000000 lines ingested before serving), RATE (1000 lines/s),
// SECONDS (per arm, 180), WARMUP (s left out at each arm's start, 15), RETRAIN_EVERY_MIN (0.5: back to back when a
// train takes longer), THREADS (serve.threads, 2), ARMS (comma list of trainer priorities normal, nice, idle, each
// optionally with the server's niceness and scoring threads, e.g. idle+serve-10+threads1 (a negative niceness needs
// CAP_SYS_NICE); default normal,idle),
// TRAIN_FLAGS (extra node flags for the training child, space-separated), PROBE_RATE (req/s of a keep-alive probe from
// this process beside the simulator, 20; 0: none), KAFKA (default $MOVREC_TEST_KAFKA).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const USERS = Number(process.env.USERS ?? 100_000);
const MOVIES = Number(process.env.MOVIES ?? 5000);
const HISTORY = Number(process.env.HISTORY ?? 1_000_000);
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 180);
const WARMUP = Number(process.env.WARMUP ?? 15);
const RETRAIN_EVERY_MIN = Number(process.env.RETRAIN_EVERY_MIN ?? 0.5);
const THREADS = Number(process.env.THREADS ?? 2);
const ARMS = (process.env.ARMS ?? 'normal,idle').split(',').filter(Boolean);
const TRAIN_FLAGS = (process.env.TRAIN_FLAGS ?? '').split(' ').filter(Boolean);
const KAFKA = process.env.KAFKA ?? process.env.MOVREC_TEST_KAFKA;
const TARGET_P99 = 20;
// The simulator asks a few times a second at this line rate: a probe beside it gives p99.9 a sample worth the name.
const PROBE_RATE = Number(process.env.PROBE_RATE ?? 20);

// Trainer priority per arm: what serve's retrain settings make of the child.
const PRIORITY: Record<string, { nice: number; schedIdle: boolean }> = {
  normal: { nice: 0, schedIdle: false },
  nice: { nice: 19, schedIdle: false },
  idle: { nice: 19, schedIdle: true },
};

const ROOT = join(__dirname, '..', '..', '..');
const MOVREC = join(ROOT, 'scripts', 'movrec.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(process.execPath, [MOVREC, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, MOVREC_LOG_LEVEL: 'warn', ...env },
  });
  if (r.status !== 0) throw new Error(`movrec ${args[0]} exited ${r.status}: ${r.stderr.slice(-800)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process, and of its waited-for children, in seconds (proc(5) fields 14-17). */
function cpuSeconds(pid: number): { self: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const hz = 100;
    return { self: (f[11]! + f[12]!) / hz, children: (f[13]! + f[14]!) / hz };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** Summed over a process's threads (schedstat): ns on a CPU, ns runnable but waiting on a run queue. */
function schedSeconds(pid: number): { run: number; wait: number } {
  let run = 0;
  let wait = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [r, w] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        run += r! / 1e9;
        wait += w! / 1e9;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process ended
  }
  return { run, wait };
}

/** The p99 and max of serve's event-loop delay since the previous scrape (prom-client resets its monitor on each). */
function loopLag(body: string): { p99: number; max: number } {
  const get = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(body)?.[1] ?? Number.NaN);
  return { p99: get('nodejs_eventloop_lag_p99_seconds') * 1000, max: get('nodejs_eventloop_lag_max_seconds') * 1000 };
}

interface LogRecord {
  time: number;
  msg: string;
  [k: string]: unknown;
}

function spawnLogged(args: string[], onRecord: (r: LogRecord) => void, nice = 0): ChildProcess {
  // Under `nice`, every thread of the child has the priority from its start.
  const argv =
    nice === 0 ? [process.execPath, MOVREC, ...args] : ['nice', '-n', String(nice), process.execPath, MOVREC, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOVREC_LOG_LEVEL: 'info' },
  });
  let partial = '';
  child.stderr!.on('data', (c: Buffer) => {
    const lines = (partial + c.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        onRecord(JSON.parse(line) as LogRecord);
      } catch {
        // the simulator's scoreboard lines are not JSON
      }
    }
  });
  return child;
}

interface Request {
  ts: number;
  ms: number;
  status: number;
}

/** A paced probe: one GET /recommend every 1/rate s over one keep-alive connection, timed to the microsecond. */
function startProbe(port: number, users: number): { stop(): Request[] } {
  const out: Request[] = [];
  if (PROBE_RATE <= 0) return { stop: () => out };
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let n = 0;
  const timer = setInterval(() => {
    const t0 = performance.now();
    const user = 1 + ((n++ * 7919) % users);
    const req = request({ host: '127.0.0.1', port, path: `/recommend/${user}`, agent }, (res) => {
      res.resume();
      res.on('end', () => out.push({ ts: Date.now(), ms: performance.now() - t0, status: res.statusCode ?? 0 }));
    });
    req.on('error', () => out.push({ ts: Date.now(), ms: performance.now() - t0, status: 0 }));
    req.end();
  }, 1000 / PROBE_RATE);
  return {
    stop: () => {
      clearInterval(timer);
      agent.destroy();
      return out;
    },
  };
}

/** Serve's own /recommend duration histogram (cumulative bucket counts by upper bound, seconds). */
async function serverHistogram(port: number): Promise<{ h: Map<number, number>; body: string } | null> {
  try {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const out = new Map<number, number>();
    for (const m of body.matchAll(/^movrec_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
      const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
      if (!/route="recommend"/.test(m[1]!) || le === undefined) continue;
      out.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(m[2]));
    }
    return { h: out, body };
  } catch {
    return null;
  }
}

/** The bucket bound (ms) under which a share q of the counted answers fell. */
function bucketQuantile(h: Map<number, number>, q: number): string {
  const bounds = [...h.keys()].sort((a, b) => a - b);
  const total = h.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return '-';
  for (const b of bounds) if (h.get(b)! >= q * total) return b === Number.POSITIVE_INFINITY ? '>500' : `<=${b * 1000}`;
  return '-';
}

const REQUEST = /recommendation request [^,]+, status (\d+), result: .*, (\d+) ms$/;

/** Every request line on the topic, with its Kafka timestamp (the simulator's wall clock when it sent it). */
async function readRequests(topic: string): Promise<Request[]> {
  const kafka = new Kafka({ clientId: 'live-latency', brokers: [KAFKA!], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = Number(offsets[0]!.high);
  const out: Request[] = [];
  const consumer = kafka.consumer({ groupId: `live-latency-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (high === 0) return resolve();
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const r = REQUEST.exec(m.value?.toString('utf8') ?? '');
          if (r) out.push({ ts: Number(m.timestamp), status: Number(r[1]), ms: Number(r[2]) });
          if (Number(m.offset) >= high - 1) resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(label: string, reqs: Request[]): string {
  const ms = reqs.map((r) => r.ms).sort((a, b) => a - b);
  const bad = new Map<number, number>();
  for (const r of reqs) if (r.status !== 200) bad.set(r.status, (bad.get(r.status) ?? 0) + 1);
  const failed = [...bad.values()].reduce((a, b) => a + b, 0);
  const why = bad.size ? ` (${[...bad].map(([st, n]) => `${st === 0 ? 'no answer' : st}: ${n}`).join(', ')})` : '';
  const p99 = pct(ms, 0.99);
  const verdict = ms.length === 0 ? 'no requests' : p99 <= TARGET_P99 ? 'meets' : 'MISSES';
  return (
    `  ${label.padEnd(16)} n ${String(ms.length).padStart(6)}  p50 ${String(pct(ms, 0.5)).padStart(4)} ms  ` +
    `p99 ${String(p99).padStart(4)} ms  p99.9 ${String(pct(ms, 0.999)).padStart(4)} ms  max ` +
    `${String(ms.at(-1) ?? '-').padStart(4)} ms  ` +
    `failed ${failed}${why}  target p99 <= ${TARGET_P99} ms: ${verdict}`
  );
}

async function runArm(arm: string, dir: string, dataDir: string, worldDir: string): Promise<void> {
  // An arm is a trainer priority, optionally with the server's niceness and scoring threads: `idle+serve-10+threads1`.
  const [trainer, ...mods] = arm.split('+');
  const prio = PRIORITY[trainer!];
  let serveNice = 0;
  let scoringThreads = THREADS;
  for (const m of mods) {
    const x = /^(serve|threads)(-?\d+)$/.exec(m);
    if (!x) throw new Error(`ARMS: unknown modifier ${m} in ${arm} (serve<nice>, threads<n>)`);
    if (x[1] === 'serve') serveNice = Number(x[2]);
    else scoringThreads = Number(x[2]);
  }
  if (!prio)
    throw new Error(
      `ARMS: unknown arm ${arm} (one of ${Object.keys(PRIORITY).join(', ')}, then +serve<nice>, +threads<n>)`,
    );
  const kafka = new Kafka({ clientId: 'live-latency', brokers: [KAFKA!], logLevel: logLevel.NOTHING });
  const topic = `live-latency-${Date.now()}-${arm.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const [servePort, apiPort] = [await freePort(), await freePort()];
  const cfg = join(dir, `serve-${arm}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({
      kafka: { groupId: `movrec-${topic}`, startFrom: 'earliest' },
      catalog: { baseUrl: `http://127.0.0.1:${apiPort}` },
      serve: { threads: scoringThreads },
      retrain: { everyMinutes: RETRAIN_EVERY_MIN, ...prio, nodeFlags: TRAIN_FLAGS },
      // Latency is measured here, not model quality: every retrained model is swapped in, as a good one would be.
      gate: { maxRmse: 100, ndcgTolerance: 1 },
    }),
  );
  const logs: LogRecord[] = [];
  let listening: (() => void) | undefined;
  const up = new Promise<void>((r) => {
    listening = r;
  });
  const serve = spawnLogged(
    [
      'serve',
      '--data-dir',
      dataDir,
      '--config',
      cfg,
      '--port',
      String(servePort),
      '--host',
      '127.0.0.1',
      '--kafka',
      KAFKA!,
      '--topic',
      topic,
    ],
    (r) => {
      logs.push(r);
      if (r.msg === 'listening') listening?.();
    },
    serveNice,
  );
  await up;
  const cpu0 = cpuSeconds(serve.pid!);
  const simStart = Date.now();
  const sim = spawnLogged(
    [
      'sim',
      '--seed',
      '3',
      '--users',
      String(USERS),
      '--movies',
      String(MOVIES),
      '--world',
      worldDir,
      '--kafka',
      KAFKA!,
      '--topic',
      topic,
      '--rate',
      String(RATE),
      '--api-port',
      String(apiPort),
      '--api-host',
      '127.0.0.1',
      '--target',
      `http://127.0.0.1:${servePort}`,
      '--duration',
      String(SECONDS),
    ],
    () => undefined,
  );
  const simExit = new Promise<void>((r) => sim.on('exit', () => r()));
  const probe = startProbe(servePort, USERS);
  // Serve's own latency per second, to split the time inside the server from the time around it.
  const scrapes: {
    ts: number;
    h: Map<number, number>;
    lag: { p99: number; max: number };
    sched: { run: number; wait: number };
  }[] = [];
  const scraper = setInterval(() => {
    const sched = schedSeconds(serve.pid!);
    void serverHistogram(servePort).then(
      (x) => x && scrapes.push({ ts: Date.now(), h: x.h, lag: loopLag(x.body), sched }),
    );
  }, 1000);
  // Sampled just before the simulator ends: its own CPU, while /proc still has it.
  let simCpu = 0;
  const sampler = setInterval(() => {
    simCpu = Math.max(simCpu, cpuSeconds(sim.pid!).self);
  }, 1000);
  await simExit;
  clearInterval(sampler);
  clearInterval(scraper);
  const probed = probe.stop().filter((r) => r.ts >= simStart + WARMUP * 1000);
  const cpu1 = cpuSeconds(serve.pid!);
  const load = loadavg()[0]!;
  serve.kill('SIGTERM');
  await new Promise<void>((r) => serve.on('exit', () => r()));

  // Retrain windows from serve's log: child start to the end of its run, plus 2 s after a swap (the slot load).
  const windows: [number, number][] = [];
  let open: number | undefined;
  let durations = 0;
  let runs = 0;
  for (const r of logs) {
    if (r.msg === 'retrain: training child started') open = r.time;
    else if (open !== undefined && /^retrain(:| failed)/.test(r.msg) && r.msg !== 'retrain: scheduled') {
      runs++;
      durations += (r.time - open) / 1000;
      if (!r.msg.includes('handing the model on')) windows.push([open, r.time + 2000]), (open = undefined);
    } else if (open !== undefined && r.msg === 'retrained model serves as stable') {
      windows.push([open, r.time + 2000]);
      open = undefined;
    }
  }
  if (open !== undefined) windows.push([open, Number.POSITIVE_INFINITY]);
  const during = (ts: number) => windows.some(([a, b]) => ts >= a && ts <= b);
  const reqs = (await readRequests(topic)).filter((r) => r.ts >= simStart + WARMUP * 1000);
  const busy = reqs.filter((r) => during(r.ts));
  const idle = reqs.filter((r) => !during(r.ts));
  const retrainS = windows.reduce((s, [a, b]) => s + (Math.min(b, Date.now()) - a) / 1000, 0);
  console.log(
    `arm ${arm}: serve nice ${serveNice}, ${scoringThreads} scoring threads, trainer nice ` +
      `${prio.nice}${prio.schedIdle ? ' + SCHED_IDLE' : ''}` +
      `${TRAIN_FLAGS.length ? ` + node ${TRAIN_FLAGS.join(' ')}` : ''}; ` +
      `${runs} retrains (mean ${(durations / Math.max(1, runs)).toFixed(1)} s), retrain windows ` +
      `${retrainS.toFixed(0)} s of ${SECONDS} s`,
  );
  console.log('  as the simulator saw them:');
  console.log(summary('without retrain', idle));
  console.log(summary('during retrain', busy));
  console.log(summary('all', reqs));
  if (PROBE_RATE > 0) {
    console.log(`  the ${PROBE_RATE} req/s probe beside it (ms rounded up):`);
    const up = (xs: Request[]) => xs.map((r) => ({ ...r, ms: Math.ceil(r.ms) }));
    console.log(summary('without retrain', up(probed.filter((r) => !during(r.ts)))));
    console.log(summary('during retrain', up(probed.filter((r) => during(r.ts)))));
  }
  // Each second's new answers go to the phase that second's end falls in.
  const inServer = { idle: new Map<number, number>(), busy: new Map<number, number>() };
  const phase = () => ({ seconds: 0, run: 0, wait: 0, lagP99: [] as number[], lagMax: 0 });
  const threads = { idle: phase(), busy: phase() };
  for (let i = 1; i < scrapes.length; i++) {
    const { ts, h, lag, sched } = scrapes[i]!;
    if (ts < simStart + WARMUP * 1000) continue;
    const key = during(ts) ? 'busy' : 'idle';
    const into = inServer[key];
    for (const [b, n] of h) into.set(b, (into.get(b) ?? 0) + n - (scrapes[i - 1]!.h.get(b) ?? 0));
    const th = threads[key];
    th.seconds += (ts - scrapes[i - 1]!.ts) / 1000;
    th.run += sched.run - scrapes[i - 1]!.sched.run;
    th.wait += sched.wait - scrapes[i - 1]!.sched.wait;
    if (Number.isFinite(lag.p99)) th.lagP99.push(lag.p99);
    if (Number.isFinite(lag.max)) th.lagMax = Math.max(th.lagMax, lag.max);
  }
  for (const [label, h] of [
    ['without retrain', inServer.idle],
    ['during retrain', inServer.busy],
  ] as const)
    console.log(
      `  inside serve (request to answer written, its histogram) ${label}: n ` +
        `${h.get(Number.POSITIVE_INFINITY) ?? 0}, ` +
        `p50 ${bucketQuantile(h, 0.5)} ms, p99 ${bucketQuantile(h, 0.99)} ms, p99.9 ${bucketQuantile(h, 0.999)} ms`,
    );
  for (const [label, th] of [
    ['without retrain', threads.idle],
    ['during retrain', threads.busy],
  ] as const) {
    const per = (x: number) => (th.seconds > 0 ? (x / th.seconds).toFixed(2) : '-');
    const lag = th.lagP99.sort((a, b) => a - b);
    console.log(
      `  serve's threads ${label}: on a CPU ${per(th.run)} s/s, runnable but waiting for one ${per(th.wait)} s/s; ` +
        `event-loop delay p99 per second: median ${pct(lag, 0.5).toFixed(1)} ms, worst ` +
        `${(lag.at(-1) ?? Number.NaN).toFixed(1)} ms, max ${th.lagMax.toFixed(1)} ms`,
    );
  }
  console.log(
    `  CPU s: serve ${(cpu1.self - cpu0.self).toFixed(1)}, its training children ` +
      `${(cpu1.children - cpu0.children).toFixed(1)}, ` +
      `simulator ${simCpu.toFixed(1)}; machine load average ${load.toFixed(1)} on 2 cores (shared with other work)`,
  );
}

async function main(): Promise<void> {
  if (!KAFKA) throw new Error('set KAFKA or MOVREC_TEST_KAFKA to a broker host:port');
  const dir = mkdtempSync(join(tmpdir(), 'movrec-live-latency-'));
  try {
    const dataDir = join(dir, 'data');
    const worldDir = join(dir, 'world');
    mkdirSync(dataDir, { recursive: true });
    const t0 = Date.now();
    const hist = join(dir, 'history.log');
    run([
      'sim',
      '--seed',
      '3',
      '--users',
      String(USERS),
      '--movies',
      String(MOVIES),
      '--world',
      worldDir,
      '--history',
      String(HISTORY),
      '--out',
      hist,
    ]);
    run(['ingest', '--from-file', hist, '--data-dir', dataDir]);
    const open = join(dir, 'open-gate.json');
    writeFileSync(open, JSON.stringify({ gate: { maxRmse: 100, ndcgTolerance: 1 } }));
    run(['train', '--data-dir', dataDir, '--config', open]);
    if (!existsSync(join(dataDir, 'models'))) throw new Error('no model trained');
    console.log(
      `live latency: ${USERS} users, ${MOVIES} movies, ${HISTORY} history lines ingested and trained ` +
        `in ${((Date.now() - t0) / 1000).toFixed(0)} s; ` +
        `simulator at ${RATE} lines/s into Kafka ${KAFKA}, serve ingesting it with ${THREADS} ` +
        `scoring threads, retrain every ${RETRAIN_EVERY_MIN} min; ` +
        `${SECONDS} s per arm, first ${WARMUP} s left out; latency as the simulator wrote it (whole ms)`,
    );
    for (const arm of ARMS) await runArm(arm, dir, dataDir, worldDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
