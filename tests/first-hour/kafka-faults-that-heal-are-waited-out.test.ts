// Which kafkajs failures are waited out (with backoff and jitter) and which
// stop ingest: read from kafkajs's own error objects, wrapped as kafkajs
// wraps them after its retries.
import t from 'tap';
import { kafkaWaitReason, retryDelayMs } from '../../src/ingest/kafka-fault';

// kafkajs's internals, as its consumer throws them (no public export of the protocol codes).
const errors = require('kafkajs/src/errors') as Record<string, new (...a: unknown[]) => Error>;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error;
};

const exhausted = (e: Error) => new errors.KafkaJSNumberOfRetriesExceeded!(e, { retryCount: 12, retryTime: 30000 });

t.test('faults that heal with time are waited out, by reason', async (t) => {
  t.equal(kafkaWaitReason(createErrorFromCode(3)), 'topic-missing', 'UNKNOWN_TOPIC_OR_PARTITION');
  t.equal(kafkaWaitReason(exhausted(createErrorFromCode(3))), 'topic-missing', 'also after kafkajs gave up retrying');
  t.equal(kafkaWaitReason(createErrorFromCode(5)), 'leader-unavailable', 'LEADER_NOT_AVAILABLE');
  t.equal(kafkaWaitReason(createErrorFromCode(15)), 'coordinator-unavailable', 'COORDINATOR_NOT_AVAILABLE');
  t.equal(kafkaWaitReason(createErrorFromCode(16)), 'coordinator-unavailable', 'NOT_COORDINATOR');
  const refused = new errors.KafkaJSConnectionError!('Connection error: connect ECONNREFUSED 127.0.0.1:9', {
    broker: '127.0.0.1:9',
    code: 'ECONNREFUSED',
  });
  t.equal(kafkaWaitReason(exhausted(refused)), 'broker-down', 'a broker that refuses connections');
});

t.test('faults that waiting does not heal stop ingest', async (t) => {
  t.equal(kafkaWaitReason(new errors.KafkaJSSASLAuthenticationError!('SASL PLAIN authentication failed')), null);
  // A listener that accepts the connection and closes it on the first request wants SASL: waiting does not help.
  t.equal(kafkaWaitReason(exhausted(new errors.KafkaJSConnectionClosedError!('Closed connection'))), null);
  t.equal(kafkaWaitReason(createErrorFromCode(29)), null, 'TOPIC_AUTHORIZATION_FAILED');
});

t.test('the waits grow exponentially to the cap, with jitter', async (t) => {
  const low = () => 0;
  const high = () => 0.999999;
  t.same(
    [0, 1, 2, 3].map((r) => retryDelayMs(r, 10_000, high)),
    [250, 500, 1000, 2000],
    'doubling',
  );
  t.same(
    [0, 1, 2, 3].map((r) => retryDelayMs(r, 10_000, low)),
    [125, 250, 500, 1000],
    'jitter down to half',
  );
  t.equal(retryDelayMs(40, 10_000, high), 10_000, 'capped, however many retries');
});
