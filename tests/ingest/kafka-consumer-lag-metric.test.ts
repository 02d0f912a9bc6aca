// movrec_ingest_consumer_lag_messages reports, per stream, how many messages
// of the real broker's partition are past what ingest has committed.
import t from 'tap';
import { register } from 'prom-client';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { OFFSET_LAG } from '../../src/ingest/metrics';
import { kafkaStream } from '../../src/ingest/kafka-consumer';
import { kafkaSource } from '../../src/ingest/kafka-source';
import { openStore } from '../../src/store/store';
import { testBroker, topicWithProducer } from '../helpers/kafka';

const lagOf = async (stream: string): Promise<number | undefined> =>
  (
    (await register.getSingleMetric(OFFSET_LAG)!.get()).values as { labels: Record<string, string>; value: number }[]
  ).find((v) => v.labels.stream === stream)?.value;

t.test('the consumer lag is what the partition holds beyond the committed offset', async (t) => {
  const { topic, producer } = await topicWithProducer(t, 'movielog-lag');
  const line = (i: number) => `2022-02-08T18:00:00,${1 + (i % 50)},GET /data/m/aliens+1986/${i}.mpg`;
  await producer.send({ topic, messages: Array.from({ length: 1000 }, (_, i) => ({ value: line(i) })) });

  const dir = t.testdir();
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'ingest.batchLines': 100 } });
  const store = openStore(dir);
  t.teardown(() => store.close());
  const source = () =>
    kafkaSource({
      brokers: [testBroker()],
      topic,
      groupId: `${topic}-g`,
      clientId: 'movrec-test',
      sasl: null,
      ssl: false,
      startFrom: 'earliest',
      sessionTimeoutMs: 6000,
    });
  const stream = kafkaStream(topic, 0);

  const part = startIngest({ config, store, source: source(), maxLines: 400 });
  await part.done;
  t.equal(part.stats().linesApplied, 400);
  t.equal(await lagOf(stream), 600, 'stopped after 400 of 1000: 600 behind');

  const rest = startIngest({ config, store, source: source(), idleExitMs: 3000 });
  await rest.done;
  t.equal(rest.stats().linesApplied, 600, 'the rest, resumed from the store');
  t.equal(await lagOf(stream), 0, 'caught up');
});
