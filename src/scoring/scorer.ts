// The Scorer: a Piscina pool of scoring workers over shared model slots, the
// main-thread degraded answer, and model loading with verify-then-flip.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import Piscina from 'piscina';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { Errors, isMovrecError } from '../errors';
import { logger } from '../log';
import { packageRoot } from '../package-root';
import { artifactSize } from '../model/artifact';
import { openStore, type Store } from '../store/store';
import { loadVerified } from './load-artifact';
import { packShared } from './pack-shared';
import { batchUsers, modelLoads } from './metrics';
import { prepareModel, type PreparedModel } from './prepared-model';
import { segmentAnswer } from './rank';
import type {
  MetricsReply,
  MetricsRequest,
  PrepareReply,
  PrepareRequest,
  ScoreResult,
  ScoreTask,
  ScoreWorkerData,
} from './score-task';
import { createSlots, SlotPublisher, type Role } from './slots';

export type { Role } from './slots';

/** One worker's registry.getMetricsAsJSON(), ready for AggregatorRegistry.aggregate. */
export type WorkerMetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export interface Recommendation {
  /** The answer line: up to listSize movie ids, comma-separated, best first. */
  readonly line: string;
  /**
   * The same line as it goes on the wire: UTF-8 bytes from a worker (written
   * there from the model's id bytes, one buffer per batch; no string per id,
   * per line, or in the copy between threads), the string itself otherwise.
   */
  readonly body: string | Uint8Array;
  modelId: string;
  generation: number;
  source: 'model' | 'cold-start' | 'degraded';
}

export interface Scorer {
  recommend(userId: number, role?: Role): Promise<Recommendation>;
  degraded(userId: number): Recommendation;
  loadModel(artifactFile: string, role?: Role): Promise<{ modelId: string; generation: number }>;
  active(role?: Role): { modelId: string; generation: number } | null;
  queueDepth(): number;
  workerMetrics(): Promise<WorkerMetricsJson[]>;
  close(): Promise<void>;
}

export interface ScorerOptions {
  dataDir: string;
  threads: number;
  listSize: number;
  unknownAgeIsMinor: boolean;
  /** Model slots (>= 3: stable, canary, one loading). */
  slots?: number;
  /** Address space reserved per slot; a slot grows to the artifact's size. At most 4 GiB (typed array limit). */
  slotMaxBytes?: number;
  /** How long a load waits for readers of an idle slot to drain. */
  drainMs?: number;
  /** The compiled worker script; default <package root>/dist/workers/score.js. */
  workerFile?: string;
  /** Most users per worker task; 1 sends each request as its own task. */
  batchSize?: number;
}

const DEFAULT_SLOT_MAX_BYTES = 2 ** 31;
export const DEFAULT_BATCH_SIZE = 32;
/**
 * Below this many users a task costs more per user: the plain AVX-512 scan
 * streams the whole item matrix per tile of up to 12 users, and each task
 * pays its own message and wake-up (VNNI's int8 pass costs in proportion to
 * the users, in quads of 4).
 */
const TILE_USERS = 8;
const METRICS_TIMEOUT_MS = 2000;
const PREPARE_TIMEOUT_MS = 2000;

interface Serving {
  modelId: string;
  generation: number;
  model: PreparedModel;
}

export async function createScorer(opts: ScorerOptions): Promise<Scorer> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1)
    throw Errors.config(`serve.threads must be a positive integer, got ${opts.threads}`);
  if (!Number.isInteger(opts.listSize) || opts.listSize < 1)
    throw Errors.config(`serve.listSize must be a positive integer, got ${opts.listSize}`);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw Errors.config(`serve.batchSize must be a positive integer, got ${batchSize}`);
  const workerFile = opts.workerFile ?? join(packageRoot(), 'dist', 'workers', 'score.js');
  if (!existsSync(workerFile))
    throw Errors.config(`scoring worker ${workerFile} is missing: build with npx tsc -p tsconfig.build.json`);
  const shared = createSlots(opts.slots ?? 3, opts.slotMaxBytes ?? DEFAULT_SLOT_MAX_BYTES);
  const publisher = new SlotPublisher(shared, { drainMs: opts.drainMs ?? 5000 });
  const store: Store = openStore(opts.dataDir, { readOnly: true });
  const rankOpts = { listSize: opts.listSize, unknownAgeIsMinor: opts.unknownAgeIsMinor };
  const workerData: ScoreWorkerData = {
    dataDir: opts.dataDir,
    ...rankOpts,
    shared,
    metricsChannel: `movrec-scoring-${process.pid}-${randomUUID()}`,
  };
  const pool = new Piscina<ScoreTask, ScoreResult>({
    filename: workerFile,
    minThreads: opts.threads,
    maxThreads: opts.threads,
    // Workers hold an LMDB handle and parsed model views: keep them for the pool's life.
    idleTimeout: Number.POSITIVE_INFINITY,
    // 'sync' parks idle workers in Atomics.wait, so they would never see a metrics request.
    atomics: 'async',
    // The batcher keeps one task queued ahead per worker: posted to the worker at once, it starts the
    // moment the last one ends, not after the main thread has handled that answer and posted the next.
    concurrentTasksPerWorker: 2,
    workerData,
  });
  const channel = new BroadcastChannel(workerData.metricsChannel);
  channel.unref();
  // Piscina loads the worker script at a worker's first task: only workers that
  // said hello have a registry to report.
  const ready = new Set<number>();
  channel.addEventListener('message', (ev) => {
    const m = (ev as MessageEvent).data as Partial<MetricsReply & { hello: number }>;
    if (typeof m.hello === 'number') ready.add(m.hello);
  });
  const serving = new Map<Role, Serving>();
  const loads = modelLoads();
  let closed = false;
  let metricsRequest = 0;
  const batcher = createBatcher(pool, opts.threads, batchSize, (threadId) => ready.add(threadId));

  function servingFor(role: Role): Serving | undefined {
    return serving.get(role) ?? (role === 'canary' ? serving.get('stable') : undefined);
  }

  async function loadModel(file: string, role: Role = 'stable'): Promise<{ modelId: string; generation: number }> {
    if (closed) throw Errors.config('the scorer is closed');
    const started = process.hrtime.bigint();
    try {
      if (!existsSync(file)) throw Errors.modelNotFound(file);
      const bytes = artifactSize(file);
      let packedItems: SharedArrayBuffer | undefined;
      const published = await publisher.publish(
        role,
        bytes,
        async (target) => {
          const steps = await loadVerified(file, target);
          const t = performance.now();
          const model = prepareModel(target, { verify: false, label: file });
          packedItems = await packShared(model.view);
          return { model, ...steps, prepareMs: Math.round(performance.now() - t) };
        },
        (slot, generation) => prepareWorkers(slot, generation, packedItems),
      );
      const { model, readMs, verifyMs, prepareMs } = published.value;
      const modelId = model.view.id;
      serving.set(role, { modelId, generation: published.generation, model });
      loads.inc({ outcome: 'ok' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger().info(
        {
          modelId,
          role,
          generation: published.generation,
          slot: published.slot,
          ms: Math.round(ms),
          readMs,
          verifyMs,
          prepareMs,
        },
        'model published',
      );
      return { modelId, generation: published.generation };
    } catch (e) {
      loads.inc({ outcome: isMovrecError(e) ? e.code : 'error' });
      logger().error(
        { file, role, err: (e as Error).message, code: isMovrecError(e) ? e.code : undefined },
        'model refused; the current model keeps serving',
      );
      throw e;
    }
  }

  // Not async: the batcher's own promise is returned as it is, not wrapped in a second one that
  // settles two microtasks later (per request, on the main thread).
  function recommend(userId: number, role: Role = 'stable'): Promise<Recommendation> {
    if (closed) return Promise.reject(Errors.config('the scorer is closed'));
    return batcher.submit(userId, role);
  }

  function degraded(userId: number): Recommendation {
    const s = servingFor('stable');
    if (!s) throw Errors.modelNotLoaded();
    const items = segmentAnswer(
      s.model,
      { userId, seen: store.seenMovies(userId), info: store.userInfo(userId) },
      rankOpts,
    );
    const line = items.join(',');
    return { line, body: line, modelId: s.modelId, generation: s.generation, source: 'degraded' };
  }

  /** Broadcasts `message` and gathers one reply per ready worker (those that answer within the bound), or `want` replies. */
  function askWorkers<R>(
    message: object,
    pick: (data: unknown) => { threadId: number; value: R } | undefined,
    timeoutMs: number,
    want = readyWorkers().length,
  ): Promise<R[]> {
    const got = new Map<number, R>();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        channel.removeEventListener('message', onMessage);
        resolve([...got.values()]);
      };
      // A worker busy with a long task answers late: return what arrived.
      const timer = setTimeout(done, timeoutMs);
      const onMessage = (ev: Event) => {
        const r = pick((ev as MessageEvent).data);
        if (!r) return;
        got.set(r.threadId, r.value);
        if (got.size >= want) done();
      };
      channel.addEventListener('message', onMessage);
      if (want === 0) done();
      else channel.postMessage(message);
    });
  }

  function workerMetrics(): Promise<WorkerMetricsJson[]> {
    const request = ++metricsRequest;
    return askWorkers<WorkerMetricsJson>(
      { request } satisfies MetricsRequest,
      (data) => {
        const m = data as Partial<MetricsReply>;
        return m.reply === request && typeof m.threadId === 'number'
          ? { threadId: m.threadId, value: m.metrics as WorkerMetricsJson }
          : undefined;
      },
      METRICS_TIMEOUT_MS,
    );
  }

  function readyWorkers(): number[] {
    return pool.threads.map((w) => w.threadId).filter((id) => ready.has(id));
  }

  /**
   * Lets workers parse a filled slot before it serves, so no answer pays for
   * the parse: one worker at a time, since a worker parsing (tens of ms for a
   * large model) answers nothing meanwhile, and all of them at once would
   * stall every request in flight.
   */
  async function prepareWorkers(
    slot: number,
    generation: number,
    packedItems: SharedArrayBuffer | undefined,
  ): Promise<void> {
    for (const threadId of readyWorkers()) {
      await askWorkers<number>(
        { prepare: { slot, generation, threadId, packedItems } } satisfies PrepareRequest,
        (data) => {
          const m = data as Partial<PrepareReply>;
          return m.prepared === generation && m.threadId === threadId ? { threadId, value: generation } : undefined;
        },
        PREPARE_TIMEOUT_MS,
        1,
      );
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    // Piscina's close() waits only for tasks already on a worker and fails the
    // queued ones: answer every accepted request first.
    await batcher.drain();
    await pool.close();
    channel.close();
    await store.close();
  }

  return {
    recommend,
    degraded,
    loadModel,
    active(role: Role = 'stable') {
      const s = servingFor(role);
      return s ? { modelId: s.modelId, generation: s.generation } : null;
    },
    queueDepth: () => batcher.waiting(),
    workerMetrics,
    close,
  };
}

interface Waiter {
  userId: number;
  role: Role;
  resolve(r: Recommendation): void;
  reject(e: unknown): void;
}

interface Batcher {
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
function createBatcher(
  pool: Piscina<ScoreTask, ScoreResult>,
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
