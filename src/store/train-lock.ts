// One training at a time on a data dir: `movrec train` (an operator's, the
// systemd timer's, or the child of serve's retrain scheduler) and `movrec
// models gc` hold <dataDir>/train.lock, created exclusively and naming its
// owner. A lock whose owner is dead (or whose pid now belongs to another
// process) is stale and taken over, so a killed training never blocks the next.
import { linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors';

export interface LockOwner {
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** Who holds it, in words: the command, and for scheduled runs the serving process. */
  by: string;
  /** The owner's start time in clock ticks since boot (proc(5) stat field 22), when /proc has it. */
  started?: string;
}

export interface TrainLock {
  owner: LockOwner;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

/** Set by serve's retrain scheduler for its child: the lock then says which server started the training. */
export const TRAIN_OWNER_ENV = 'MOVREC_TRAIN_OWNER';

export function trainLockPath(dataDir: string): string {
  return join(dataDir, 'train.lock');
}

/** The process's start time from /proc; undefined where there is no /proc (the pid check alone then decides). */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(o: LockOwner): boolean {
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    // EPERM: the pid lives, under another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid may have been reused since: the same pid with another start time is another process.
  const now = startTicks(o.pid);
  return o.started === undefined || now === undefined || now === o.started;
}

function parse(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 ? o : null;
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The live holder of the lock, or null when there is none (no file, or a stale one). */
export function trainLockOwner(dataDir: string): LockOwner | null {
  const text = readText(trainLockPath(dataDir));
  const o = text === null ? null : parse(text);
  return o && alive(o) ? o : null;
}

/**
 * Moves a stale lock aside and removes it. Renaming first means that of two
 * processes finding the same stale lock, only one removes it: the other's
 * rename then moves the winner's fresh lock, which it sees and puts back.
 */
function clearStale(path: string, staleText: string): { previous: LockOwner | null } {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return { previous: null };
  }
  const moved = readText(aside);
  if (moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // a third process took the lock meanwhile: its lock stands, the moved one was live but is now lost to it
    }
  }
  unlinkSync(aside);
  return { previous: moved === staleText ? parse(staleText) : null };
}

/**
 * Takes the lock or throws MOVREC_ERR_TRAINING_RUNNING naming the live holder.
 * `onStale` hears of a dead holder's lock taken over.
 */
export function acquireTrainLock(
  dataDir: string,
  by: string,
  onStale?: (previous: LockOwner | null) => void,
): TrainLock {
  mkdirSync(dataDir, { recursive: true });
  const path = trainLockPath(dataDir);
  const started = startTicks(process.pid);
  const owner: LockOwner = {
    pid: process.pid,
    since: new Date().toISOString(),
    by,
    ...(started !== undefined ? { started } : {}),
  };
  const text = `${JSON.stringify(owner)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o640);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readText(path);
      if (held === null) continue;
      const o = parse(held);
      // A lock file being written this instant reads empty: give its writer the benefit of the doubt once.
      if (o === null && held === '' && attempt === 0) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      if (o && alive(o)) throw Errors.trainingRunning(dataDir, o);
      onStale?.(clearStale(path, held).previous);
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return {
      owner,
      release: () => {
        if (readText(path) === text) unlinkSync(path);
      },
    };
  }
  const o = trainLockOwner(dataDir);
  if (o) throw Errors.trainingRunning(dataDir, o);
  throw Errors.trainingRunning(dataDir, { pid: 0, since: owner.since, by: 'another process racing for the lock' });
}
