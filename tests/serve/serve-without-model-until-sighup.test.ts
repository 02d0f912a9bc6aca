import t from 'tap';
import { call } from '../http/harness';
import { MODEL_A, USERS, addModel, fillStore } from '../http/fixture';
import { eventually, spawnServe } from './spawn-serve';

t.test(
  'with no approved model and nothing ranked, serve is alive but not ready and answers 503; SIGHUP after ' +
    'training makes it serve',
  async (t) => {
    const dataDir = t.testdir();
    await fillStore(dataDir);
    addModel(dataDir, 'mf-20251231T000000Z-eeeeee', 'ascending', '2025-12-31T00:00:00.000Z', false);
    const s = await spawnServe(t, dataDir);

    t.equal((await call(`${s.base}/healthz`)).status, 200, 'alive');
    const ready = await call(`${s.base}/readyz`);
    t.equal(ready.status, 503);
    t.match(ready.body, /^not ready: no model yet and nothing ingested to rank\n$/);
    const r = await call(`${s.base}/recommend/${USERS.adult.id}`);
    t.equal(r.status, 503);
    t.match(r.body, /^no model is loaded\n$/);
    t.equal(r.headers.get('retry-after'), '1');
    t.equal(r.headers.get('x-model-id'), 'none');

    addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
    s.child.kill('SIGHUP');
    const served = await eventually(async () => {
      const x = await call(`${s.base}/recommend/${USERS.adult.id}`);
      return x.status === 200 ? x : undefined;
    });
    t.equal(served?.headers.get('x-model-id'), MODEL_A, 'the approved model serves after SIGHUP');
    t.equal((await call(`${s.base}/readyz`)).status, 200);

    s.child.kill('SIGTERM');
    t.same(await s.exited, { code: 0, signal: null });
  },
);
