// What an ingest run reports about itself (for /metrics, logs and the CLI summary).

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
  /** Why the source cannot deliver now (waiting for a topic, a broker), or null. */
  waiting: string | null;
}
