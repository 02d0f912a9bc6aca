// The messages between the ingest thread (source-kafka-thread.ts) and the
// Kafka consumer's thread (kafka-consumer-thread.ts).

export type FromConsumer =
  | { t: 'ready' }
  /**
   * A batch: the message values' UTF-8 bytes back to back in `bytes`, value i
   * ending at ends[i]; transferred, not copied. Answered by an ack once the
   * ingest loop has room for it.
   */
  | {
      t: 'batch';
      id: number;
      stream: string;
      bytes: ArrayBuffer;
      ends: Int32Array;
      positions: Float64Array;
      lag: number;
    }
  /** Where the store says `stream` resumes (on a group join). */
  | { t: 'lookup'; id: number; stream: string }
  | { t: 'committed'; id: number }
  | { t: 'done' }
  | { t: 'error'; message: string; code?: string };

export type ToConsumer =
  | { t: 'ack'; id: number }
  | { t: 'lookup'; id: number; next: number | null }
  | { t: 'commit'; id: number; stream: string; next: number }
  | { t: 'stop' };
