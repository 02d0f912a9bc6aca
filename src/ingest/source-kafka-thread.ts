// The Kafka topic as a source, with kafkajs on a thread of its own
// (kafka-consumer-thread.ts): fetching and decoding the protocol there leaves
// the ingest thread the parsing, collapsing and LMDB work. Offsets are still
// committed only when the loop says the store holds them, and the store still
// says where a joined group resumes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Errors } from '../errors';
import { logger } from '../log';
import { packageRoot } from '../package-root';
import type { FromConsumer, ToConsumer } from './kafka-thread-messages';
import type { KafkaSourceOptions } from './source-kafka';
import type { Source } from './source';

/** The compiled consumer thread, found from src/ (ts) and dist/src/ alike. */
function threadFile(): string {
  const file = join(packageRoot(), 'dist', 'src', 'ingest', 'kafka-consumer-thread.js');
  if (!existsSync(file))
    throw Errors.config(`the Kafka consumer thread ${file} is missing: build with npx tsc -p tsconfig.build.json`);
  return file;
}

export function kafkaSource(opts: KafkaSourceOptions): Source {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let lookup: ((stream: string) => number | undefined) | undefined;
  let nextId = 0;
  const commits = new Map<number, () => void>();
  let settledRun = false;
  const send = (m: ToConsumer) => worker?.postMessage(m);

  return {
    name: `kafka ${opts.topic} (group ${opts.groupId})`,
    resumeFrom(l) {
      lookup = l;
    },
    run(push, ready) {
      return new Promise<void>((resolve, reject) => {
        const w = new Worker(threadFile(), {
          workerData: { opts, logLevel: logger().level, pretty: process.stderr.isTTY === true },
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
          if (m.t === 'batch') {
            const bytes = Buffer.from(m.bytes);
            const lines = new Array<string>(m.ends.length);
            for (let i = 0, at = 0; i < lines.length; at = m.ends[i++]!)
              lines[i] = bytes.toString('utf8', at, m.ends[i]);
            push({ stream: m.stream, lines, positions: Array.from(m.positions), lag: m.lag }).then(
              () => send({ t: 'ack', id: m.id }),
              (e: unknown) => finish(e as Error),
            );
          } else if (m.t === 'lookup') send({ t: 'lookup', id: m.id, next: lookup?.(m.stream) ?? null });
          else if (m.t === 'committed') {
            commits.get(m.id)?.();
            commits.delete(m.id);
          } else if (m.t === 'ready') ready();
          else if (m.t === 'done') finish();
          else finish(m.code === 'MOVREC_ERR_KAFKA' ? Errors.kafka(m.message) : new Error(m.message));
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
        send({ t: 'commit', id, stream, next });
      });
    },
    async stop() {
      send({ t: 'stop' });
      await exited;
    },
  };
}
