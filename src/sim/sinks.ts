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
      if (lines.length > 0) writeSync(fd, lines.join('\n') + '\n');
    },
    async close() {
      closeSync(fd);
    },
  };
}

export function streamSink(stream: NodeJS.WritableStream, end = true): LineSink {
  return {
    async write(lines) {
      if (lines.length > 0 && !stream.write(lines.join('\n') + '\n')) await once(stream, 'drain');
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
  /** Batches in flight at once. */
  inFlight?: number;
}

const KAFKA_SLICE = 4000;

/** Produces each line as one message value; several batches in flight, acks from the leader. */
export async function kafkaSink(opts: KafkaSinkOptions): Promise<LineSink> {
  const kafka = new Kafka({ clientId: opts.clientId ?? 'movrec-sim', brokers: opts.brokers, logLevel: logLevel.NOTHING });
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const limit = opts.inFlight ?? 4;
  const pending = new Set<Promise<unknown>>();
  let failure: unknown = null;
  return {
    async write(lines) {
      if (failure) throw failure;
      // One send per slice: a whole batch in one record batch would pass the broker's 1 MB message limit.
      for (let i = 0; i < lines.length; i += KAFKA_SLICE) {
        const slice = lines.slice(i, i + KAFKA_SLICE);
        const p = producer
          .send({ topic: opts.topic, acks: 1, messages: slice.map((value) => ({ value })) })
          .catch((e: unknown) => {
            failure ??= e;
          })
          .finally(() => pending.delete(p));
        pending.add(p);
        while (pending.size >= limit) await Promise.race(pending);
        if (failure) throw failure;
      }
    },
    async close() {
      await Promise.all(pending);
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
