// A user's recommendation requests that share a timestamp (a flood logged with
// whole-second times) are each kept; an exact repeat of a line is one row, and
// replaying the stream adds nothing.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { dataReport } from '../../src/ingest/report';
import { openStore, storeTables } from '../../src/store/store';

const T = '2022-02-08T20:03:00';
const lines = [
  `${T},7,recommendation request h:8082, status 200, result: aliens+1986, amlie+2001, 45 ms`,
  `${T},7,recommendation request h:8082, status 200, result: aliens+1986, amlie+2001, 52 ms`,
  `${T},7,recommendation request h:8082, status 200, result: home+alone+1990, 45 ms`,
  `${T},7,recommendation request h:8082, status 0, result: java.util.concurrent.TimeoutException: ` +
    `Request timeout after 600 ms, 612 ms`,
  `${T},7,recommendation request h:8082, status 200, result: aliens+1986, amlie+2001, 45 ms`,
  `${T},8,recommendation request h:8082, status 200, result: aliens+1986, amlie+2001, 45 ms`,
];

t.test('requests in the same millisecond by one user are all stored, an exact duplicate once', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'stream.lines');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const config = loadConfig({ env: {}, overrides: { dataDir: dir } });
  const store = openStore(dir);
  t.teardown(() => store.close());
  await startIngest({ config, store, source: fileSource({ path: file, batchLines: 2 }) }).done;
  const at = Date.parse(`${T}Z`);
  const rows = [...storeTables(store).requests.getRange({ start: [at, 7], end: [at, 8] })].map((e) => e.value);
  t.equal(rows.length, 4, 'four distinct requests of user 7 in one millisecond');
  t.same(
    new Set(rows.map((v) => `${v[0]} ${v[1]} ${v[3]}`)),
    new Set([
      '200 45 aliens+1986,amlie+2001',
      '200 52 aliens+1986,amlie+2001',
      '200 45 home+alone+1990',
      `0 612 java.util.concurrent.TimeoutException: Request timeout after 600 ms`,
    ]),
  );
  const r = dataReport(store);
  t.equal(r.kinds.request, 6, 'every line counted as read');
  t.equal(r.requests.count, 5, 'stored: the five distinct (user, time, content) requests');

  // A second pass over the same file from the start (a new stream name) changes nothing stored.
  const copy = join(dir, 'again.lines');
  writeFileSync(copy, `${lines.join('\n')}\n`);
  await startIngest({ config, store, source: fileSource({ path: copy, batchLines: 3 }) }).done;
  t.equal(dataReport(store).requests.count, 5, 'a replay rewrites the same keys');
});
