// The contract between the ingest side (kafka-source.ts) and the Kafka
// consumer's thread (workers/kafka-consumer.ts): the thread's start data and
// the messages each way, tagged by `kind`.
import type { Config } from '../config/load';
import type { LogLevel } from '../log';
import type { KafkaSourceState } from './kafka-fault';

export interface KafkaSourceOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  clientId: string;
  sasl: Config['kafka']['sasl'];
  ssl: boolean;
  /** Where a group with no committed offset starts: earliest, latest or an ISO time. */
  startFrom: string;
  sessionTimeoutMs?: number;
  /** Longest wait between attempts while the topic, a leader, the coordinator or the broker is missing. */
  retryMaxMs?: number;
}

/** The consumer thread's workerData: its consumer, and the log settings of the process that started it. */
export interface KafkaConsumerData {
  opts: KafkaSourceOptions;
  logLevel: LogLevel;
  pretty: boolean;
}

export type FromConsumer =
  | { kind: 'ready' }
  /**
   * A batch: the message values' UTF-8 bytes back to back in `bytes`, value i
   * ending at ends[i]; transferred, not copied. Answered by an ack once the
   * ingest loop has room for it.
   */
  | {
      kind: 'batch';
      id: number;
      stream: string;
      bytes: ArrayBuffer;
      ends: Int32Array;
      positions: Float64Array;
      lag: number;
    }
  /** Where the store says `stream` resumes (on a group join). */
  | { kind: 'lookup'; id: number; stream: string }
  | { kind: 'committed'; id: number }
  /** The consumer connects, waits (and why, at which retry) or consumes. */
  | { kind: 'state'; state: KafkaSourceState }
  | { kind: 'done' }
  | { kind: 'error'; message: string; code?: string };

export type ToConsumer =
  | { kind: 'ack'; id: number }
  | { kind: 'lookup'; id: number; next: number | null }
  | { kind: 'commit'; id: number; stream: string; next: number }
  | { kind: 'stop' };
