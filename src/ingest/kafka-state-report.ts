// The Kafka consumer's state as the ingest thread keeps it: a state gauge and
// a retries counter, one log line per change of state (not per retry), and a
// sentence for /readyz ("waiting for topic movielog1 (retry 7)").
import { Counter, Gauge, register } from 'prom-client';
import { logger } from '../log';
import { describeKafkaState, type KafkaSourceState } from './kafka-fault';

export const KAFKA_STATE = 'movrec_ingest_kafka_state';
export const KAFKA_RETRIES = 'movrec_ingest_kafka_retries_total';

/** Every value the state gauge's label takes: one is 1, the others 0. */
export const KAFKA_STATES = [
  'connecting',
  'consuming',
  'topic-missing',
  'leader-unavailable',
  'coordinator-unavailable',
  'broker-down',
] as const;

const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

const stateGauge =
  existing<Gauge<'state'>>(KAFKA_STATE) ??
  new Gauge({
    name: KAFKA_STATE,
    help:
      'The Kafka consumer state: 1 for the current one (connecting, consuming, or the reason it waits), 0 ' +
      'for the others',
    labelNames: ['state'] as const,
  });

const retries =
  existing<Counter<'reason'>>(KAFKA_RETRIES) ??
  new Counter({
    name: KAFKA_RETRIES,
    help: 'Waits before another attempt at the broker, topic, leader or coordinator, by reason',
    labelNames: ['reason'] as const,
  });

const labelOf = (s: KafkaSourceState): string => (s.state === 'waiting' ? s.reason : s.state);

export interface KafkaStateReport {
  update(s: KafkaSourceState): void;
  /** The current state in words, or null before the consumer said anything. */
  describe(): string | null;
  /** Whether the consumer is consuming (joined and fetching). */
  consuming(): boolean;
}

export function kafkaStateReport(topic: string, brokers: string): KafkaStateReport {
  const log = logger().child({ name: 'ingest' });
  let current: KafkaSourceState | null = null;
  return {
    update(s) {
      const before = current === null ? null : labelOf(current);
      current = s;
      const now = labelOf(s);
      if (s.state === 'waiting') retries.inc({ reason: s.reason });
      if (now === before) return;
      for (const x of KAFKA_STATES) stateGauge.set({ state: x }, x === now ? 1 : 0);
      const text = describeKafkaState(s, topic, brokers);
      if (s.state === 'waiting') log.warn({ state: now, retry: s.retry, err: s.detail }, `kafka: ${text}`);
      else log.info({ state: now }, `kafka: ${text}`);
    },
    describe: () => (current === null ? null : describeKafkaState(current, topic, brokers)),
    consuming: () => current?.state === 'consuming',
  };
}
