// Where stream lines go: a file, stdout, any writable stream, or a Kafka topic (kafkajs), in batches, optionally paced.
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { Kafka, logLevel, type Producer } from 'kafkajs';

export interface LineSink {
  /** Takes a batch of lines (no newlines); a returned promise means "wait before the next batch". */
  write(lines: string[]): void | Promise<void>;
  close(): Promise<void>;
}

/** A file (synchronous big writes: the fastest path), or `-` for stdout. */
export function fileSink(path: string): LineSink {
  if (path === '-') return streamSink(process.stdout, false);
  const fd = openSync(path, 'w');
  return {
    write(lines) {
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
    },
    async close() {
      closeSync(fd);
    },
  };
}

export function streamSink(stream: NodeJS.WritableStream, end = true): LineSink {
  return {
    async write(lines) {
      if (lines.length > 0 && !stream.write(`${lines.join('\n')}\n`)) await once(stream, 'drain');
    },
    async close() {
      if (!end) return;
      await new Promise<void>((resolve) => stream.end(resolve));
    },
  };
}

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** Slices of lines queued for sending before write() waits. */
  inFlight?: number;
}

// A record batch must stay under the broker's 1 MB limit, and kafkajs groups a send's messages by
// partition in time quadratic in their number: slices keep both small.
const KAFKA_SLICE = 2000;

/**
 * Produces each line as one message value, acked by the leader. Sends go one at a time so the
 * topic keeps the lines' order; up to `inFlight` slices wait queued while the generator runs on.
 */
export async function kafkaSink(opts: KafkaSinkOptions): Promise<LineSink> {
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'movrec-sim',
    brokers: opts.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
  await producer.connect();
  const limit = opts.inFlight ?? 16;
  let queued = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const waiters: (() => void)[] = [];
  return {
    async write(lines) {
      if (failure) throw failure;
      for (let i = 0; i < lines.length; i += KAFKA_SLICE) {
        const messages = lines.slice(i, i + KAFKA_SLICE).map((value) => ({ value }));
        queued++;
        chain = chain.then(async () => {
          try {
            if (!failure) await producer.send({ topic: opts.topic, acks: 1, messages });
          } catch (e) {
            failure ??= e;
          } finally {
            queued--;
            waiters.shift()?.();
          }
        });
        while (queued >= limit) await new Promise<void>((r) => waiters.push(r));
        if (failure) throw failure;
      }
    },
    async close() {
      await chain;
      await producer.disconnect();
      if (failure) throw failure;
    },
  };
}

/** Holds a sink to `rate` lines per second (steady: waits whenever it runs ahead of the schedule). */
export function pacedSink(inner: LineSink, rate: number): LineSink {
  const t0 = performance.now();
  let sent = 0;
  return {
    async write(lines) {
      sent += lines.length;
      const due = t0 + (sent / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      await inner.write(lines);
    },
    close: () => inner.close(),
  };
}
