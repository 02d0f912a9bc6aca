// The Scorer: the scoring pool, its side channel, the batcher and the model
// loader put together, plus the main-thread degraded answer, and the fallback
// that answers while no stable model is loaded.
import { randomUUID } from 'node:crypto';
import { Errors } from '../errors';
import { openStore, type Store } from '../store/store';
import { createBatcher, DEFAULT_BATCH_SIZE } from './batcher';
import { createModelLoader } from './model-loader';
import { createPool, workerScript } from './pool';
import { segmentAnswer } from './rank';
import type { Recommendation } from './recommendation';
import type { ScoreWorkerData } from './score-task';
import { createSlots, MIN_SLOTS, SlotPublisher, type Role } from './slots';
import { openWorkerChannel, type WorkerMetricsJson } from './worker-channel';

export type { Recommendation } from './recommendation';
export type { Role } from './slots';
export type { WorkerMetricsJson } from './worker-channel';

export interface Scorer {
  recommend(userId: number, role?: Role): Promise<Recommendation>;
  degraded(userId: number): Recommendation;
  loadModel(artifactFile: string, role?: Role): Promise<{ modelId: string; generation: number }>;
  /** Makes the model serving `from` serve stable too (one flip, no load) and leaves `from` with none. */
  promote(from: Role): Promise<{ modelId: string; generation: number }>;
  /** Leaves `role` with no model: its users are answered by stable. */
  retire(role: Role): Promise<void>;
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
  /** Model slots (>= MIN_SLOTS: every role, one loading). */
  slots?: number;
  /** Address space reserved per slot; a slot grows to the artifact's size. At most 4 GiB (typed array limit). */
  slotMaxBytes?: number;
  /** How long a load waits for readers of an idle slot to drain. */
  drainMs?: number;
  /** The compiled worker script; default <package root>/dist/workers/score.js. */
  workerFile?: string;
  /** Most users per worker task; 1 sends each request as its own task. */
  batchSize?: number;
  /**
   * Answers `recommend` and `degraded` while no stable model is loaded (the serving process: the popularity of
   * what was ingested); null, or no fallback, fails them with MOVREC_ERR_MODEL_NOT_LOADED.
   */
  fallback?: (userId: number) => Recommendation | null;
}

const DEFAULT_SLOT_MAX_BYTES = 2 ** 31;

export async function createScorer(opts: ScorerOptions): Promise<Scorer> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1)
    throw Errors.config(`serve.threads must be a positive integer, got ${opts.threads}`);
  if (!Number.isInteger(opts.listSize) || opts.listSize < 1)
    throw Errors.config(`serve.listSize must be a positive integer, got ${opts.listSize}`);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw Errors.config(`serve.batchSize must be a positive integer, got ${batchSize}`);
  const workerFile = workerScript(opts.workerFile);
  const shared = createSlots(opts.slots ?? MIN_SLOTS, opts.slotMaxBytes ?? DEFAULT_SLOT_MAX_BYTES);
  const publisher = new SlotPublisher(shared, { drainMs: opts.drainMs ?? 5000 });
  const store: Store = openStore(opts.dataDir, { readOnly: true });
  const rankOpts = { listSize: opts.listSize, unknownAgeIsMinor: opts.unknownAgeIsMinor };
  const workerData: ScoreWorkerData = {
    dataDir: opts.dataDir,
    ...rankOpts,
    shared,
    metricsChannel: `movrec-scoring-${process.pid}-${randomUUID()}`,
  };
  const pool = createPool(opts.threads, workerData, workerFile);
  const channel = openWorkerChannel(workerData.metricsChannel, pool);
  const loader = createModelLoader(publisher, channel.prepareWorkers);
  const batcher = createBatcher(pool, opts.threads, batchSize, channel.markReady);
  let closed = false;
  const fallback = opts.fallback;
  /** The fallback's answer while no stable model is loaded; undefined once one is (or without a fallback). */
  const beforeFirstModel = (userId: number): Recommendation | null | undefined =>
    fallback && !loader.servingFor('stable') ? fallback(userId) : undefined;

  return {
    // Not async: the batcher's own promise is returned as it is, not wrapped in a second one that
    // settles two microtasks later (per request, on the main thread).
    recommend(userId, role = 'stable') {
      if (closed) return Promise.reject(Errors.config('the scorer is closed'));
      const early = beforeFirstModel(userId);
      if (early !== undefined) return early ? Promise.resolve(early) : Promise.reject(Errors.modelNotLoaded());
      return batcher.submit(userId, role);
    },
    degraded(userId) {
      const early = beforeFirstModel(userId);
      if (early) return early;
      const s = loader.servingFor('stable');
      if (!s) throw Errors.modelNotLoaded();
      const items = segmentAnswer(
        s.model,
        { userId, seen: store.seenMovies(userId), info: store.userInfo(userId) },
        rankOpts,
      );
      const line = items.join(',');
      return { line, body: line, modelId: s.modelId, generation: s.generation, source: 'degraded' };
    },
    async loadModel(file, role = 'stable') {
      if (closed) throw Errors.config('the scorer is closed');
      return loader.load(file, role);
    },
    async promote(from) {
      if (closed) throw Errors.config('the scorer is closed');
      return loader.promote(from);
    },
    retire: (role) => loader.retire(role),
    active(role = 'stable') {
      const s = loader.servingFor(role);
      return s ? { modelId: s.modelId, generation: s.generation } : null;
    },
    queueDepth: () => batcher.waiting(),
    workerMetrics: () => channel.workerMetrics(),
    async close() {
      if (closed) return;
      closed = true;
      // Piscina's close() waits only for tasks already on a worker and fails the
      // queued ones: answer every accepted request first.
      await batcher.drain();
      await pool.close();
      channel.close();
      await store.close();
    },
  };
}
