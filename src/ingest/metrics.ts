// The ingest loop's metrics, declared once in prom-client's default registry.
import { Counter, Gauge, Histogram, register } from 'prom-client';

export const LINES = 'movrec_ingest_lines_consumed_total';
export const REJECTED = 'movrec_ingest_lines_rejected_total';
export const EVENT_LAG = 'movrec_ingest_event_lag_seconds';
export const OFFSET_LAG = 'movrec_ingest_consumer_lag_messages';
export const COMMIT = 'movrec_ingest_batch_commit_seconds';
export const MAIN_THREAD = 'movrec_ingest_main_thread_seconds';
export const BACKPRESSURE = 'movrec_ingest_backpressure_waits_total';
export const CATALOG = 'movrec_ingest_catalog_fetches_total';
export const CATALOG_QUEUE = 'movrec_ingest_catalog_queue_ids';

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

// Declared through `existing` so that two loops in one process (tests, serve + ingest) share one set.
export const lines =
  existing<Counter<'kind'>>(LINES) ??
  new Counter({
    name: LINES,
    help: 'Lines read from the source and applied, by kind (reject included); replayed lines are not counted',
    labelNames: ['kind'] as const,
  });

export const rejected =
  existing<Counter<'reason'>>(REJECTED) ??
  new Counter({ name: REJECTED, help: 'Lines rejected by the parser, by reason', labelNames: ['reason'] as const });

export const eventLag =
  existing<Gauge>(EVENT_LAG) ??
  new Gauge({
    name: EVENT_LAG,
    help:
      "The newest event time read from the stream minus the newest committed to the store: the stream's own " +
      'clock, 0 when caught up',
  });

export const offsetLag =
  existing<Gauge<'stream'>>(OFFSET_LAG) ??
  new Gauge({
    name: OFFSET_LAG,
    help: 'Messages between the last applied offset and the partition high watermark',
    labelNames: ['stream'] as const,
  });

/** Transactions hold thousands of lines; a healthy commit takes milliseconds to a few hundred. */
export const commitSeconds =
  existing<Histogram>(COMMIT) ??
  new Histogram({
    name: COMMIT,
    help: 'Time to apply and commit one batch transaction',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

/**
 * The part of a transaction's work done on the ingesting thread (parse, collapse, the writes inside the
 * transaction callback, the online join): in `movrec serve` that thread also answers, so this is how long one
 * transaction can hold an answer back.
 */
export const mainThreadSeconds =
  existing<Histogram>(MAIN_THREAD) ??
  new Histogram({
    name: MAIN_THREAD,
    help: 'Time one batch transaction holds the ingesting thread: parse, collapse, store writes, online join',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
  });

export const backpressure =
  existing<Counter>(BACKPRESSURE) ??
  new Counter({ name: BACKPRESSURE, help: 'Times the source was paused because the store was behind' });

export const catalogFetches =
  existing<Counter<'kind' | 'outcome'>>(CATALOG) ??
  new Counter({
    name: CATALOG,
    help: 'Catalog lookups by kind (user, movie) and outcome (known, unknown, retry, failed)',
    labelNames: ['kind', 'outcome'] as const,
  });

export const catalogQueue =
  existing<Gauge>(CATALOG_QUEUE) ?? new Gauge({ name: CATALOG_QUEUE, help: 'Ids waiting for a catalog lookup' });
