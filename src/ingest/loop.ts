// The ingest loop: source → queue → commits (one LMDB transaction per batch,
// with the offset it reaches) → the offset committed to the source. Bounded
// queue: when storage is behind, the source waits.
import type { Config } from '../config/load';
import { logger } from '../log';
import { storeTables, type Store } from '../store/store';
import type { Tables } from '../store/tables';
import { createBackpressure } from './backpressure';
import { BatchQueue } from './batch-queue';
import { catalogFeed } from './catalog-feed';
import { createCommits } from './commits';
import { eventClock } from './event-clock';
import type { LineObserver } from './line-observer';
import { idleTimer } from './idle-timer';
import type { Source, SourceBatch } from './source';
import type { IngestStats } from './stats';

export type { Source, SourceBatch } from './source';
export type { IngestStats } from './stats';

export interface IngestHandle {
  /** Settles when the loop has ended: the source ran out, stop() was called, or it failed. */
  done: Promise<void>;
  stop(): Promise<void>;
  /** True when batches wait and nothing has been committed for a while, or the loop failed. */
  stalled(): boolean;
  stats(): IngestStats;
}

export interface IngestOptions {
  config: Readonly<Config>;
  store: Store;
  source: Source;
  /** Stop after this many lines read (bounded runs). */
  maxLines?: number;
  /** Stop when no line has arrived for this long once the source is ready (bounded runs). */
  idleExitMs?: number;
  /** When the source ends by itself, wait for the catalog queue to drain before `done`. */
  waitForCatalog?: boolean;
  /** Sees every applied line and writes in each batch's transaction (the online join). */
  observer?: LineObserver;
}

/** Queued lines beyond this many batches' worth pause the source. */
const QUEUE_BATCHES = 8;
const STALL_MS = 30_000;

export function startIngest(opts: IngestOptions): IngestHandle {
  const { config, store, source } = opts;
  const log = logger().child({ name: 'ingest' });
  const t: Tables = storeTables(store);
  const maxQueued = config.ingest.batchLines * QUEUE_BATCHES;

  const st: IngestStats = {
    source: source.name,
    linesRead: 0,
    linesApplied: 0,
    linesSkipped: 0,
    rejected: 0,
    transactions: 0,
    queuedLines: 0,
    lastCommitAt: null,
    newestEventTime: null,
    catalogPending: 0,
    running: true,
    error: null,
    waiting: null,
  };

  const catalog = catalogFeed(t, config);
  const clock = eventClock();
  const commits = createCommits({
    clock,
    t,
    source,
    batchLines: config.ingest.batchLines,
    ratingMax: config.ingest.ratingMax,
    keep: config.ingest.rejectsKept,
    stats: st,
    log,
    observer: opts.observer ?? null,
    onApplied(applied) {
      if (catalog) {
        catalog.enqueue('user', applied.newUsers);
        catalog.enqueue('movie', applied.newMovies);
      }
    },
  });
  source.resumeFrom?.((stream) => commits.resumePoint(stream));

  const queue = new BatchQueue();
  let stopping = false;
  let sourceEnded = false;
  const room = createBackpressure(() => queue.lines > maxQueued && !stopping);
  const idle = idleTimer(opts.idleExitMs, () => {
    log.info({ idleMs: opts.idleExitMs }, 'no lines for a while: stopping');
    void handle.stop();
  });

  async function push(b: SourceBatch): Promise<void> {
    if (stopping) return;
    idle.arm();
    let batch = b;
    if (opts.maxLines !== undefined) {
      const left = opts.maxLines - st.linesRead;
      if (left <= 0) return;
      if (b.lines.length > left) {
        // What is cut off stays behind: the consumer lag grows by the positions not taken.
        const lag =
          b.lag === undefined ? undefined : b.lag + (b.positions[b.positions.length - 1]! - b.positions[left - 1]!);
        batch = {
          ...b,
          lines: b.lines.slice(0, left),
          positions: b.positions.slice(0, left),
          ...(lag === undefined ? {} : { lag }),
        };
      }
    }
    if (st.linesRead === 0) log.info({ source: source.name }, 'consuming');
    st.linesRead += batch.lines.length;
    clock.read(batch.lines);
    queue.push(batch);
    if (opts.maxLines !== undefined && st.linesRead >= opts.maxLines) void handle.stop();
    await room.waitForRoom();
  }

  async function work(): Promise<void> {
    for (;;) {
      const batch = queue.shift();
      if (!batch) {
        if (sourceEnded || stopping) break;
        await queue.nextPush();
        continue;
      }
      await commits.commitBatch(batch);
      queue.handedOver(batch);
      room.release();
    }
    await commits.settle();
  }

  const done = (async () => {
    // A failed transaction ends the loop: stop the source too, or a Kafka source would run on forever.
    const worker = work().catch(async (e: unknown) => {
      stopping = true;
      room.release();
      await source.stop();
      throw e;
    });
    try {
      await Promise.all([
        // The idle clock starts once the source can deliver: joining a group may wait out a dead member's session.
        source.run(push, idle.arm).then(() => {
          sourceEnded = true;
          queue.wake();
        }),
        worker,
      ]);
      if (opts.waitForCatalog && catalog && !stopping) await catalog.idle();
    } catch (e) {
      st.error = (e as Error).message;
      stopping = true;
      queue.wake();
      room.release();
      // A source that failed may still hold connections (a joined consumer): close them, or the process never exits.
      await source.stop().catch(() => undefined);
      await worker.catch(() => undefined);
      throw e;
    } finally {
      idle.clear();
      catalog?.stop();
      if (catalog) await catalog.idle();
      st.running = false;
    }
  })();
  done.catch(() => undefined);

  const handle: IngestHandle = {
    done,
    async stop() {
      if (!stopping) {
        stopping = true;
        room.release();
        await source.stop();
        queue.wake();
      }
      await done.catch(() => undefined);
    },
    stalled() {
      if (st.error !== null) return true;
      return queue.length > 0 && Date.now() - Math.max(queue.since, st.lastCommitAt ?? 0) > STALL_MS;
    },
    stats() {
      return {
        ...st,
        queuedLines: queue.lines,
        catalogPending: catalog?.pending() ?? 0,
        waiting: source.state?.() ?? null,
      };
    },
  };
  return handle;
}
