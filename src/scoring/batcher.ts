// Micro-batching of score requests into pool tasks, sized to the load.
import { Errors } from '../errors';
import { batchUsers } from './metrics';
import type { ScorePool } from './pool';
import type { Recommendation } from './recommendation';
import type { Role } from './slots';

export const DEFAULT_BATCH_SIZE = 32;
/**
 * Below this many users a task costs more per user: the plain AVX-512 scan
 * streams the whole item matrix per tile of up to 12 users, and each task
 * pays its own message and wake-up (VNNI's int8 pass costs in proportion to
 * the users, in quads of 4).
 */
const TILE_USERS = 8;

interface Waiter {
  userId: number;
  role: Role;
  resolve(r: Recommendation): void;
  reject(e: unknown): void;
}

export interface Batcher {
  submit(userId: number, role: Role): Promise<Recommendation>;
  /** Users accepted but not yet on a worker: gathered here, or in a task queued behind busy workers. */
  waiting(): number;
  /** Resolves when every submitted request has its answer. */
  drain(): Promise<void>;
}

const utf8 = new TextDecoder();

/** A worker's answer: the bytes as they came, the string only when someone asks. */
class WorkerAnswer implements Recommendation {
  constructor(
    readonly body: Uint8Array,
    readonly modelId: string,
    readonly generation: number,
    readonly source: 'model' | 'cold-start',
  ) {}

  get line(): string {
    return utf8.decode(this.body);
  }
}

/**
 * Micro-batching: requests that arrive in the same event-loop turn are sent
 * to the pool as one task (one postMessage, one pass of the kernel over the
 * item matrix for all of them). A quiet server splits the gathered users over
 * its workers, so it answers at single-query latency; while any worker is
 * busy, an idle one gets at least a kernel tile's worth of users (a smaller
 * batch costs as much), and once every worker is busy users wait here and
 * leave in full batches (one more task per worker is queued ahead so no worker
 * idles while the main thread is busy), so batches grow with the load.
 */
export function createBatcher(
  pool: ScorePool,
  threads: number,
  batchSize: number,
  onThread: (threadId: number) => void,
): Batcher {
  const pending: Waiter[] = [];
  // Outstanding tasks' sizes, oldest first: the first `threads` are taken as running.
  const outstanding: { users: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  let scheduled = false;

  const sizes = batchUsers();
  function send(batch: Waiter[]): void {
    const entry = { users: batch.length };
    sizes.observe(batch.length);
    outstanding.push(entry);
    const task = pool.run({ users: batch.map((w) => w.userId), roles: batch.map((w) => w.role) }).then(
      (r) => {
        // Task results and hellos travel on different channels: either proves the worker is up.
        onThread(r.threadId);
        batch.forEach((w, x) => {
          const by = r.models[r.model[x]!];
          if (by)
            w.resolve(
              new WorkerAnswer(
                r.body.subarray(x > 0 ? r.ends[x - 1]! : 0, r.ends[x]!),
                by.modelId,
                by.generation,
                r.cold[x] ? 'cold-start' : 'model',
              ),
            );
          else w.reject(Errors.modelNotLoaded());
        });
      },
      (e: unknown) => {
        for (const w of batch) w.reject(e);
      },
    );
    const done = task.finally(() => {
      outstanding.splice(outstanding.indexOf(entry), 1);
      inFlight.delete(done);
      flush();
    });
    inFlight.add(done);
  }

  // A batch of fewer users costs more per user (TILE_USERS).
  const minBatch = Math.min(TILE_USERS, batchSize);

  function flush(): void {
    while (pending.length > 0) {
      const idle = threads - outstanding.length;
      let size: number;
      // A quiet server answers at once, the gathered users split over the workers.
      if (outstanding.length === 0) size = Math.min(batchSize, Math.ceil(pending.length / threads));
      // A busy one sends an idle worker a tile's worth at least; fewer wait for the next answer.
      else if (idle > 0 && pending.length >= minBatch)
        size = Math.min(batchSize, Math.max(minBatch, Math.ceil(pending.length / idle)));
      else if (outstanding.length < 2 * threads && pending.length >= batchSize) size = batchSize;
      else return;
      send(pending.splice(0, size));
    }
  }

  return {
    submit(userId, role) {
      return new Promise<Recommendation>((resolve, reject) => {
        pending.push({ userId, role, resolve, reject });
        if (pending.length >= batchSize) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            flush();
          });
        }
      });
    },
    waiting() {
      let queued = pending.length;
      for (let x = threads; x < outstanding.length; x++) queued += outstanding[x]!.users;
      return queued;
    },
    async drain() {
      while (pending.length > 0 || inFlight.size > 0) {
        flush();
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
