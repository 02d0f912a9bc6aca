// The ingest loop: source → parse → collapse → one LMDB transaction per batch
// (with the offset it reaches) → commit the offset to the source. Bounded
// queue: when storage is behind, the source waits.
import type { Config } from '../config/load';
import { logger } from '../log';
import { storeTables, type Store } from '../store/store';
import type { Tables } from '../store/tables';
import { applyDelta, appliedOffset, type Applied } from './apply';
import { CatalogFetcher } from './catalog';
import { BatchDelta } from './collapse';
import {
  backpressure,
  commitSeconds,
  eventLag,
  lines as linesMetric,
  offsetLag,
  rejected as rejectedMetric,
} from './metrics';
import type { Source, SourceBatch } from './source';

export type { Source, SourceBatch } from './source';
import { fileSource } from './source-file';
import { kafkaSource } from './source-kafka-thread';

export interface IngestStats {
  source: string;
  /** Lines handed over by the source in this run. */
  linesRead: number;
  /** Lines applied to the store in this run. */
  linesApplied: number;
  /** Lines skipped because the store already held them (a replay). */
  linesSkipped: number;
  rejected: number;
  transactions: number;
  queuedLines: number;
  lastCommitAt: number | null;
  newestEventTime: number | null;
  catalogPending: number;
  running: boolean;
  error: string | null;
}

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
}

/** Transactions handed to LMDB and not yet committed, at most: parsing the next overlaps the commit of the last. */
const IN_FLIGHT_TXNS = 3;
/** Queued lines beyond this many batches' worth pause the source. */
const QUEUE_BATCHES = 8;
const STALL_MS = 30_000;

export function startIngest(opts: IngestOptions): IngestHandle {
  const { config, store, source } = opts;
  const log = logger().child({ name: 'ingest' });
  const t: Tables = storeTables(store);
  const batchLines = config.ingest.batchLines;
  const keep = config.ingest.rejectsKept;
  const ratingMax = config.ingest.ratingMax;
  const maxQueued = batchLines * QUEUE_BATCHES;

  // Next position per stream as staged in LMDB (ahead of the commit by at most IN_FLIGHT_TXNS).
  const staged = new Map<string, number>();
  const nextOf = (stream: string): number => {
    let n = staged.get(stream);
    if (n === undefined) staged.set(stream, (n = appliedOffset(t, stream)));
    return n;
  };
  source.resumeFrom?.((stream) => (t.meta.doesExist(['offset', stream]) ? nextOf(stream) : undefined));

  const catalog = config.catalog.baseUrl
    ? new CatalogFetcher(t, {
        baseUrl: config.catalog.baseUrl,
        ratePerSecond: config.catalog.ratePerSecond,
        retries: config.catalog.retries,
        timeoutMs: config.catalog.timeoutMs,
        bulkSize: config.catalog.bulkSize,
      })
    : null;
  if (catalog) setImmediate(() => catalog.resumePending());

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
  };

  const queue: SourceBatch[] = [];
  let stopping = false;
  let sourceEnded = false;
  let wakeWorker: (() => void) | null = null;
  let roomWaiters: (() => void)[] = [];
  let idleTimer: NodeJS.Timeout | null = null;
  let queuedSince = 0;

  const wake = () => {
    const w = wakeWorker;
    wakeWorker = null;
    w?.();
  };
  const releaseRoom = () => {
    if (st.queuedLines > maxQueued && !stopping) return;
    const ws = roomWaiters;
    roomWaiters = [];
    for (const w of ws) w();
  };
  const armIdle = () => {
    if (!opts.idleExitMs) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      log.info({ idleMs: opts.idleExitMs }, 'no lines for a while: stopping');
      void handle.stop();
    }, opts.idleExitMs);
  };

  async function push(b: SourceBatch): Promise<void> {
    if (stopping) return;
    armIdle();
    let batch = b;
    if (opts.maxLines !== undefined) {
      const room = opts.maxLines - st.linesRead;
      if (room <= 0) return;
      if (b.lines.length > room) {
        // What is cut off stays behind: the consumer lag grows by the positions not taken.
        const lag =
          b.lag === undefined ? undefined : b.lag + (b.positions[b.positions.length - 1]! - b.positions[room - 1]!);
        batch = {
          ...b,
          lines: b.lines.slice(0, room),
          positions: b.positions.slice(0, room),
          ...(lag === undefined ? {} : { lag }),
        };
      }
    }
    if (st.linesRead === 0) log.info({ source: source.name }, 'consuming');
    st.linesRead += batch.lines.length;
    if (queue.length === 0) queuedSince = Date.now();
    queue.push(batch);
    st.queuedLines += batch.lines.length;
    wake();
    if (opts.maxLines !== undefined && st.linesRead >= opts.maxLines) void handle.stop();
    if (st.queuedLines > maxQueued && !stopping) {
      backpressure.inc();
      await new Promise<void>((r) => roomWaiters.push(r));
    }
  }

  const inFlight: Promise<void>[] = [];

  function commitChunk(batch: SourceBatch, from: number, to: number): Promise<void> {
    const delta = new BatchDelta(ratingMax, keep);
    for (let i = from; i < to; i++) delta.add(batch.lines[i]!);
    const stream = batch.stream;
    const next = batch.positions[to - 1]! + 1;
    if (stream !== null) staged.set(stream, next);
    const endTimer = commitSeconds.startTimer();
    return t.root
      .transaction(() => applyDelta(t, delta, keep, stream, next))
      .then(async (applied: Applied) => {
        endTimer();
        st.transactions++;
        st.lastCommitAt = Date.now();
        st.linesApplied += delta.lines;
        let rejects = 0;
        for (const [reason, n] of delta.rejectCounts) {
          rejectedMetric.inc({ reason }, n);
          rejects += n;
        }
        st.rejected += rejects;
        if (rejects > 0) linesMetric.inc({ kind: 'reject' }, rejects);
        for (const [kind, n] of Object.entries(delta.kinds)) if (n > 0) linesMetric.inc({ kind }, n);
        if (delta.maxTime !== -Infinity && (st.newestEventTime === null || delta.maxTime > st.newestEventTime))
          st.newestEventTime = delta.maxTime;
        if (st.newestEventTime !== null) eventLag.set((Date.now() - st.newestEventTime) / 1000);
        if (stream !== null) {
          if (batch.lag !== undefined && to === batch.lines.length) offsetLag.set({ stream }, batch.lag);
          await source.commit(stream, next);
        }
        log.debug({ stream, next, lines: delta.lines }, 'committed');
        if (catalog) {
          catalog.enqueue('user', applied.newUsers);
          catalog.enqueue('movie', applied.newMovies);
        }
      });
  }

  async function work(): Promise<void> {
    for (;;) {
      const batch = queue.shift();
      if (!batch) {
        if (sourceEnded || stopping) break;
        await new Promise<void>((r) => (wakeWorker = r));
        continue;
      }
      queuedSince = Date.now();
      let start = 0;
      if (batch.stream !== null) {
        const next = nextOf(batch.stream);
        while (start < batch.positions.length && batch.positions[start]! < next) start++;
        st.linesSkipped += start;
      }
      for (let from = start; from < batch.lines.length; from += batchLines) {
        const to = Math.min(batch.lines.length, from + batchLines);
        // Commits are acknowledged in order: wait for the oldest when the window is full.
        while (inFlight.length >= IN_FLIGHT_TXNS) await inFlight.shift();
        const commit = commitChunk(batch, from, to);
        // Awaited in order below; until then a failure must not count as an unhandled rejection.
        commit.catch(() => undefined);
        inFlight.push(commit);
      }
      st.queuedLines -= batch.lines.length;
      releaseRoom();
    }
    while (inFlight.length > 0) await inFlight.shift();
  }

  const done = (async () => {
    // A failed transaction ends the loop: stop the source too, or a Kafka source would run on forever.
    const worker = work().catch(async (e: unknown) => {
      stopping = true;
      releaseRoom();
      await source.stop();
      throw e;
    });
    try {
      await Promise.all([
        // The idle clock starts once the source can deliver: joining a group may wait out a dead member's session.
        source.run(push, armIdle).then(() => {
          sourceEnded = true;
          wake();
        }),
        worker,
      ]);
      if (opts.waitForCatalog && catalog && !stopping) await catalog.idle();
    } catch (e) {
      st.error = (e as Error).message;
      stopping = true;
      wake();
      releaseRoom();
      // A source that failed may still hold connections (a joined consumer): close them, or the process never exits.
      await source.stop().catch(() => undefined);
      await worker.catch(() => undefined);
      throw e;
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
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
        releaseRoom();
        await source.stop();
        wake();
      }
      await done.catch(() => undefined);
    },
    stalled() {
      if (st.error !== null) return true;
      return queue.length > 0 && Date.now() - Math.max(queuedSince, st.lastCommitAt ?? 0) > STALL_MS;
    },
    stats() {
      return { ...st, catalogPending: catalog?.pending() ?? 0 };
    },
  };
  return handle;
}

/** The source the flags or configuration name: a file or stdin when given, else Kafka when kafka.enabled; null for none. */
export function sourceFromConfig(
  config: Readonly<Config>,
  flags: { fromFile?: string; follow?: boolean },
): Source | null {
  if (flags.fromFile !== undefined)
    return fileSource({ path: flags.fromFile, follow: flags.follow === true, batchLines: config.ingest.batchLines });
  return config.kafka.enabled ? kafkaSourceFromConfig(config) : null;
}

/** The configured topic as a source, whether or not kafka.enabled (movrec ingest reads it when no file is given). */
export function kafkaSourceFromConfig(config: Readonly<Config>): Source {
  const k = config.kafka;
  return kafkaSource({
    brokers: k.brokers,
    topic: k.topic,
    groupId: k.groupId,
    clientId: k.clientId,
    sasl: k.sasl,
    ssl: k.ssl,
    startFrom: k.startFrom,
    sessionTimeoutMs: k.sessionTimeoutMs,
  });
}
