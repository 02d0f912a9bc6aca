// A real `movrec train` caught holding the data dir's training lock: stopped
// (SIGSTOP) once the lock file names it, so a test decides when it goes on
// (SIGCONT) or dies (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { MOVREC } from './cli';

export interface HeldTraining {
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
}

/** Starts `movrec train` and stops it as soon as it holds the lock; killed at teardown if still alive. */
export async function trainingHoldingTheLock(
  t: Test,
  dataDir: string,
  owner: string,
  args: string[] = [],
): Promise<HeldTraining> {
  const child = spawn(process.execPath, [MOVREC, 'train', '--data-dir', dataDir, ...args], {
    stdio: 'ignore',
    env: { ...process.env, MOVREC_LOG_LEVEL: 'warn', MOVREC_TRAIN_OWNER: owner },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lock = join(dataDir, 'train.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (existsSync(lock) && readFileSync(lock, 'utf8').includes(`"pid":${child.pid}`)) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`movrec train never held ${lock} (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGSTOP');
  return { child, pid: child.pid!, exited };
}
