// The real broker that `npm test` started (or that MOVREC_TEST_KAFKA names).
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';

export function testBroker(): string {
  const b = process.env.MOVREC_TEST_KAFKA;
  if (!b)
    throw new Error(
      'MOVREC_TEST_KAFKA is not set: run the tests with `npm test`, which starts a broker, or point it at one',
    );
  return b;
}

export function testKafka(clientId = 'movrec-test'): Kafka {
  return new Kafka({ clientId, brokers: [testBroker()], logLevel: logLevel.NOTHING });
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix = 'movielog-test'): string {
  return `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
}

export async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** A fresh topic and a connected producer for it, disconnected when the test ends. */
export async function topicWithProducer(
  t: { teardown(fn: () => unknown): void },
  prefix: string,
): Promise<{ topic: string; producer: Producer }> {
  const topic = uniqueTopic(prefix);
  await createTopic(topic);
  const producer = testKafka().producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  return { topic, producer };
}
