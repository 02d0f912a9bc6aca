// The Kafka topic as the ingest loop's Source, on the ingest side, with kafkajs
// on a thread of its own (workers/kafka-consumer.ts): fetching and decoding the
// protocol there leaves the ingest thread the parsing, collapsing and LMDB
// work. Offsets are still committed only when the loop says the store holds
// them, and the store still says where a joined group resumes.
import { Worker } from 'node:worker_threads';
import { Errors } from '../errors';
import { logger } from '../log';
import { workerEntry } from '../package-root';
import type { FromConsumer, KafkaConsumerData, KafkaSourceOptions, ToConsumer } from './kafka-messages';
import { kafkaStateReport } from './kafka-state-report';
import type { Source } from './source';

export type { KafkaSourceOptions } from './kafka-messages';

export function kafkaSource(opts: KafkaSourceOptions): Source {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let lookup: ((stream: string) => number | undefined) | undefined;
  let nextId = 0;
  const commits = new Map<number, () => void>();
  let settledRun = false;
  const send = (m: ToConsumer) => worker?.postMessage(m);
  const report = kafkaStateReport(opts.topic, opts.brokers.join(','));

  return {
    name: `kafka ${opts.topic} (group ${opts.groupId})`,
    resumeFrom(l) {
      lookup = l;
    },
    run(push, ready) {
      return new Promise<void>((resolve, reject) => {
        const w = new Worker(workerEntry('kafka-consumer', 'the Kafka consumer thread'), {
          workerData: {
            opts,
            logLevel: logger().level as KafkaConsumerData['logLevel'],
            pretty: process.stderr.isTTY === true,
          } satisfies KafkaConsumerData,
        });
        worker = w;
        exited = new Promise((r) => w.once('exit', () => r()));
        const finish = (e?: Error) => {
          if (settledRun) return;
          settledRun = true;
          // A commit the thread can no longer make is one the next run repeats: the store holds the position.
          for (const done of commits.values()) done();
          commits.clear();
          void w.terminate();
          if (e) reject(e);
          else resolve();
        };
        w.on('message', (m: FromConsumer) => {
          switch (m.kind) {
            case 'batch': {
              const bytes = Buffer.from(m.bytes);
              const lines = new Array<string>(m.ends.length);
              for (let i = 0, at = 0; i < lines.length; at = m.ends[i++]!)
                lines[i] = bytes.toString('utf8', at, m.ends[i]);
              push({ stream: m.stream, lines, positions: Array.from(m.positions), lag: m.lag }).then(
                () => send({ kind: 'ack', id: m.id }),
                (e: unknown) => finish(e as Error),
              );
              return;
            }
            case 'lookup':
              send({ kind: 'lookup', id: m.id, next: lookup?.(m.stream) ?? null });
              return;
            case 'committed':
              commits.get(m.id)?.();
              commits.delete(m.id);
              return;
            case 'state':
              report.update(m.state);
              return;
            case 'ready':
              ready();
              return;
            case 'done':
              finish();
              return;
            case 'error':
              finish(m.code === 'MOVREC_ERR_KAFKA' ? Errors.kafka(m.message) : new Error(m.message));
              return;
            default:
              return m satisfies never;
          }
        });
        w.on('error', (e) => finish(e));
        w.on('exit', (code) =>
          finish(code === 0 ? undefined : new Error(`the Kafka consumer thread exited with code ${code}`)),
        );
      });
    },
    commit(stream, next) {
      // After the thread is gone (stopped, or a --max-lines cut) a commit is one the next run
      // need not make: the store holds the position and says where to resume.
      if (!worker || settledRun) return Promise.resolve();
      const id = nextId++;
      return new Promise<void>((resolve) => {
        commits.set(id, resolve);
        send({ kind: 'commit', id, stream, next });
      });
    },
    state: () => (report.consuming() ? null : report.describe()),
    async stop() {
      send({ kind: 'stop' });
      await exited;
    },
  };
}
