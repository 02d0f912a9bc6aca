// One `movrec train` in a child process at low CPU priority: the serving
// process's event loop and scoring threads never run SGD, and the kernel
// gives the trainer a core only when serving leaves one.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Config } from '../config/load';
import type { Manifest } from '../model/registry';
import { packageRoot } from '../package-root';
import { TRAIN_OWNER_ENV } from '../store/train-lock';

/** `movrec train`'s exit code when another training holds the lock (MOVREC_ERR_TRAINING_RUNNING). */
const EXIT_TRAINING_RUNNING = 75;

export type TrainChildResult =
  | { kind: 'registered'; manifest: Manifest; seconds: number }
  | { kind: 'failed'; why: string; seconds: number }
  /** Another training held the data dir's lock (exit 75): nothing was trained, nothing failed. */
  | { kind: 'busy'; why: string; seconds: number };

export interface TrainChild {
  pid: number | undefined;
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
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MOVREC_LOG_LEVEL: 'warn',
      [TRAIN_OWNER_ENV]: `movrec serve's scheduled retrain (server pid ${process.pid})`,
    },
  });
  // Without the `nice` wrapper, renice after the fact: on Linux that reaches only the child's main
  // thread (threads V8 started before it keep priority 0), which is why the wrapper comes first.
  if (config.retrain.nice > getPriority() && !prefix.includes('-n') && child.pid !== undefined) {
    try {
      setPriority(child.pid, config.retrain.nice);
    } catch {
      // the child already exited; its exit is reported below
    }
  }
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString('utf8')).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), config.retrain.timeoutMinutes * 60_000);
  timer.unref();
  const result = new Promise<TrainChildResult>((resolve) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ kind: 'failed', why: `cannot start ${argv[0]}: ${e.message}`, seconds: seconds() });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = err.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
      if (code === EXIT_TRAINING_RUNNING) return resolve({ kind: 'busy', why: tail, seconds: seconds() });
      if (code !== 0) {
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        return resolve({ kind: 'failed', why: `movrec train ${how}${tail ? `: ${tail}` : ''}`, seconds: seconds() });
      }
      try {
        resolve({ kind: 'registered', manifest: JSON.parse(out) as Manifest, seconds: seconds() });
      } catch {
        resolve({ kind: 'failed', why: 'movrec train printed no manifest', seconds: seconds() });
      }
    });
  });
  return {
    pid: child.pid,
    command: [...prefix, 'node', 'movrec', 'train'],
    result,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
