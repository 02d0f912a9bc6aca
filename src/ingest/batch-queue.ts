// The ingest queue: batches handed over by the source and not yet sent to
// LMDB, with a wake-up for the one loop that drains it.
import type { SourceBatch } from './source';

export class BatchQueue {
  private readonly batches: SourceBatch[] = [];
  private waiting: (() => void) | null = null;
  /** Lines of batches queued or being committed: counted out only once a batch is wholly handed to LMDB. */
  lines = 0;
  /** When the batch at the front started waiting (for the stall check). */
  since = 0;

  get length(): number {
    return this.batches.length;
  }

  push(batch: SourceBatch): void {
    if (this.batches.length === 0) this.since = Date.now();
    this.batches.push(batch);
    this.lines += batch.lines.length;
    this.wake();
  }

  shift(): SourceBatch | undefined {
    const batch = this.batches.shift();
    if (batch) this.since = Date.now();
    return batch;
  }

  /** The batch's lines are all on their way to LMDB. */
  handedOver(batch: SourceBatch): void {
    this.lines -= batch.lines.length;
  }

  /** Resolves at the next push or wake(). */
  nextPush(): Promise<void> {
    return new Promise<void>((r) => (this.waiting = r));
  }

  wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}
