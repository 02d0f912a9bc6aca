import t from 'tap';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../http/harness';
import { MODEL_A, USERS, addModel, fillStore, movie } from '../http/fixture';
import { eventually, spawnServe } from './spawn-serve';

t.test(
  'movrec serve --from-file --follow ingests in the same process: a title watched now leaves the next answer',
  async (t) => {
    const dataDir = t.testdir();
    await fillStore(dataDir);
    addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
    const events = join(dataDir, 'events.log');
    writeFileSync(events, '');
    const s = await spawnServe(t, dataDir, ['--from-file', events, '--follow']);
    const u = USERS.adult;
    const before = (await call(`${s.base}/recommend/${u.id}`)).body.split(',');
    t.equal(before[0], movie(1), 'the best unseen title first');

    appendFileSync(
      events,
      `2026-01-05T10:00:00,${u.id},GET /data/m/${movie(1)}/1.mpg\n2026-01-05T10:01:00,${u.id},GET ` +
        `/rate/${movie(5)}=4\n`,
    );
    const after = await eventually(async () => {
      const ids = (await call(`${s.base}/recommend/${u.id}`)).body.split(',');
      return ids.includes(movie(1)) ? undefined : ids;
    });
    t.ok(after, 'the watched title disappeared from the answer');
    t.notOk(after?.includes(movie(5)), 'and so did the rated one');
    t.equal((await call(`${s.base}/readyz`)).status, 200, 'ready: a model serves and ingest is not stalled');

    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null }, 'ingest stops with the server');
  },
);
