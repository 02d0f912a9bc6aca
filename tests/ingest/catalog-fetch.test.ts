// Users and movies seen in the stream are looked up in the simulator's
// catalog API despite its rate limit (429s are retried), its mixed types are
// read right, and its 404s are recorded as unknown: events kept, flagged, and
// left out of training.
import t from 'tap';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { CATALOG } from '../../src/ingest/metrics';
import { dataReport } from '../../src/ingest/report';
import { fileSource } from '../../src/ingest/source-file';
import { createWorld, movieRecord, startCatalogApi, userRecord } from '../../src/sim';
import { openStore, storeTables } from '../../src/store/store';
import { historyLines } from '../helpers/ingest-lines';

const WORLD = { seed: 5, users: 60, movies: 50 };

async function catalogCount(outcome: string): Promise<number> {
  const m = await register.getSingleMetric(CATALOG)!.get();
  return m.values.filter((v) => v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);
}

for (const bulkSize of [1, 25]) {
  t.test(
    `catalog lookups through the rate limit, ${bulkSize === 1 ? 'one id per request' : `${bulkSize} ids per request`}`,
    async (t) => {
      const world = createWorld(WORLD);
      // The API allows 10 requests/s; we ask for 40/s so that its limit bites.
      const api = await startCatalogApi(world, { port: 0, ratePerSecond: 10 });
      t.teardown(() => api.close());
      const root = t.testdir();
      const file = join(root, 'stream.lines');
      writeFileSync(file, `${(await historyLines(3000, { ...WORLD, spuriousRate: 0 })).join('\n')}\n`);
      appendFileSync(
        file,
        [
          '2022-03-01T00:00:00,999999,GET /data/m/no+such+movie+1900/0.mpg',
          '2022-03-01T00:01:00,999999,GET /rate/no+such+movie+1900=4',
          '',
        ].join('\n'),
      );

      const config = loadConfig({
        env: {},
        overrides: {
          dataDir: root,
          'catalog.baseUrl': `http://127.0.0.1:${api.port}`,
          'catalog.ratePerSecond': 40,
          'catalog.retries': 20,
          'catalog.bulkSize': bulkSize,
        },
      });
      const store = openStore(root);
      t.teardown(() => store.close());
      const retriesBefore = await catalogCount('retry');
      const h = startIngest({
        config,
        store,
        source: fileSource({ path: file, batchLines: 500 }),
        waitForCatalog: true,
      });
      await h.done;
      if (bulkSize === 1)
        t.ok((await catalogCount('retry')) > retriesBefore, 'the rate limit answered 429 and the lookups were retried');
      else t.equal(await catalogCount('failed'), 0, 'no lookup gave up');

      const tb = storeTables(store);
      const report = dataReport(store);
      t.equal(report.catalog.users.pending + report.catalog.movies.pending, 0, 'every id seen was answered');
      t.same(report.catalog.users.unknown, 1, 'the unknown user');
      t.same(report.catalog.movies.unknown, 1, 'the unknown movie');
      t.equal(report.flaggedRecords, 2, 'its watch and rating are kept and flagged');
      t.match(tb.catalogUsers.get(999999), { known: false, status: 404 });
      t.match(tb.catalogMovies.get('no+such+movie+1900'), { known: false, status: 404 });

      let checked = 0;
      for (const u of tb.seenUsers.getKeys()) {
        if (u === 999999) continue;
        const want = userRecord(world, u)!;
        t.same(store.userInfo(u), { age: want.age, gender: want.gender, occupation: want.occupation }, `user ${u}`);
        checked++;
      }
      for (const m of tb.seenMovies.getKeys()) {
        if (m === 'no+such+movie+1900') continue;
        const rec = movieRecord(world, world.movieIndex.get(m)!);
        t.same(
          store.movieInfo(m),
          {
            adult: rec.adult === 'True',
            runtime: (rec.runtime as number) > 0 ? rec.runtime : null,
            genres: (rec.genres as { name: string }[]).map((g) => g.name),
            title: rec.title,
          },
          `movie ${m}: "True"/"False" read as booleans, a runtime of 0 as unknown`,
        );
        checked++;
      }
      t.ok(checked > 20, `${checked} records compared with the world`);

      const ds = store.readSnapshot();
      t.notOk(ds.userIds.includes(999999), 'the unknown user is left out of training');
      t.notOk(ds.itemIds.includes('no+such+movie+1900'), 'the unknown movie is left out of training');
      t.ok(
        ds.users.every((u) => u !== null),
        'every trained user has catalog data',
      );
    },
  );
}
