// The Kafka consumer, through kafkajs: runs on the consumer thread
// (workers/kafka-consumer.ts; kafka-source.ts is the Source the ingest loop
// reads): offsets are committed only when the loop says the store holds them;
// reconnects with backoff after failures.
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type LogEntry } from 'kafkajs';
import { Errors } from '../errors';
import { logger } from '../log';
import { kafkaWaitReason, retryDelayMs, type KafkaSourceState, type KafkaWaitReason } from './kafka-fault';
import type { KafkaSourceOptions } from './kafka-messages';

const RETRY = { initialRetryTime: 300, maxRetryTime: 30_000, retries: 12 };
const CONNECT_BACKOFF_MAX_MS = 30_000;
/** Bytes a fetch waits for (up to maxWaitTimeInMs) before it returns. */
const FETCH_MIN_BYTES = 64 << 10;
/** Attempts at setting a new group's offsets from --start <time> before giving up (about a minute of backoff). */
const START_TIME_ATTEMPTS = 10;

function kafkaLogger() {
  const log = logger().child({ name: 'kafka' });
  return () =>
    ({ level, log: entry }: { level: logLevel; log: LogEntry['log'] }) => {
      // kafkajs attaches a stack to every failed connect: noise in a log that already says what failed.
      const { message, stack: _stack, ...rest } = entry as LogEntry['log'] & { stack?: string };
      // kafkajs reports every reconnect attempt as ERROR; a retry is a warning until we give up.
      if (level <= logLevel.WARN) log.warn(rest, message);
      else if (level === logLevel.INFO) log.debug(rest, message);
    };
}

export const kafkaStream = (topic: string, partition: number) => `kafka:${topic}:${partition}`;

/**
 * The consumer as it runs inside the consumer thread (workers/kafka-consumer.ts):
 * a Source whose batches are the raw message values, decoded on the ingest
 * thread, and whose resume lookup may answer asynchronously (it asks the
 * ingest thread's store).
 */
export interface KafkaConsumerSource {
  readonly name: string;
  resumeFrom(lookup: (stream: string) => number | undefined | Promise<number | undefined>): void;
  run(deliver: RawDelivery, ready: () => void): Promise<void>;
  commit(stream: string, next: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A batch's raw message values (null: an empty message) in offset order, for
 * a caller that decodes them elsewhere; resolves when the batch is taken.
 */
export type RawDelivery = (b: {
  stream: string;
  values: (Buffer | null)[];
  positions: number[];
  lag: number;
}) => Promise<void>;

/** kafkajs in this thread: what runs inside the consumer thread (workers/kafka-consumer.ts). */
export function kafkaConsumerSource(
  opts: KafkaSourceOptions,
  onState: (s: KafkaSourceState) => void = () => undefined,
): KafkaConsumerSource {
  const log = logger().child({ name: 'ingest' });
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl: opts.ssl,
    ...(opts.sasl
      ? { sasl: { mechanism: 'plain' as const, username: opts.sasl.username, password: opts.sasl.password } }
      : {}),
    retry: RETRY,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger(),
  });
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.max(500, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10)),
    // Large fetches keep kafkajs's per-request overhead small against ~70-byte messages.
    maxBytes: 32 << 20,
    maxBytesPerPartition: 8 << 20,
    maxWaitTimeInMs: 200,
    // At a live rate (the course's 1,000 lines/s) a fetch that returns at the first byte hands over a few dozen
    // lines: ~45 transactions, offset commits and promise chains a second on the thread that also answers. Waiting
    // for 64 KiB (or the 200 ms above) makes that ~5 a second of a few hundred lines; a backlog still fills a
    // fetch at once.
    minBytes: FETCH_MIN_BYTES,
    // A consumer waits for the topic its producer creates: creating it here would fix its partition count by accident.
    allowAutoTopicCreation: false,
    retry: { ...RETRY, restartOnFailure: async () => true },
  });
  let stopped = false;
  let resolveStopped!: () => void;
  const stoppedP = new Promise<void>((r) => (resolveStopped = r));
  // Async when the consumer runs on its own thread and asks the ingest thread's store.
  let lookup: ((stream: string) => number | undefined | Promise<number | undefined>) | undefined;

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  let retry = 0;
  /** One more attempt's wait, said to the ingest thread (which logs a state change once and counts every retry). */
  async function waitOut(reason: KafkaWaitReason, detail: string): Promise<void> {
    retry++;
    onState({ state: 'waiting', reason, retry, detail: detail.slice(0, 300) });
    await Promise.race([sleep(retryDelayMs(retry - 1, opts.retryMaxMs ?? CONNECT_BACKOFF_MAX_MS)), stoppedP]);
  }

  /** Runs `step` until it succeeds, waiting out every failure that heals with time; others are thrown. */
  async function untilDone<T>(step: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await step();
      } catch (e) {
        const reason = kafkaWaitReason(e);
        if (stopped || reason === null) throw e;
        await waitOut(reason, (e as Error).message);
        if (stopped) throw e;
      }
    }
  }

  /** Waits until the topic exists and each of its partitions has a leader (the producer creates it, maybe later). */
  async function waitForTopic(): Promise<void> {
    // kafkajs's own retries would hide minutes inside one attempt: this loop does the waiting, visibly.
    const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 } });
    try {
      await untilDone(() => admin.connect());
      for (;;) {
        if (stopped) return;
        const meta = await untilDone(() => admin.fetchTopicMetadata());
        const topic = meta.topics.find((x) => x.name === opts.topic);
        if (topic && topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0)) return;
        await waitOut(
          topic ? 'leader-unavailable' : 'topic-missing',
          topic ? `topic ${opts.topic} has a partition without a leader` : `topic ${opts.topic} does not exist yet`,
        );
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function connectWithBackoff(): Promise<void> {
    onState({ state: 'connecting', retry });
    for (;;) {
      try {
        await consumer.connect();
        return;
      } catch (e) {
        if (stopped) return;
        // Wrong credentials do not heal with time: retrying would hang the ingest forever.
        if ((e as Error).name === 'KafkaJSSASLAuthenticationError') {
          throw Errors.kafka(
            `movrec ingest: Kafka SASL authentication failed for user ` +
              `${JSON.stringify(opts.sasl?.username ?? '')} at ${opts.brokers.join(',')}: check kafka.sasl`,
            e,
          );
        }
        await waitOut('broker-down', (e as Error).message);
      }
    }
  }

  /** A group without committed offsets starting from a time: set the group's offsets from the broker's time index. */
  async function applyStartTime(): Promise<void> {
    const ts = Date.parse(opts.startFrom);
    if (opts.startFrom === 'earliest' || opts.startFrom === 'latest' || Number.isNaN(ts)) return;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // On a new broker the first group call races the creation of __consumer_offsets and
      // answers "coordinator not available" / "not the correct coordinator": retriable, so retry.
      for (let attempt = 0; ; attempt++) {
        try {
          const committed = await admin.fetchOffsets({ groupId: opts.groupId, topics: [opts.topic] });
          const fresh = committed.every((t) => t.partitions.every((p) => p.offset === '-1'));
          if (!fresh) return;
          const partitions = await admin.fetchTopicOffsetsByTimestamp(opts.topic, ts);
          await admin.setOffsets({ groupId: opts.groupId, topic: opts.topic, partitions });
          return;
        } catch (e) {
          if (stopped || (e as { retriable?: boolean }).retriable !== true || attempt >= START_TIME_ATTEMPTS - 1)
            throw e;
          const wait = Math.min(CONNECT_BACKOFF_MAX_MS, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
          log.warn(
            { err: (e as Error).message, waitMs: Math.round(wait) },
            'kafka: setting the start offsets failed, retrying',
          );
          await sleep(wait);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  async function consume(deliver: RawDelivery, ready: () => void): Promise<void> {
    // stop() must not wait for kafkajs to give up connecting to a broker that is away.
    await Promise.race([connectWithBackoff(), stoppedP]);
    if (stopped) return;
    try {
      await waitForTopic();
      if (stopped) return;
      await untilDone(() => applyStartTime());
      await untilDone(() => consumer.subscribe({ topic: opts.topic, fromBeginning: opts.startFrom !== 'latest' }));
    } catch (e) {
      if (stopped) return;
      // kafkajs has already retried; what is left is usually configuration (a SASL broker reached without kafka.sasl
      // closes the connection).
      throw Errors.kafka(
        `movrec ingest: cannot subscribe to Kafka topic ${opts.topic} at ${opts.brokers.join(',')}: ` +
          `${(e as Error).message}`,
        e,
      );
    }
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      retry = 0;
      onState({ state: 'consuming', retry });
      ready();
      const join = ++joins;
      // The store, not the group, is the truth about what has been applied: resume there.
      for (const partition of e.payload.memberAssignment[opts.topic] ?? []) {
        const seek = (next: number | undefined) => {
          if (next === undefined) return;
          // A later join asked again: its answer is the one to seek to.
          if (join !== joins) return;
          // An answer that comes after the consumer left the group (a crash as the broker goes away, a stop) is
          // dropped, as the next join asks again: kafkajs throws a seek without a group, and thrown here, where
          // nothing catches it, that ended the consumer thread and the ingest with it.
          try {
            consumer.seek({ topic: opts.topic, partition, offset: String(next) });
          } catch (err) {
            log.debug(
              { err: (err as Error).message, partition, next },
              'kafka: resume answer after the group was left',
            );
          }
        };
        const next = lookup?.(kafkaStream(opts.topic, partition));
        // A line fetched before an async answer is only a repeat: the loop skips positions the store holds.
        if (next instanceof Promise)
          void next.then(seek, (err: unknown) =>
            log.warn({ err: (err as Error).message }, 'kafka: resume lookup failed'),
          );
        else seek(next);
      }
    });
    const crashed = new Promise<never>((_, reject) => {
      consumer.on(consumer.events.CRASH, (e) => {
        log.warn({ err: e.payload.error.message, restart: e.payload.restart }, 'kafka consumer failed');
        if (e.payload.restart && !stopped) {
          retry++;
          const reason = kafkaWaitReason(e.payload.error) ?? 'broker-down';
          onState({ state: 'waiting', reason, retry, detail: e.payload.error.message.slice(0, 300) });
        }
        if (!e.payload.restart && !stopped)
          reject(Errors.kafka(`kafka consumer stopped: ${e.payload.error.message}`, e.payload.error));
      });
    });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload) => {
        const n = batch.messages.length;
        if (n === 0 || !isRunning() || isStale()) return;
        const positions = new Array<number>(n);
        for (let i = 0; i < n; i++) positions[i] = Number(batch.messages[i]!.offset);
        const lag = Math.max(0, Number(batch.highWatermark) - positions[n - 1]! - 1);
        const stream = kafkaStream(batch.topic, batch.partition);
        let queued = false;
        const p = deliver({ stream, values: batch.messages.map((m) => m.value), positions, lag }).then(() => {
          queued = true;
        });
        // While the store catches up, keep the group session alive.
        while (!queued) {
          await Promise.race([p, sleep(Math.max(500, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 5)))]);
          if (!queued) await heartbeat();
        }
      },
    });
    await Promise.race([stoppedP, crashed]);
  }

  return {
    name: `kafka ${opts.topic} (group ${opts.groupId})`,
    resumeFrom(l) {
      lookup = l;
    },
    run: consume,
    async commit(stream, next) {
      const partition = Number(stream.slice(stream.lastIndexOf(':') + 1));
      try {
        await consumer.commitOffsets([{ topic: opts.topic, partition, offset: String(next) }]);
      } catch (e) {
        // A rebalance took the partition away: the store already holds the offset, the next owner resumes from it.
        log.debug({ err: (e as Error).message, stream, next }, 'kafka: offset commit skipped');
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect().catch(() => undefined);
      resolveStopped();
    },
  };
}
