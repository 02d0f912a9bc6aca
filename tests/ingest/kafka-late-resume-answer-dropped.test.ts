// A group join asks the store where to resume, and the answer may come late (on the consumer thread it crosses to
// the ingest thread and back, which a loaded machine delays). When the consumer has left the group by then (a
// crash as the broker goes away, a stop), the answer is dropped: the next join asks again. Seeking with it threw
// where nothing caught it, and that unhandled rejection ended the consumer thread and with it `movrec ingest`.
import t from 'tap';
import { kafkaConsumerSource } from '../../src/ingest/kafka-consumer';
import { testBroker, topicWithProducer } from '../helpers/kafka';

t.test('a resume answer that arrives after the group was left is dropped', { timeout: 60_000 }, async (t) => {
  const { topic, producer } = await topicWithProducer(t, 'late-resume');
  await producer.send({ topic, messages: [{ value: 'one line' }] });
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  const source = kafkaConsumerSource({
    brokers: [testBroker()],
    topic,
    groupId: `g-${topic}`,
    clientId: 'late-resume',
    sasl: null,
    ssl: false,
    startFrom: 'earliest',
    sessionTimeoutMs: 6000,
  });
  let answer!: (next: number | undefined) => void;
  const asked = new Promise<string>((resolve) =>
    source.resumeFrom((stream) => {
      resolve(stream);
      return new Promise<number | undefined>((r) => (answer = r));
    }),
  );
  let fetched!: () => void;
  const delivered = new Promise<void>((resolve) => (fetched = resolve));
  const run = source.run(
    async () => fetched(),
    () => undefined,
  );
  t.equal(await asked, `kafka:${topic}:0`, 'the group join asks where its partition resumes');
  // Stopped once fetching: kafkajs stopped in the middle of its join leaves a socket open (this process would not end).
  await delivered;
  await source.stop();
  await run;
  answer(1);
  // The answer's handlers run on the next turns of the event loop.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  t.same(
    unhandled.map((e) => String(e)),
    [],
    'the late answer raised nothing',
  );
});
