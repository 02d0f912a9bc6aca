import t from 'tap';
import { startTestServer, call } from './harness';
import { ADULT, USERS, ascending, expected, movie } from './fixture';

t.test('minors and users of unknown age never get adult titles; adults do', async (t) => {
  const s = await startTestServer(t);
  const adultTitles = ADULT.map(movie);

  const minor = await call(`${s.base}/recommend/${USERS.minor.id}`);
  t.equal(minor.status, 200);
  t.same(minor.body.split(','), expected(ascending, USERS.minor, true));
  for (const a of adultTitles) t.notOk(minor.body.split(',').includes(a), `minor: ${a} filtered`);

  const unknown = await call(`${s.base}/recommend/${USERS.unknownAge.id}`);
  t.same(
    unknown.body.split(','),
    expected(ascending, USERS.unknownAge, true),
    'unknown age counts as a minor by default',
  );

  const adult = await call(`${s.base}/recommend/${USERS.adult.id}`);
  t.ok(
    adultTitles.every((a) => adult.body.split(',').includes(a)),
    'an adult sees the adult titles the model ranks high',
  );
});

t.test('with serve.unknownAgeIsMinor false, a user of unknown age is not filtered', async (t) => {
  const s = await startTestServer(t, { 'serve.unknownAgeIsMinor': false });
  const r = await call(`${s.base}/recommend/${USERS.unknownAge.id}`);
  t.same(r.body.split(','), expected(ascending, USERS.unknownAge, false));
});
