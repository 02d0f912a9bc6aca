// The course deployment: movrec serve consumes the topic itself while it serves.
import t from 'tap';
import { call } from '../http/harness';
import { MODEL_A, USERS, addModel, fillStore, movie } from '../http/fixture';
import { createTopic, testBroker, testKafka, uniqueTopic } from '../helpers/kafka';
import { eventually, spawnServe } from './spawn-serve';

t.test(
  'movrec serve --kafka --topic ingests from the broker: a title watched now leaves the next answer',
  async (t) => {
    const dataDir = t.testdir();
    await fillStore(dataDir);
    addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
    const topic = uniqueTopic('movielog-serve');
    await createTopic(topic);
    const s = await spawnServe(t, dataDir, ['--kafka', testBroker(), '--topic', topic]);
    const u = USERS.adult;
    const before = (await call(`${s.base}/recommend/${u.id}`)).body.split(',');
    t.equal(before[0], movie(1), 'the best unseen title first');

    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { value: `2026-01-05T10:00:00,${u.id},GET /data/m/${movie(1)}/1.mpg` },
        { value: `2026-01-05T10:01:00,${u.id},GET /rate/${movie(5)}=4` },
      ],
    });
    await producer.disconnect();

    const after = await eventually(async () => {
      const ids = (await call(`${s.base}/recommend/${u.id}`)).body.split(',');
      return ids.includes(movie(1)) ? undefined : ids;
    });
    t.ok(after, 'the watched title disappeared from the answer');
    t.notOk(after?.includes(movie(5)), 'and so did the rated one');
    const metrics = (await call(`${s.base}/metrics`)).body;
    t.match(metrics, /movrec_ingest_lines_consumed_total\{[^}]*\} [1-9]/, 'the lines were counted by ingest');

    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null }, 'the consumer stops with the server');
  },
);
