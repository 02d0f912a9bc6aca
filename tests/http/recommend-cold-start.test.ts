import t from 'tap';
import { startTestServer, call } from './harness';
import { SEGMENTS, USERS, expected } from './fixture';

t.test("unknown and thin-history users get their segment's cold-start list", async (t) => {
  const s = await startTestServer(t);

  const stranger = await call(`${s.base}/recommend/${USERS.stranger.id}`);
  t.equal(stranger.status, 200, 'a well-formed id the model never saw still gets an answer');
  t.equal(stranger.headers.get('x-answer-source'), 'cold-start');
  t.same(stranger.body.split(','), expected(SEGMENTS['unknown|unknown']!, USERS.stranger, true));

  const thin = await call(`${s.base}/recommend/${USERS.thin.id}`);
  t.equal(thin.headers.get('x-answer-source'), 'cold-start', 'one watched title is too little history to score');
  t.same(thin.body.split(','), expected(SEGMENTS['F|35-44']!, USERS.thin, false));
});
