import t from 'tap';
import { call } from '../http/harness';
import { MODEL_A, MODEL_B, USERS, addModel, ascending, descending, expected, fillStore } from '../http/fixture';
import { eventually, spawnServe } from './spawn-serve';

t.test('SIGHUP loads the newest approved model, verifies it, flips; answers follow the new model', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  const s = await spawnServe(t, dataDir);

  const before = await call(`${s.base}/recommend/${USERS.adult.id}`);
  t.equal(before.headers.get('x-model-id'), MODEL_A);
  t.same(before.body.split(','), expected(ascending, USERS.adult, false));

  addModel(dataDir, 'mf-20260101T120000Z-dddddd', 'descending', '2026-01-01T12:00:00.000Z', false);
  addModel(dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
  s.child.kill('SIGHUP');
  const flipped = await eventually(async () => {
    const r = await call(`${s.base}/recommend/${USERS.adult.id}`);
    return r.headers.get('x-model-id') === MODEL_B ? r : undefined;
  });
  t.ok(flipped, 'the server flipped to model B');
  t.same(flipped?.body.split(','), expected(descending, USERS.adult, false), "answers come from model B's factors");
  t.match(
    (await call(`${s.base}/metrics`)).body,
    new RegExp(`^movrec_model_info\\{role="stable",model_id="${MODEL_B}",generation="\\d+"\\} 1$`, 'm'),
  );

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
});
