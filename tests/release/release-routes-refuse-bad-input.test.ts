// The release admin routes: token required, bad shares and plans are 400 with
// one line, a promote or rollback with no canary is 409, and GET
// /admin/release reports the stable model and the canary as JSON.
import t from 'tap';
import { MODEL_A, MODEL_B, addModel, fillStore } from '../http/fixture';
import { spawnServe } from '../serve/spawn-serve';

const TOKEN = 'routes-token';

t.test('release routes: auth, 400 on bad input, 409 on conflicts, status as JSON', async (t) => {
  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  addModel(dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z', false);
  const s = await spawnServe(t, dataDir, [], { MOVREC_ADMIN_TOKEN: TOKEN });
  const req = async (method: string, path: string, token: string | null = TOKEN) => {
    const r = await fetch(`${s.base}${path}`, {
      method,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: r.status, body: await r.text() };
  };

  t.equal((await req('GET', '/admin/release', null)).status, 401, 'no token');
  t.equal((await req('POST', '/admin/experiments/stop', 'wrong')).status, 401, 'a wrong token');
  const pct0 = await req('POST', `/admin/models/${MODEL_B}/activate?role=canary&percent=0`);
  t.equal(pct0.status, 400);
  t.match(pct0.body, /^percent must be a number in \(0, 100\], got "0"\n$/);
  t.equal((await req('POST', `/admin/models/${MODEL_B}/activate?role=canary&percent=abc`)).status, 400);
  const stablePct = await req('POST', `/admin/models/${MODEL_B}/activate?role=stable&percent=10`);
  t.equal(stablePct.status, 400);
  t.match(stablePct.body, /percent applies to role=canary only/);
  t.equal((await req('POST', '/admin/canary/promote')).status, 409, 'nothing to promote');
  t.equal((await req('POST', '/admin/canary/rollback')).status, 409, 'nothing to roll back');
  const arms = await req('POST', `/admin/experiments?name=x&arms=a=${MODEL_A}:50`);
  t.equal(arms.status, 400);
  t.match(arms.body, /exactly two arms/);
  const junk = await req('POST', '/admin/experiments?name=x&arms=garbage');
  t.equal(junk.status, 400);
  t.match(junk.body, /^arms must be NAME=MODEL_ID:PERCENT/);
  const badName = await req('POST', `/admin/experiments?name=Bad%20Name&arms=a=${MODEL_A}:50,b=${MODEL_B}:50`);
  t.equal(badName.status, 400);
  t.equal((await req('PUT', '/admin/release')).status, 405);

  const on = await req('POST', `/admin/models/${MODEL_B}/activate?role=canary&percent=25`);
  t.equal(on.status, 200, on.body);
  const status = JSON.parse((await req('GET', '/admin/release')).body) as {
    stable: string;
    canary: { modelId: string; percent: number; guard: string };
    experiment: null;
  };
  t.equal(status.stable, MODEL_A);
  t.same([status.canary.modelId, status.canary.percent], [MODEL_B, 25]);
  t.equal(status.experiment, null);
  const back = await req('POST', '/admin/canary/rollback');
  t.equal(back.status, 200, back.body);
  t.equal((JSON.parse(back.body) as { canary: unknown }).canary, null, 'the operator rolled it back');
  s.child.kill('SIGTERM');
  await s.exited;
});
