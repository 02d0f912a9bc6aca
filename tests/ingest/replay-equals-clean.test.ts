// Replaying any part of the stream, from a file or from Kafka, in batches of
// any size, ends in the same state as one clean pass.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { kafkaSource } from '../../src/ingest/kafka-source';
import type { Source } from '../../src/ingest/source';
import { stateDigest } from '../../src/store/digest';
import { openStore, storeTables } from '../../src/store/store';
import { createTopic, testBroker, testKafka, uniqueTopic } from '../helpers/kafka';
import { historyLines } from '../helpers/ingest-lines';

async function ingestInto(dir: string, source: Source, batchLines: number, maxLines?: number) {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'ingest.batchLines': batchLines } });
  const store = openStore(dir);
  try {
    const h = startIngest({ config, store, source, ...(maxLines !== undefined ? { maxLines } : {}), idleExitMs: 3000 });
    await h.done;
    return { stats: h.stats(), digest: stateDigest(storeTables(store)) };
  } finally {
    await store.close();
  }
}

t.test('replays equal a clean pass', async (t) => {
  const lines = await historyLines(6000);
  const root = t.testdir();
  const file = join(root, 'stream.lines');
  writeFileSync(file, `${lines.join('\n')}\n`);

  const clean = await ingestInto(join(root, 'clean'), fileSource({ path: file, batchLines: 20000 }), 20000);
  t.equal(clean.stats.linesApplied, lines.length, 'the clean pass applies every line');

  const fileDir = join(root, 'file-replay');
  const part = await ingestInto(fileDir, fileSource({ path: file, batchLines: 97 }), 97, 2500);
  t.equal(part.stats.linesApplied, 2500, 'a bounded run stops at --max-lines');
  t.not(part.digest, clean.digest, 'a partial state differs');
  const rest = await ingestInto(fileDir, fileSource({ path: file, batchLines: 331 }), 331);
  t.equal(rest.stats.linesSkipped, 2500, 'the lines already stored are skipped');
  t.equal(rest.stats.linesApplied, lines.length - 2500);
  t.equal(rest.digest, clean.digest, 'file: partial run + full replay = clean');
  const again = await ingestInto(fileDir, fileSource({ path: file, batchLines: 5000 }), 5000);
  t.equal(again.stats.linesApplied, 0, 'a third pass applies nothing');
  t.equal(again.digest, clean.digest, 'and changes nothing');

  const topic = uniqueTopic('movielog-replay');
  await createTopic(topic);
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({ topic, messages: lines.map((value) => ({ value })) });
  await producer.disconnect();
  const kafka = (group: string) =>
    kafkaSource({
      brokers: [testBroker()],
      topic,
      groupId: group,
      clientId: 'replay-test',
      sasl: null,
      ssl: false,
      startFrom: 'earliest',
    });
  const kafkaDir = join(root, 'kafka-replay');
  const first = await ingestInto(kafkaDir, kafka(`${topic}-a`), 250, 1700);
  t.equal(first.stats.linesApplied, 1700);
  // A new group starts from the beginning of the topic: the store, not the group, decides what is new.
  const second = await ingestInto(kafkaDir, kafka(`${topic}-b`), 777);
  t.equal(second.stats.linesApplied, lines.length - 1700, 'only the lines the store lacked are applied');
  t.equal(second.digest, clean.digest, 'kafka: partial run + replay under a new group = clean file pass');
});
