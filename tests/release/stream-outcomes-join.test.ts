// The release side's online join on a real store: the client's request lines
// (ingested from a file like any stream) are matched to the lists this process
// served by (user, list); a watch of a listed title within the window (event
// time) is a hit, one after it is not; a window closes only once the stream
// has passed it; failed requests count as the user's arm's errors; lists we
// never served, and lines stored before the join started, are not attributed.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { createStreamOutcomes } from '../../src/release/stream-outcomes';
import { openStore, storeTables, type Store } from '../../src/store/store';

const req = (ts: string, user: number, status: number, result: string) =>
  `${ts},${user},recommendation request 127.0.0.1:8082, status ${status}, result: ${result}, 12 ms`;
const watch = (ts: string, user: number, movie: string) => `${ts},${user},GET /data/m/${movie}/1.mpg`;

async function ingest(store: Store, dataDir: string, name: string, lines: string[]): Promise<void> {
  const file = join(dataDir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const config = loadConfig({ overrides: { dataDir } });
  await startIngest({ config, store, source: fileSource({ path: file, batchLines: 100 }) }).done;
}

t.test('request lines join served lists and later watches by event time', async (t) => {
  const dataDir = t.testdir();
  const store = openStore(dataDir);
  t.teardown(() => store.close());
  const tables = storeTables(store);
  const listA = 'a+1+2000,b+2+2000,c+3+2000';
  await ingest(store, dataDir, 'before.log', [req('2026-01-05T09:00:00', 5, 200, listA)]);

  const outcomes = createStreamOutcomes({ requests: tables.requests, watches: tables.watches, windowMs: 10 * 60_000 });
  outcomes.served(5, 'canary', 'M1', Buffer.from(`${listA}\n`));
  outcomes.served(6, 'stable', 'M0', 'd+4+2000,e+5+2000');
  outcomes.served(8, 'canary', 'M1', 'a+1+2000');
  await ingest(store, dataDir, 'live-1.log', [
    req('2026-01-05T10:00:00', 5, 200, 'a+1+2000, b+2+2000, c+3+2000'),
    req('2026-01-05T10:00:00', 6, 200, 'd+4+2000, e+5+2000'),
    req('2026-01-05T10:00:01', 7, 200, 'x+9+2000'),
    req('2026-01-05T10:01:00', 8, 0, 'java.util.concurrent.TimeoutException: Request timeout'),
    watch('2026-01-05T10:05:00', 5, 'b+2+2000'),
    watch('2026-01-05T10:20:00', 6, 'e+5+2000'),
  ]);
  outcomes.poll();
  const canary = outcomes.arm('canary')!;
  t.equal(canary.answers, 2, "user 5's list and user 8's failure; the 09:00 line predates the join");
  t.equal(canary.errors, 1, 'the status-0 line counts as an error of the arm user 8 was given');
  t.same(canary.models, ['M1']);
  t.equal(canary.perUser.size, 0, 'no window has closed yet: the stream has not moved 10 minutes on');
  t.equal(outcomes.arm('stable')?.answers, 1);
  t.equal(outcomes.arm('x'), undefined);

  await ingest(store, dataDir, 'live-2.log', [req('2026-01-05T10:30:00', 99, 200, 'z+1+2000')]);
  outcomes.poll();
  t.same(outcomes.arm('canary')!.perUser.get(5), { answers: 1, hits: 1 }, 'watched a listed title 5 minutes later');
  t.same(
    outcomes.arm('stable')!.perUser.get(6),
    { answers: 1, hits: 0 },
    'a watch 20 minutes later is outside the window',
  );
  t.notOk(outcomes.arm('canary')!.perUser.has(7), 'a list we never served is not attributed');
  t.equal(outcomes.eventNow(), Date.parse('2026-01-05T10:30:00Z'));

  outcomes.reset(['canary']);
  t.equal(outcomes.arm('canary'), undefined, 'a reset arm starts from nothing');
  t.equal(outcomes.arm('stable')?.answers, 1, 'other arms keep their figures');
});
