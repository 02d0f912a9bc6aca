import t from 'tap';
import { startTestServer, call } from './harness';
import { USERS, ascending, expected, movie } from './fixture';

t.test('an answer never holds a title the user already watched or rated', async (t) => {
  const s = await startTestServer(t);
  const u = USERS.adult;
  const r = await call(`${s.base}/recommend/${u.id}`);
  t.equal(r.status, 200);
  t.equal(r.headers.get('x-answer-source'), 'model');
  const ids = r.body.split(',');
  for (const i of u.seen) t.notOk(ids.includes(movie(i)), `seen ${movie(i)} left out`);
  t.same(ids, expected(ascending, u, false), 'the model order minus seen titles, best first');
});
