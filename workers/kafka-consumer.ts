// The Kafka consumer's thread (started by src/ingest/kafka-source.ts): kafkajs
// fetches and decodes here, so the ingest thread spends its time on parsing,
// collapsing and LMDB. A batch crosses as one transferred buffer of the
// values' bytes with their end offsets: a structured clone of thousands of
// small strings would cost the ingest thread about what it saves.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../src/log';
import { kafkaConsumerSource, type RawDelivery } from '../src/ingest/kafka-consumer';
import type { FromConsumer, KafkaConsumerData, ToConsumer } from '../src/ingest/kafka-messages';

const data = workerData as KafkaConsumerData;
createLogger(data.logLevel, data.pretty);
const port = parentPort!;
const post = (m: FromConsumer, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// Batches sent but not yet taken by the loop: up to CREDITS in flight, so the
// next fetch and decode overlap the ingest thread's work on the last one (an
// ack that waits for the ingest thread's event loop would idle both threads).
// The loop's own backpressure holds the acks back when its queue is full.
const CREDITS = 4;
let unacked = 0;
const waiting: (() => void)[] = [];
let nextId = 0;
const lookups = new Map<number, (next: number | undefined) => void>();

const source = kafkaConsumerSource(data.opts, (state) => post({ kind: 'state', state }));

const deliver: RawDelivery = ({ stream, values, positions, lag }) => {
  const id = nextId++;
  const ends = new Int32Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) ends[i] = total += values[i]?.length ?? 0;
  const bytes = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) if (values[i]) bytes.set(values[i]!, i === 0 ? 0 : ends[i - 1]!);
  const at = Float64Array.from(positions);
  post({ kind: 'batch', id, stream, bytes: bytes.buffer, ends, positions: at, lag }, [
    bytes.buffer,
    ends.buffer,
    at.buffer,
  ]);
  return ++unacked < CREDITS ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve));
};

source.resumeFrom((stream) => {
  const id = nextId++;
  return new Promise<number | undefined>((resolve) => {
    lookups.set(id, resolve);
    post({ kind: 'lookup', id, stream });
  });
});

port.on('message', (m: ToConsumer) => {
  switch (m.kind) {
    case 'ack':
      unacked--;
      waiting.shift()?.();
      return;
    case 'lookup':
      lookups.get(m.id)?.(m.next ?? undefined);
      lookups.delete(m.id);
      return;
    case 'commit':
      // The source logs and swallows a commit the group refuses: the store holds the position anyway.
      void source.commit(m.stream, m.next).finally(() => post({ kind: 'committed', id: m.id }));
      return;
    case 'stop':
      void source.stop();
      return;
    default:
      return m satisfies never;
  }
});

source
  .run(deliver, () => post({ kind: 'ready' }))
  .then(
    () => post({ kind: 'done' }),
    (e: unknown) => post({ kind: 'error', message: (e as Error).message, code: (e as { code?: string }).code }),
  );
