import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { createTopic, testBroker, testKafka, uniqueTopic } from '../helpers/kafka';

t.test('--history N --kafka produces the same N lines, one message each, in order', async (t) => {
  const topic = uniqueTopic('movielog-sim');
  await createTopic(topic);
  const common = ['sim', '--seed', '4', '--users', '300', '--movies', '500', '--history', '3000'];
  const r = movrec([...common, '--kafka', testBroker(), '--topic', topic]);
  t.equal(r.status, 0, r.stderr);
  const file = join(t.testdir(), 'h.log');
  t.equal(movrec([...common, '--out', file]).status, 0);
  const expected = readFileSync(file, 'utf8').trim().split('\n');

  const consumer = testKafka().consumer({ groupId: `${topic}-reader` });
  t.teardown(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} messages arrived`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString('utf8'));
        if (got.length === expected.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  t.same(got, expected);
});
