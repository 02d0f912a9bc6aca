// Benchmark: latency in real operation, as the simulator sees it. The
// simulator runs in its own process at the course's rate into the Kafka
// broker and calls `movrec serve`, which ingests that topic and retrains on a
// schedule in a child; every request line the simulator wrote (status and ms,
// Kafka timestamp) is read back and split by whether a retrain was running
// (from the training child's start to 2 s after its model was handed on, from
// serve's log). One arm per trainer priority, each in the same run on the same
// data, beside the floor (the same serve and simulator, no ingest, no
// retrain): p50 / p99 / p99.9 beside the target p99 <= 20 ms, and where the
// time went per phase: serve's main thread on a CPU and waiting for one (its
// schedstat), event-loop delay, main-thread GC, ingest work per transaction on
// that thread, catalog fetches, the broker JVM's CPU, the machine's busy share
// and load average at each arm's start and end, and the trainer's scheduling
// policy as /proc shows it.
// Run: npm run build && node native/build.js && MOVREC_TEST_KAFKA=host:port node dist/scripts/bench/live-latency.js
// Knobs (env): USERS (100000; the issue's world is 1000000), MOVIES (5000), HISTORY (1000000 lines ingested before
// serving), RATE (1000 lines/s), SECONDS (per arm, 180), WARMUP (s left out at each arm's start, 15),
// RETRAIN_EVERY_MIN (0.5: back to back when a train takes longer), THREADS (serve.threads, 2), ARMS (comma list:
// floor, or a trainer priority normal, nice, idle; each optionally with the server's niceness and scoring threads,
// e.g. idle+serve-10+threads1, as systemd/movrec.service runs it (Nice=-10; a negative niceness needs
// CAP_SYS_NICE); default floor+serve-10,idle+serve-10,idle), TRAIN_FLAGS (extra node flags for the training child,
// space-separated), SERVE_FLAGS (node flags for serve, e.g. --cpu-prof), PROBE_RATE (req/s of a keep-alive probe
// from this process beside the simulator, 20; 0: none), KAFKA (default $MOVREC_TEST_KAFKA).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { listKnob, numberKnob, servingKnobs, textKnob } from './env';

const { USERS, RATE, SECONDS, WARMUP, THREADS } = servingKnobs({
  users: 100_000,
  rate: 1000,
  seconds: 180,
  warmup: 15,
  threads: 2,
});
const MOVIES = numberKnob('MOVIES', 5000);
const HISTORY = numberKnob('HISTORY', 1_000_000);
const RETRAIN_EVERY_MIN = numberKnob('RETRAIN_EVERY_MIN', 0.5);
// The shipped unit runs serve at Nice=-10: the first arms are the operator's setting, the last the same at nice 0.
const ARMS = listKnob('ARMS', ['floor+serve-10', 'idle+serve-10', 'idle']);
const TRAIN_FLAGS = listKnob('TRAIN_FLAGS', [], ' ');
// Node flags for serve itself, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see what its main thread does.
const SERVE_FLAGS = listKnob('SERVE_FLAGS', [], ' ');
const KAFKA = textKnob('KAFKA', process.env.MOVREC_TEST_KAFKA);
const TARGET_P99 = 20;
// The simulator asks a few times a second at this line rate: a probe beside it gives p99.9 a sample worth the name.
const PROBE_RATE = numberKnob('PROBE_RATE', 20);

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

interface Sched {
  run: number;
  wait: number;
}

/**
 * Per process from schedstat, in seconds: on a CPU and runnable but waiting on a run queue, for its main thread
 * (the one that answers in serve) and summed over all its threads; and how many threads it has.
 */
function schedSeconds(pid: number): { main: Sched; all: Sched; threads: number; user: number; sys: number } {
  const main = { run: 0, wait: 0 };
  // The main thread's user and kernel CPU (proc(5) fields 14 and 15, clock ticks of 10 ms).
  let user = 0;
  let sys = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    user = Number(f[11]) / 100;
    sys = Number(f[12]) / 100;
  } catch {
    // the process ended
  }
  const all = { run: 0, wait: 0 };
  let threads = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [r, w] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        all.run += r! / 1e9;
        all.wait += w! / 1e9;
        threads++;
        if (Number(tid) === pid) {
          main.run = r! / 1e9;
          main.wait = w! / 1e9;
        }
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process ended
  }
  return { main, all, threads, user, sys };
}

/** A process's threads by name (comm), e.g. `node 1, libuv-worker 4`: what shares the 2 cores inside serve. */
function threadNames(pid: number): string {
  const n = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        n.set(name, (n.get(name) ?? 0) + 1);
      } catch {
        // ended meanwhile
      }
    }
  } catch {
    return '-';
  }
  return [...n].map(([k, v]) => `${k} ${v}`).join(', ');
}

const POLICY = ['normal', 'fifo', 'rr', 'batch', 'iso', 'idle', 'deadline'];

/** The scheduling policy and niceness of every thread of a process, as distinct `policy/nice` pairs. */
function schedPolicies(pid: number): string[] {
  const out = new Set<string>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const sched = readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8');
        const policy = Number(/^policy\s*:\s*(\d+)/m.exec(sched)?.[1]);
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const nice = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16];
        out.add(`${POLICY[policy] ?? policy}/nice ${nice}`);
      } catch {
        // ended meanwhile
      }
    }
  } catch {
    // the process ended
  }
  return [...out];
}

/** Pids of the Kafka brokers on this machine (JVMs running kafka.Kafka): they compete for the same cores. */
function brokerPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('\0kafka.Kafka\0')) out.push(Number(d));
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

/** Busy and total jiffies of the whole machine (/proc/stat), for its busy share over an interval. */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** The p99 and max of serve's event-loop delay since the previous scrape (prom-client resets its monitor on each). */
function loopLag(body: string): { p99: number; max: number } {
  const get = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(body)?.[1] ?? Number.NaN);
  return { p99: get('nodejs_eventloop_lag_p99_seconds') * 1000, max: get('nodejs_eventloop_lag_max_seconds') * 1000 };
}

/** Bucket counts of a histogram in a /metrics body, summed over its label sets whose labels match `only`. */
function buckets(body: string, name: string, only: RegExp = /.*/): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of body.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} ([0-9.e+-]+)`, 'gm'))) {
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
    if (le === undefined || !only.test(m[1]!)) continue;
    const b = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    out.set(b, (out.get(b) ?? 0) + Number(m[2]));
  }
  return out;
}

/** A metric's value summed over its label sets (0 when absent). */
function total(body: string, name: string): number {
  let sum = 0;
  for (const m of body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** What one scrape of serve tells, beside its own latency histogram. */
interface Scrape {
  ts: number;
  h: Map<number, number>;
  lag: { p99: number; max: number };
  sched: ReturnType<typeof schedSeconds>;
  /** Main-thread GC: pause seconds, pauses, pauses over 10 ms (prom-client's histogram), major: mark-compact s. */
  gc: { seconds: number; count: number; over10ms: number; major: number };
  /** Ingest work per transaction on the answering thread (its histogram). */
  ingest: Map<number, number>;
  catalogFetches: number;
  broker: number;
  machine: { busy: number; total: number };
}

interface LogRecord {
  time: number;
  msg: string;
  [k: string]: unknown;
}

function spawnLogged(args: string[], onRecord: (r: LogRecord) => void, nice = 0, flags: string[] = []): ChildProcess {
  // Under `nice`, every thread of the child has the priority from its start.
  const node = [process.execPath, ...flags, MOVREC, ...args];
  const argv = nice === 0 ? node : ['nice', '-n', String(nice), ...node];
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

/** The simulator's world, one seed and size for the history run and every arm. */
const worldArgs = (worldDir: string): string[] => [
  'sim',
  '--seed',
  '3',
  '--users',
  String(USERS),
  '--movies',
  String(MOVIES),
  '--world',
  worldDir,
];

/** An arm: a trainer priority (or `floor`: no ingest, no retrain), then +serve<nice> and +threads<n>. */
function parseArm(arm: string): {
  trainer: string;
  prio: { nice: number; schedIdle: boolean } | null;
  nice: number;
  threads: number;
} {
  const [trainer, ...mods] = arm.split('+');
  const prio = trainer === 'floor' ? null : PRIORITY[trainer!];
  if (prio === undefined)
    throw new Error(
      `ARMS: unknown arm ${arm} (floor or one of ${Object.keys(PRIORITY).join(', ')}, then +serve<nice>, +threads<n>)`,
    );
  let nice = 0;
  let threads = THREADS;
  for (const m of mods) {
    const x = /^(serve|threads)(-?\d+)$/.exec(m);
    if (!x) throw new Error(`ARMS: unknown modifier ${m} in ${arm} (serve<nice>, threads<n>)`);
    if (x[1] === 'serve') nice = Number(x[2]);
    else threads = Number(x[2]);
  }
  return { trainer: trainer!, prio, nice, threads };
}

/** The p99 (ms, as `<=bucket`) of a histogram's counts gathered into one map. */
const bucketP99 = (h: Map<number, number>): string => bucketQuantile(h, 0.99);

async function runArm(
  arm: string,
  dir: string,
  dataDir: string,
  worldDir: string,
): Promise<{ idle: number; busy: number }> {
  const { prio, nice: serveNice, threads: scoringThreads } = parseArm(arm);
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
      ...(prio ? { retrain: { everyMinutes: RETRAIN_EVERY_MIN, ...prio, nodeFlags: TRAIN_FLAGS } } : {}),
      // Latency is measured here, not model quality: every retrained model is swapped in, as a good one would be.
      gate: { maxRmse: 100, ndcgTolerance: 1 },
    }),
  );
  const logs: LogRecord[] = [];
  let listening: (() => void) | undefined;
  const up = new Promise<void>((r) => {
    listening = r;
  });
  // The floor: the same server and simulator, nothing ingested and nothing retrained.
  const ingestArgs = prio ? ['--kafka', KAFKA!, '--topic', topic] : [];
  const trainers = new Set<number>();
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
      ...ingestArgs,
    ],
    (r) => {
      logs.push(r);
      if (r.msg === 'listening') listening?.();
      if (r.msg === 'retrain: training child started' && typeof r.pid === 'number') trainers.add(r.pid);
    },
    serveNice,
    SERVE_FLAGS,
  );
  // A server that dies before it listens would leave nothing to wait on: the bench would end silently, mid-run.
  let tail = '';
  serve.stderr!.on('data', (c: Buffer) => {
    tail = (tail + c.toString('utf8')).slice(-3000);
  });
  await Promise.race([
    up,
    new Promise<never>((_, reject) =>
      serve.once('exit', (code, signal) =>
        reject(new Error(`arm ${arm}: serve exited (${code ?? signal}) before listening; its log ends:\n${tail}`)),
      ),
    ),
  ]);
  const loadAtStart = load();
  const cpu0 = cpuSeconds(serve.pid!);
  const simStart = Date.now();
  const sim = spawnLogged(
    [
      ...worldArgs(worldDir),
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
  const brokers = brokerPids();
  const brokerCpu = () => brokers.reduce((a, pid) => a + cpuSeconds(pid).self, 0);
  // Serve's own figures per second, to split the time inside the server from the time around it.
  const scrapes: Scrape[] = [];
  const scraper = setInterval(() => {
    const sched = schedSeconds(serve.pid!);
    const broker = brokerCpu();
    const machine = machineJiffies();
    void serverHistogram(servePort).then((x) => {
      if (!x) return;
      const gcH = buckets(x.body, 'nodejs_gc_duration_seconds');
      const gcAll = gcH.get(Number.POSITIVE_INFINITY) ?? 0;
      scrapes.push({
        ts: Date.now(),
        h: x.h,
        lag: loopLag(x.body),
        sched,
        gc: {
          seconds: total(x.body, 'nodejs_gc_duration_seconds_sum'),
          count: gcAll,
          over10ms: gcAll - (gcH.get(0.01) ?? 0),
          major: Number(/^nodejs_gc_duration_seconds_sum\{kind="major"\} ([0-9.e+-]+)/m.exec(x.body)?.[1] ?? 0),
        },
        ingest: buckets(x.body, 'movrec_ingest_main_thread_seconds'),
        catalogFetches: total(x.body, 'movrec_ingest_catalog_fetches_total'),
        broker,
        machine,
      });
    });
  }, 1000);
  // Sampled just before the simulator ends: its own CPU, while /proc still has it; each trainer's policy while it runs.
  let simCpu = 0;
  const policies = new Set<string>();
  const sampler = setInterval(() => {
    simCpu = Math.max(simCpu, cpuSeconds(sim.pid!).self);
    for (const pid of trainers) for (const p of schedPolicies(pid)) policies.add(p);
  }, 1000);
  const threadsAtStart = threadNames(serve.pid!);
  await simExit;
  clearInterval(sampler);
  clearInterval(scraper);
  const probed = probe.stop().filter((r) => r.ts >= simStart + WARMUP * 1000);
  const cpu1 = cpuSeconds(serve.pid!);
  const loadAtEnd = load();
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
    } else if (open !== undefined && /^retrained model (serves as stable|on canary)/.test(r.msg)) {
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
    `arm ${arm}: serve nice ${serveNice}, ${scoringThreads} scoring threads, ` +
      (prio
        ? `ingesting from Kafka, trainer nice ${prio.nice}${prio.schedIdle ? ' + SCHED_IDLE' : ''}` +
          `${TRAIN_FLAGS.length ? ` + node ${TRAIN_FLAGS.join(' ')}` : ''}; ` +
          `${runs} retrains (mean ${(durations / Math.max(1, runs)).toFixed(1)} s), retrain windows ` +
          `${retrainS.toFixed(0)} s of ${SECONDS} s`
        : 'the floor: no ingest, no retrain') +
      `; load average (1/5/15 min) ${loadAtStart} at start, ${loadAtEnd} at end, on 2 cores shared with other work`,
  );
  console.log('  as the simulator saw them:');
  console.log(summary('without retrain', idle));
  if (prio) console.log(summary('during retrain', busy));
  const up2 = (xs: Request[]) => xs.map((r) => ({ ...r, ms: Math.ceil(r.ms) }));
  const probeIdle = up2(probed.filter((r) => !during(r.ts)));
  const probeBusy = up2(probed.filter((r) => during(r.ts)));
  if (PROBE_RATE > 0) {
    console.log(`  the ${PROBE_RATE} req/s probe beside it (ms rounded up):`);
    console.log(summary('without retrain', probeIdle));
    if (prio) console.log(summary('during retrain', probeBusy));
  }
  // Each second's deltas go to the phase that second's end falls in.
  const phase = () => ({
    seconds: 0,
    h: new Map<number, number>(),
    ingest: new Map<number, number>(),
    main: { run: 0, wait: 0 },
    all: { run: 0, wait: 0 },
    lagP99: [] as number[],
    lagMax: 0,
    gc: { seconds: 0, count: 0, over10ms: 0, major: 0 },
    catalog: 0,
    broker: 0,
    machine: { busy: 0, total: 0 },
  });
  const phases = { idle: phase(), busy: phase() };
  const addInto = (into: Map<number, number>, now: Map<number, number>, before: Map<number, number>) => {
    for (const [b, n] of now) into.set(b, (into.get(b) ?? 0) + n - (before.get(b) ?? 0));
  };
  for (let i = 1; i < scrapes.length; i++) {
    const x = scrapes[i]!;
    const y = scrapes[i - 1]!;
    if (x.ts < simStart + WARMUP * 1000) continue;
    const ph = phases[during(x.ts) ? 'busy' : 'idle'];
    ph.seconds += (x.ts - y.ts) / 1000;
    addInto(ph.h, x.h, y.h);
    addInto(ph.ingest, x.ingest, y.ingest);
    for (const k of ['run', 'wait'] as const) {
      ph.main[k] += x.sched.main[k] - y.sched.main[k];
      ph.all[k] += x.sched.all[k] - y.sched.all[k];
    }
    if (Number.isFinite(x.lag.p99)) ph.lagP99.push(x.lag.p99);
    if (Number.isFinite(x.lag.max)) ph.lagMax = Math.max(ph.lagMax, x.lag.max);
    ph.gc.seconds += x.gc.seconds - y.gc.seconds;
    ph.gc.count += x.gc.count - y.gc.count;
    ph.gc.over10ms += x.gc.over10ms - y.gc.over10ms;
    ph.gc.major += x.gc.major - y.gc.major;
    ph.catalog += x.catalogFetches - y.catalogFetches;
    ph.broker += x.broker - y.broker;
    ph.machine.busy += x.machine.busy - y.machine.busy;
    ph.machine.total += x.machine.total - y.machine.total;
  }
  console.log('  where the time went (per second of each phase; serve from its /metrics and /proc):');
  for (const [label, ph] of [
    ['without retrain', phases.idle],
    ['during retrain', phases.busy],
  ] as const) {
    if (ph.seconds === 0) continue;
    const per = (x: number) => (x / ph.seconds).toFixed(2);
    const lag = ph.lagP99.sort((a, b) => a - b);
    const ingestN = ph.ingest.get(Number.POSITIVE_INFINITY) ?? 0;
    console.log(
      `  ${label}: answers inside serve p50 ${bucketQuantile(ph.h, 0.5)} ms, p99 ${bucketP99(ph.h)} ms, ` +
        `p99.9 ${bucketQuantile(ph.h, 0.999)} ms (n ${ph.h.get(Number.POSITIVE_INFINITY) ?? 0})`,
    );
    console.log(
      `    main thread: on a CPU ${per(ph.main.run)} s/s, runnable but waiting for one ${per(ph.main.wait)} s/s; ` +
        `all serve threads ${per(ph.all.run)} / ${per(ph.all.wait)} s/s; machine busy ` +
        `${((100 * ph.machine.busy) / Math.max(1, ph.machine.total)).toFixed(0)}%, ` +
        `Kafka broker JVM ${per(ph.broker)} s/s`,
    );
    console.log(
      `    event-loop delay p99 per second: median ${pct(lag, 0.5).toFixed(1)} ms, worst ` +
        `${(lag.at(-1) ?? Number.NaN).toFixed(1)} ms, max ${ph.lagMax.toFixed(1)} ms; main-thread GC ` +
        `${((1000 * ph.gc.seconds) / ph.seconds).toFixed(1)} ms/s in ${per(ph.gc.count)} pauses/s, ` +
        `${ph.gc.over10ms} over 10 ms, mark-compact ${((1000 * ph.gc.major) / ph.seconds).toFixed(1)} ms/s`,
    );
    if (prio)
      console.log(
        `    ingest on the main thread: ${per(ingestN)} transactions/s, p50 ${bucketQuantile(ph.ingest, 0.5)} ms, ` +
          `p99 ${bucketP99(ph.ingest)} ms, max ${bucketQuantile(ph.ingest, 1)} ms each (bucket bounds); ` +
          `catalog fetches ${per(ph.catalog)}/s`,
      );
  }
  // The worst second's event-loop delay beside what serve logged around it: a stall lines up with its cause.
  const worst = scrapes
    .filter((x) => x.ts >= simStart + WARMUP * 1000 && Number.isFinite(x.lag.max))
    .sort((a, b) => b.lag.max - a.lag.max)[0];
  if (worst) {
    const before = scrapes[scrapes.indexOf(worst) - 1];
    const inSecond = before
      ? `; in that second the main thread ran ${(1000 * (worst.sched.user - before.sched.user)).toFixed(0)} ms ` +
        `user + ${(1000 * (worst.sched.sys - before.sched.sys)).toFixed(0)} ms kernel, waited ` +
        `${(1000 * (worst.sched.main.wait - before.sched.main.wait)).toFixed(0)} ms for a CPU, GC ` +
        `${(1000 * (worst.gc.seconds - before.gc.seconds)).toFixed(0)} ms (mark-compact ` +
        `${(1000 * (worst.gc.major - before.gc.major)).toFixed(0)} ms)`
      : '';
    const near = logs
      .filter((r) => r.time >= worst.ts - 3000 && r.time <= worst.ts + 1000 && r.msg !== 'listening')
      .map((r) => `"${r.msg}" at ${((r.time - worst.ts) / 1000).toFixed(1)} s`);
    console.log(
      `  worst event-loop delay ${worst.lag.max.toFixed(0)} ms, in the second before ` +
        `+${((worst.ts - simStart) / 1000).toFixed(0)} s (${new Date(worst.ts).toISOString()}); ` +
        `serve's log from 3 s before to 1 s after: ` +
        `${near.join(', ') || 'nothing'}${inSecond}`,
    );
  }
  console.log(
    `  serve's threads: ${threadsAtStart}; CPU s: serve ${(cpu1.self - cpu0.self).toFixed(1)}, its training ` +
      `children ${(cpu1.children - cpu0.children).toFixed(1)}, simulator ${simCpu.toFixed(1)}` +
      (prio ? `; trainer threads' policy seen: ${[...policies].join(', ') || 'none sampled'}` : ''),
  );
  const p99 = (xs: Request[]) =>
    pct(
      xs.map((r) => r.ms).sort((a, b) => a - b),
      0.99,
    );
  return { idle: p99([...idle, ...probeIdle]), busy: p99([...busy, ...probeBusy]) };
}

async function main(): Promise<void> {
  if (!KAFKA) throw new Error('set KAFKA or MOVREC_TEST_KAFKA to a broker host:port');
  const dir = mkdtempSync(join(tmpdir(), 'movrec-live-latency-'));
  try {
    const dataDir = join(dir, 'data');
    const worldDir = join(dir, 'world');
    mkdirSync(dataDir, { recursive: true });
    const t0 = Date.now();
    const loadAtStart = load();
    const hist = join(dir, 'history.log');
    run([...worldArgs(worldDir), '--history', String(HISTORY), '--out', hist]);
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
        `${SECONDS} s per arm, first ${WARMUP} s left out; latency as the simulator wrote it (whole ms); ` +
        `load average at start ${loadAtStart}`,
    );
    const results: [string, { idle: number; busy: number }][] = [];
    // Each arm starts from a copy of the trained store: a store follows one stream, and every arm has its own topic.
    for (const [i, arm] of ARMS.entries()) {
      const armData = join(dir, `data-arm${i}`);
      cpSync(dataDir, armData, { recursive: true });
      results.push([arm, await runArm(arm, dir, armData, worldDir)]);
      rmSync(armData, { recursive: true, force: true });
    }
    const floor = results.find(([a]) => parseArm(a).prio === null)?.[1];
    console.log(
      `summary, p99 of the simulator's and the probe's requests together (target <= ${TARGET_P99} ms)` +
        `${floor ? `, beside the floor's ${floor.idle} ms` : ''}; load average at end ${load()}:`,
    );
    for (const [arm, r] of results)
      console.log(
        `  ${arm.padEnd(24)} without retrain ${String(r.idle).padStart(4)} ms` +
          (parseArm(arm).prio ? `, during retrain ${String(r.busy).padStart(4)} ms` : ''),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
