// serve --kafka started before its topic exists waits for it, visibly (state
// gauge, retries counter, one log line per state change, /readyz saying why),
// and consumes every line once the topic is created and written.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../http/harness';
import { createTopic, testBroker, testKafka, uniqueTopic } from '../helpers/kafka';
import { movrec } from '../helpers/cli';
import { eventually, spawnServe } from '../serve/spawn-serve';

const LINES = 300;
/** How long the topic stays missing: long enough for several backoff rounds (cap 1 s here). */
const ABSENT_MS = 8000;

t.test('a topic created after serve started: waited for with backoff, then every line arrives', async (t) => {
  const root = t.testdir();
  const dataDir = join(root, 'data');
  const config = join(root, 'cfg.json');
  const topic = uniqueTopic('movielog-late');
  // A group of its own: tests share the broker, and one group over two topics rebalances both.
  writeFileSync(config, JSON.stringify({ kafka: { retryMaxMs: 1000, sessionTimeoutMs: 6000, groupId: `g-${topic}` } }));
  const s = await spawnServe(t, dataDir, ['--kafka', testBroker(), '--topic', topic, '--config', config]);

  const waiting = await eventually(async () => {
    const r = await call(`${s.base}/readyz`);
    const m = /ingest: waiting for topic (\S+) \(retry (\d+)\)/.exec(r.body);
    return m && Number(m[2]) >= 2 ? { r, m } : undefined;
  }, 400);
  t.ok(waiting, '/readyz says ingest waits for the topic, with the retry count');
  t.equal(waiting?.r.status, 503, 'and is not ready meanwhile');
  t.equal(waiting?.m[1], topic, 'naming the topic');
  const m1 = (await call(`${s.base}/metrics`)).body;
  t.match(m1, /movrec_ingest_kafka_state\{state="topic-missing"\} 1/, 'the state gauge says topic-missing');
  t.match(m1, /movrec_ingest_kafka_state\{state="consuming"\} 0/);
  t.match(m1, /movrec_ingest_kafka_retries_total\{reason="topic-missing"\} [1-9]/, 'retries are counted');

  await new Promise((r) => setTimeout(r, ABSENT_MS));
  // Fails if the consumer had created the topic itself (the broker allows auto-creation).
  await createTopic(topic);
  const producer = testKafka().producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: LINES }, (_, i) => ({
      value:
        `2022-03-01T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},` +
        `${1000 + i},GET /data/m/movie+${i % 17}+1990/${i % 50}.mpg`,
    })),
  });
  await producer.disconnect();

  const consumed = await eventually(async () => {
    const m = (await call(`${s.base}/metrics`)).body;
    const n = /movrec_ingest_lines_consumed_total\{kind="watch"\} (\d+)/.exec(m);
    return n && Number(n[1]) === LINES ? m : undefined;
  }, 1200);
  t.ok(consumed, `all ${LINES} lines were consumed`);
  t.match(consumed ?? '', /movrec_ingest_kafka_state\{state="consuming"\} 1/, 'the state gauge says consuming');
  t.match(consumed ?? '', /movrec_ingest_kafka_state\{state="topic-missing"\} 0/);
  const ready = await call(`${s.base}/readyz`);
  t.notMatch(ready.body, /ingest:/, `/readyz no longer mentions ingest: ${ready.body.trim()}`);

  const logs = s.logs().map((r) => String(r.msg));
  t.equal(logs.filter((m) => m.startsWith('kafka: waiting for topic')).length, 1, 'one log line for the wait');
  t.equal(logs.filter((m) => m.startsWith('kafka: consuming')).length, 1, 'one log line when it consumes');

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
  const report = movrec(['report', 'data', '--json', '--data-dir', dataDir]);
  t.equal(report.status, 0, report.stderr);
  t.equal(JSON.parse(report.stdout).lines, LINES, 'the store holds every line');
});
