// Commits: a batch's lines collapsed into LMDB transactions of batchLines
// each, with the offset they reach; a few in flight at once, acknowledged to
// the source in order.
import type { Logger } from '../log';
import type { Tables } from '../store/tables';
import { applyDelta, appliedOffset, type Applied } from './apply';
import { BatchDelta } from './collapse';
import type { EventClock } from './event-clock';
import type { LineObserver } from './line-observer';
import {
  commitSeconds,
  lines as linesMetric,
  mainThreadSeconds,
  offsetLag,
  rejected as rejectedMetric,
} from './metrics';
import type { Source, SourceBatch } from './source';
import type { IngestStats } from './stats';

/** Transactions handed to LMDB and not yet committed, at most: parsing the next overlaps the commit of the last. */
const IN_FLIGHT_TXNS = 3;

export interface CommitOptions {
  t: Tables;
  source: Source;
  batchLines: number;
  ratingMax: number;
  /** Rejected lines kept per reason. */
  keep: number;
  stats: IngestStats;
  log: Logger;
  /** Sees every line of each chunk and adds its writes to the chunk's transaction (the online join). */
  observer: LineObserver | null;
  /** The stream's clock: each commit's newest event time sets the event lag. */
  clock: EventClock;
  /** Called after each commit with the users and movies it stored first. */
  onApplied(applied: Applied): void;
}

export interface Commits {
  /** Where the store says `stream` resumes, or undefined when it holds nothing from it. */
  resumePoint(stream: string): number | undefined;
  /** Hands the batch's new lines to LMDB; resolves once they are all on their way (the window has room). */
  commitBatch(batch: SourceBatch): Promise<void>;
  /** Resolves when every transaction handed over is committed; rejects with the first that failed. */
  settle(): Promise<void>;
}

export function createCommits(opts: CommitOptions): Commits {
  const { t, source, batchLines, ratingMax, keep, stats: st, log } = opts;
  // Next position per stream as staged in LMDB (ahead of the commit by at most IN_FLIGHT_TXNS).
  const staged = new Map<string, number>();
  const nextOf = (stream: string): number => {
    let n = staged.get(stream);
    if (n === undefined) staged.set(stream, (n = appliedOffset(t, stream)));
    return n;
  };
  const inFlight: Promise<void>[] = [];

  function commitChunk(batch: SourceBatch, from: number, to: number): Promise<void> {
    const parseStart = performance.now();
    const delta = new BatchDelta(ratingMax, keep, opts.observer);
    for (let i = from; i < to; i++) delta.add(batch.lines[i]!);
    const observed = opts.observer?.take() ?? null;
    const parseMs = performance.now() - parseStart;
    const stream = batch.stream;
    const next = batch.positions[to - 1]! + 1;
    if (stream !== null) staged.set(stream, next);
    const endTimer = commitSeconds.startTimer();
    return t.root
      .transaction(() => {
        const applyStart = performance.now();
        const applied = applyDelta(t, delta, keep, stream, next);
        observed?.(t.root);
        mainThreadSeconds.observe((parseMs + performance.now() - applyStart) / 1000);
        return applied;
      })
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
        if (delta.maxTime !== -Infinity) opts.clock.applied(delta.maxTime);
        if (stream !== null) {
          if (batch.lag !== undefined && to === batch.lines.length) offsetLag.set({ stream }, batch.lag);
          await source.commit(stream, next);
        }
        log.debug({ stream, next, lines: delta.lines }, 'committed');
        opts.onApplied(applied);
      });
  }

  return {
    resumePoint(stream) {
      return t.meta.doesExist(['offset', stream]) ? nextOf(stream) : undefined;
    },
    async commitBatch(batch) {
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
    },
    async settle() {
      while (inFlight.length > 0) await inFlight.shift();
    },
  };
}
