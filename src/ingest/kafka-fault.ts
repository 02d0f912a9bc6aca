// Which Kafka failures heal with time (a topic not created yet, a leader or
// group coordinator being elected, a broker that is down) and how long to wait
// before the next attempt: exponential backoff with jitter, forever.

/** Why the consumer is waiting, as the state metric, /readyz and the log name it. */
export type KafkaWaitReason = 'topic-missing' | 'leader-unavailable' | 'coordinator-unavailable' | 'broker-down';

/** Where the consumer stands, as it tells the ingest thread. */
export type KafkaSourceState =
  | { state: 'connecting'; retry: number }
  | { state: 'waiting'; reason: KafkaWaitReason; retry: number; detail: string }
  | { state: 'consuming'; retry: number };

const BY_PROTOCOL_TYPE: Record<string, KafkaWaitReason> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'topic-missing',
  LEADER_NOT_AVAILABLE: 'leader-unavailable',
  NOT_LEADER_FOR_PARTITION: 'leader-unavailable',
  COORDINATOR_NOT_AVAILABLE: 'coordinator-unavailable',
  GROUP_COORDINATOR_NOT_AVAILABLE: 'coordinator-unavailable',
  NOT_COORDINATOR: 'coordinator-unavailable',
  NOT_COORDINATOR_FOR_GROUP: 'coordinator-unavailable',
  COORDINATOR_LOAD_IN_PROGRESS: 'coordinator-unavailable',
  GROUP_LOAD_IN_PROGRESS: 'coordinator-unavailable',
};

// A broker that refuses or drops the TCP connection is down or restarting. A
// broker that accepts the connection and then closes it on our first request
// is not: that is a listener we may not use (SASL required), which waiting
// does not heal, so "Closed connection" is deliberately not in this list.
const BROKER_DOWN = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|Connection timeout/;

/**
 * The reason a failure is worth waiting out, or null when it is not (wrong
 * credentials, a bad configuration). kafkajs wraps the first cause in
 * "number of retries exceeded" errors: the whole chain is read.
 */
export function kafkaWaitReason(e: unknown): KafkaWaitReason | null {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const x = cur as { name?: string; type?: string; message?: string; cause?: unknown; originalError?: unknown };
    if (x.name === 'KafkaJSSASLAuthenticationError') return null;
    if (x.type && BY_PROTOCOL_TYPE[x.type]) return BY_PROTOCOL_TYPE[x.type]!;
    if (x.message && /does not host this topic-partition|unknown topic/i.test(x.message)) return 'topic-missing';
    if (x.message && /no leader|leader not available/i.test(x.message)) return 'leader-unavailable';
    if (x.message && /coordinator/i.test(x.message)) return 'coordinator-unavailable';
    if (x.message && BROKER_DOWN.test(x.message)) return 'broker-down';
    if (x.name === 'KafkaJSBrokerNotFound') return 'broker-down';
    cur = x.cause ?? x.originalError;
  }
  return null;
}

/** The wait before attempt `retry` (0-based): 250 ms doubling up to `maxMs`, times a random 0.5 to 1. */
export function retryDelayMs(retry: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, 250 * 2 ** Math.min(retry, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** How /readyz and the log say a waiting state, e.g. "waiting for topic movielog1 (retry 7)". */
export function describeKafkaState(s: KafkaSourceState, topic: string, brokers: string): string {
  if (s.state === 'consuming') return `consuming topic ${topic}`;
  if (s.state === 'connecting') return `connecting to ${brokers}`;
  const what: Record<KafkaWaitReason, string> = {
    'topic-missing': `waiting for topic ${topic}`,
    'leader-unavailable': `waiting for a leader of topic ${topic}`,
    'coordinator-unavailable': 'waiting for the group coordinator',
    'broker-down': `waiting for the broker at ${brokers}`,
  };
  return `${what[s.reason]} (retry ${s.retry})`;
}
