// One `movrec train` in a child process at low CPU priority: the serving
// process's event loop and scoring threads never run SGD, and the kernel
// gives the trainer a core only when serving leaves one.
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { delimiter, join } from 'node:path';
import type { Config } from '../config/load';
import type { Manifest } from '../model/registry';
import { packageRoot, workerEntry } from '../package-root';
import { TRAIN_OWNER_ENV } from '../store/train-lock';
import type { FromSupervisor, ToSupervisor, TrainSupervisorData } from './train-supervisor-messages';

/** `movrec train`'s exit code when another training holds the lock (MOVREC_ERR_TRAINING_RUNNING). */
const EXIT_TRAINING_RUNNING = 75;

export type TrainChildResult =
  | { kind: 'registered'; manifest: Manifest; seconds: number }
  | { kind: 'failed'; why: string; seconds: number }
  /** Another training held the data dir's lock (exit 75): nothing was trained, nothing failed. */
  | { kind: 'busy'; why: string; seconds: number };

export interface TrainChild {
  /** The child's pid once it runs (undefined when it could not start). */
  started: Promise<number | undefined>;
  /** How the child was started, for the log: the priority wrappers in front of node. */
  command: string[];
  result: Promise<TrainChildResult>;
  kill(): void;
}

/** An executable on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The settings training reads, as a file the child takes with --config: the
 * child trains exactly as this process is configured, and no secret (Kafka
 * password, admin token) is written to disk.
 */
export function writeTrainConfig(config: Readonly<Config>): string {
  const dir = join(config.dataDir, 'retrain');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'train-config.json');
  const body = {
    train: config.train,
    gate: config.gate,
    ingest: { ratingMax: config.ingest.ratingMax },
    serve: { unknownAgeIsMinor: config.serve.unknownAgeIsMinor, listSize: config.serve.listSize },
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/**
 * The priority wrappers: `chrt --idle 0` and `nice -n N`, each when wanted and installed. `nice -n` adds to the
 * caller's niceness (`current`, this process's): a server started at nice -10, as systemd/movrec.service starts
 * it, would give its trainer nice 9 where the setting says 19, so the step is the setting minus the current value.
 */
export function priorityPrefix(r: Readonly<Config['retrain']>, current = getPriority()): string[] {
  const out: string[] = [];
  const chrt = r.schedIdle ? onPath('chrt') : undefined;
  if (chrt) out.push(chrt, '--idle', '0');
  const step = r.nice - current;
  const nice = r.nice > 0 && step > 0 ? onPath('nice') : undefined;
  if (nice) out.push(nice, '-n', String(step));
  return out;
}

export function startTrainChild(opts: { config: Readonly<Config> }): TrainChild {
  const { config } = opts;
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const cli = join(packageRoot(), 'scripts', 'movrec.js');
  const prefix = priorityPrefix(config.retrain);
  const argv = [
    ...prefix,
    process.execPath,
    ...config.retrain.nodeFlags,
    cli,
    'train',
    '--data-dir',
    config.dataDir,
    '--config',
    writeTrainConfig(config),
    '--json',
  ];
  // Started and reaped on a thread of its own (see workers/train-supervisor.ts): reaping costs kernel time.
  const w = new Worker(workerEntry('train-supervisor', 'the training supervisor thread'), {
    workerData: {
      argv,
      env: {
        ...process.env,
        MOVREC_LOG_LEVEL: 'warn',
        [TRAIN_OWNER_ENV]: `movrec serve's scheduled retrain (server pid ${process.pid})`,
      },
      timeoutMs: config.retrain.timeoutMinutes * 60_000,
      // Without the `nice` wrapper, renice after the fact (Linux: the child's main thread only).
      renice: config.retrain.nice > getPriority() && !prefix.includes('-n') ? config.retrain.nice : null,
    } satisfies TrainSupervisorData,
  });
  let onStart!: (pid: number | undefined) => void;
  const startedP = new Promise<number | undefined>((r) => (onStart = r));
  let running = true;
  const result = new Promise<TrainChildResult>((resolve) => {
    const fail = (why: string) => {
      onStart(undefined);
      resolve({ kind: 'failed', why, seconds: seconds() });
    };
    w.on('message', (m: FromSupervisor) => {
      switch (m.kind) {
        case 'started':
          onStart(m.pid);
          return;
        case 'error':
          running = false;
          return fail(`cannot start ${argv[0]}: ${m.message}`);
        case 'closed': {
          running = false;
          const tail = m.err.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
          if (m.code === EXIT_TRAINING_RUNNING) return resolve({ kind: 'busy', why: tail, seconds: seconds() });
          if (m.code !== 0) {
            const how = m.signal ? `killed by ${m.signal}` : `exit code ${m.code}`;
            return fail(`movrec train ${how}${tail ? `: ${tail}` : ''}`);
          }
          try {
            resolve({ kind: 'registered', manifest: JSON.parse(m.out) as Manifest, seconds: seconds() });
          } catch {
            fail('movrec train printed no manifest');
          }
          return;
        }
        default:
          return m satisfies never;
      }
    });
    w.on('error', (e) => {
      running = false;
      fail(`the training supervisor thread failed: ${e.message}`);
    });
    w.on('exit', () => {
      if (running) fail('the training supervisor thread ended before the child');
    });
  });
  return {
    started: startedP,
    command: [...prefix, 'node', 'movrec', 'train'],
    result,
    kill: () => {
      if (running) w.postMessage({ kind: 'kill' } satisfies ToSupervisor);
    },
  };
}
