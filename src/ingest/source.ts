// What the ingest loop reads from: a source hands over batches of lines with
// their positions and commits a position only when the loop says it is stored.

export interface SourceBatch {
  /**
   * Resume key (`kafka:<topic>:<partition>`, `file:<absolute path>`), or null for a source that cannot be replayed
   * (stdin).
   */
  stream: string | null;
  lines: string[];
  /** Position of each line, increasing. */
  positions: number[];
  /** Messages left after this batch in its partition, when the source knows. */
  lag?: number;
}

export interface Source {
  /** For logs: where the lines come from. */
  readonly name: string;
  /**
   * Reads until the source ends (a file without --follow) or stop() is
   * called. `push` resolves when the loop has room for more: awaiting it is
   * the backpressure. `ready` is called once the source is in position to
   * deliver (a file opened, a consumer group joined).
   */
  run(push: (batch: SourceBatch) => Promise<void>, ready: () => void): Promise<void>;
  /** Records that everything before `next` in `stream` is committed to the store. */
  commit(stream: string, next: number): Promise<void>;
  /** Tells the source where the store says each stream resumes. */
  resumeFrom?(lookup: (stream: string) => number | undefined): void;
  stop(): Promise<void>;
  /** Why the source cannot deliver now ("waiting for topic movielog1 (retry 7)"), or null when it can. */
  state?(): string | null;
}
