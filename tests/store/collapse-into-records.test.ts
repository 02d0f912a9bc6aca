// A small stream lands as one record per (user, movie): watch extent and
// minutes, latest rating with its history, request telemetry, counts.
import t from 'tap';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { dataReport } from '../../src/ingest/report';
import { openStore, storeTables } from '../../src/store/store';
import { minutesSeen, requestContentHash, type RequestValue } from '../../src/store/tables';

const FIXTURE = join(__dirname, '..', 'fixtures', 'ingest-sample.lines');
const utc = (iso: string) => Date.parse(`${iso}Z`);

t.test('the sample stream collapses into the expected records', async (t) => {
  const dir = t.testdir();
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'ingest.batchLines': 4 } });
  const store = openStore(dir);
  t.teardown(() => store.close());
  const h = startIngest({ config, store, source: fileSource({ path: FIXTURE, batchLines: 4 }) });
  await h.done;
  t.equal(h.stats().linesApplied, 17);
  const tb = storeTables(store);

  const w = tb.watches.get([10, 'aliens+1986'])!;
  t.equal(w[0], utc('2022-02-08T18:05:00'), 'first is the earliest time, though it came last');
  t.equal(w[1], utc('2022-02-08T18:08:56'), 'last is the latest time');
  t.equal(w[2], 9, 'furthest minute');
  t.equal(minutesSeen(w[3]), 4, 'minutes 0, 1, 2, 9: the duplicate counted once');

  const r = tb.ratings.get([10, 'aliens+1986'])!;
  t.equal(r[0], 5, 'latest by event time wins, not latest in the stream');
  t.same(
    r[2],
    [utc('2022-02-08T19:00:00'), 3, utc('2022-02-08T20:00:00'), 4, utc('2022-02-09T19:00:00'), 5],
    'history ordered by time',
  );
  t.same(tb.movieRatings.get(['aliens+1986', 10]), [5, utc('2022-02-09T19:00:00')], 'mirrored per movie');

  const ok: RequestValue = [200, 45, 'h:8082', 'aliens+1986,amlie+2001'];
  t.same(tb.requests.get([utc('2022-02-08T20:03:00.500'), 11, requestContentHash(ok)]), ok);
  t.match(
    [...tb.requests.getRange({ start: [utc('2022-02-08T20:04:00'), 12], end: [utc('2022-02-08T20:04:00'), 13] })].map(
      (e) => e.value,
    ),
    [[0, 800, 'h:8082', /Connection refused/]],
  );

  t.same(store.seenMovies(10), ['aliens+1986']);
  t.same(store.seenMovies(11).sort(), ['black+cat_+white+cat+1998', 'cheech++chong+get+out+of+my+room+1985']);
  t.same(store.seenMovies(99), []);
  t.equal(store.userInfo(10), null, 'no catalog configured');

  const rep = dataReport(store);
  t.equal(rep.lines, 17);
  t.same(rep.kinds, { watch: 7, rate: 4, request: 2, account: 1 });
  t.same(Object.fromEntries(Object.entries(rep.rejects).map(([k, v]) => [k, v.count])), {
    'rating-out-of-range': 1,
    malformed: 2,
  });
  t.same(rep.rejects.malformed!.examples, ['2022-02-08T20:05:00,12,GET /data/m/amlie+2001', 'garbage']);
  t.same(rep.collapse, { watchLines: 7, watchRecords: 2, ratio: 1 - 2 / 7 });
  t.equal(rep.users, 3);
  t.same(rep.perDay, { '2022-02-08': 13, '2022-02-09': 1 });

  const ds = store.readSnapshot();
  t.same([...ds.userIds], [10, 11]);
  t.equal(ds.ratings.value.length, 2);
  t.equal(ds.watches.fraction.length, 2);
  t.ok(ds.watches.fraction[0]! > 0 && ds.watches.fraction[0]! <= 1, 'a fraction of the fallback runtime');
  const windowed = store.readSnapshot({ windowDays: 0.5 });
  t.same([...windowed.userIds], [10], 'a half-day window keeps only the late rating');
  t.equal(windowed.ratings.value[0], 5);
});
