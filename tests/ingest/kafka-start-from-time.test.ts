// A new consumer group given --start <ISO time> begins at the first message
// the broker logged at or after that time.
import t from 'tap';
import { movrec } from '../helpers/cli';
import { testBroker, topicWithProducer } from '../helpers/kafka';

t.test('--start ISO skips what came before', async (t) => {
  const { topic, producer } = await topicWithProducer(t, 'movielog-start');
  const line = (i: number) => `2022-02-08T18:00:00,${1 + i},GET /data/m/aliens+1986/${i % 100}.mpg`;
  await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ value: line(i) })) });
  await new Promise((r) => setTimeout(r, 1500));
  const cut = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 200));
  await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ value: line(1000 + i) })) });

  const dir = t.testdir();
  const args = ['--data-dir', dir, '--kafka', testBroker(), '--topic', topic, '--idle-exit-ms', '3000'];
  const late = movrec(['ingest', ...args, '--group', `${topic}-late`, '--start', cut]);
  t.equal(late.status, 0, late.stderr);
  const r = JSON.parse(movrec(['report', 'data', '--json', '--data-dir', dir]).stdout);
  t.equal(r.lines, 200, 'only the lines after the cut');
  t.equal(r.users, 200);

  const bad = movrec(['ingest', ...args, '--group', `${topic}-bad`, '--start', 'soon']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /kafka\.startFrom must be earliest, latest or an ISO time/);
});
