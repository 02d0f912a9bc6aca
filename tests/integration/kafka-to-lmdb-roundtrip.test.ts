// The toolchain's ground truth: lines produced to the real broker come back
// through a kafkajs consumer and survive an LMDB write, a close and a reopen.
import t from 'tap';
import { open } from 'lmdb';
import { join } from 'node:path';
import { createTopic, testKafka, uniqueTopic } from '../helpers/kafka';

t.test('lines produced to the broker are consumed and persisted in LMDB', async (t) => {
  const topic = uniqueTopic();
  await createTopic(topic);
  const kafka = testKafka();
  const lines = Array.from(
    { length: 500 },
    (_, i) => `2022-02-08T18:06:${String(i % 60).padStart(2, '0')},${1000 + i},GET /data/m/aliens+1986/${i}.mpg`,
  );

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: lines.map((value) => ({ value })) });
  await producer.disconnect();

  const dir = t.testdir();
  const db = open<string, number>({ path: join(dir, 'db') });
  const consumer = kafka.consumer({ groupId: `${topic}-g` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${lines.length} lines arrived in 60 s`)), 60_000);
    consumer
      .run({
        eachBatch: async ({ batch, resolveOffset }) => {
          await db.transaction(() => {
            for (const m of batch.messages) db.put(Number(m.offset), m.value!.toString());
          });
          for (const m of batch.messages) resolveOffset(m.offset);
          seen += batch.messages.length;
          if (seen >= lines.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await done;
  await consumer.disconnect();
  await db.close();

  const again = open<string, number>({ path: join(dir, 'db') });
  t.equal(again.getKeysCount(), lines.length, 'every offset stored once');
  t.equal(again.get(0), lines[0]);
  t.equal(again.get(499), lines[499]);
  await again.close();
});
