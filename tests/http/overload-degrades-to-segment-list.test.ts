import t from 'tap';
import { startTestServer, call } from './harness';
import { ADULT, USERS, movie } from './fixture';

t.test(
  'when the scoring queue is longer than serve.maxQueue, answers come from the segment list, counted as degraded',
  async (t) => {
    const s = await startTestServer(t, { 'serve.maxQueue': 1 });
    const u = USERS.minor;
    const answers = await Promise.all(Array.from({ length: 200 }, () => call(`${s.base}/recommend/${u.id}`)));
    t.ok(
      answers.every((a) => a.status === 200),
      'every request still gets a 200',
    );
    const degraded = answers.filter((a) => a.headers.get('x-answer-source') === 'degraded');
    t.ok(degraded.length > 0, `${degraded.length} of 200 answers degraded`);
    for (const a of degraded) {
      const ids = a.body.split(',');
      t.ok(ids.length > 0 && ids.length <= 20);
      t.notOk(
        ids.some((id) => u.seen.map(movie).includes(id) || ADULT.map(movie).includes(id)),
        'a degraded answer still leaves out seen and adult titles',
      );
    }
    const m = (await call(`${s.base}/metrics`)).body;
    const reason = (r: string) =>
      Number(new RegExp(`^movrec_http_degraded_total\\{reason="${r}"\\} (\\d+)$`, 'm').exec(m)?.[1] ?? 0);
    t.ok(reason('queue') > 0, 'degraded because the queue was too long');
    t.equal(reason('queue') + reason('deadline'), degraded.length, 'each degraded answer is counted with its reason');
  },
);

t.test('an answer that would miss serve.deadlineMs is answered from the segment list instead', async (t) => {
  const s = await startTestServer(t, { 'serve.deadlineMs': 1, 'serve.maxQueue': 100000 });
  // Counters are per process: the test before may have counted deadline answers too.
  const deadlineCount = async () =>
    Number(
      /^movrec_http_degraded_total\{reason="deadline"\} (\d+)$/m.exec((await call(`${s.base}/metrics`)).body)?.[1] ?? 0,
    );
  const before = await deadlineCount();
  const answers = await Promise.all(Array.from({ length: 200 }, () => call(`${s.base}/recommend/${USERS.adult.id}`)));
  t.ok(
    answers.every((a) => a.status === 200),
    'every request still gets a 200',
  );
  const degraded = answers.filter((a) => a.headers.get('x-answer-source') === 'degraded').length;
  t.ok(degraded > 0, `${degraded} of 200 answers degraded on the deadline`);
  t.equal((await deadlineCount()) - before, degraded);
});
