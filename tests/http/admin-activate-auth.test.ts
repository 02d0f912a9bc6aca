import t from 'tap';
import { networkInterfaces } from 'node:os';
import { startTestServer, call } from './harness';
import { MODEL_A, MODEL_B, MODEL_C, USERS, addModel, corrupt, descending, expected } from './fixture';

const TOKEN = 'test-token-0123456789';
const activate = (base: string, id: string, auth?: string) =>
  call(`${base}/admin/models/${id}/activate`, {
    method: 'POST',
    headers: auth === undefined ? {} : { authorization: auth },
  });

t.test(
  'POST /admin/models/<id>/activate needs the bearer token; a good artifact flips, a corrupt one is refused with 422',
  async (t) => {
    const s = await startTestServer(t, { 'serve.adminToken': TOKEN });
    addModel(s.dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
    addModel(s.dataDir, MODEL_C, 'descending', '2026-01-03T00:00:00.000Z');
    corrupt(s.dataDir, MODEL_C);

    const none = await activate(s.base, MODEL_B);
    t.equal(none.status, 401);
    t.equal(none.headers.get('www-authenticate'), 'Bearer');
    t.equal((await activate(s.base, MODEL_B, `Bearer ${TOKEN}x`)).status, 401, 'a wrong token');
    t.equal((await activate(s.base, MODEL_B, TOKEN)).status, 401, 'not a bearer scheme');
    t.equal(
      (await call(`${s.base}/recommend/${USERS.adult.id}`)).headers.get('x-model-id'),
      MODEL_A,
      'nothing changed',
    );

    t.equal((await activate(s.base, 'mf-20990101T000000Z-000000', `Bearer ${TOKEN}`)).status, 404, 'an unknown model');

    const ok = await activate(s.base, MODEL_B, `Bearer ${TOKEN}`);
    t.equal(ok.status, 200);
    t.match(ok.body, new RegExp(`^activated ${MODEL_B} as stable, generation \\d+\\n$`));
    const after = await call(`${s.base}/recommend/${USERS.adult.id}`);
    t.equal(after.headers.get('x-model-id'), MODEL_B);
    t.same(after.body.split(','), expected(descending, USERS.adult, false), "model B's order");

    const bad = await activate(s.base, MODEL_C, `Bearer ${TOKEN}`);
    t.equal(bad.status, 422);
    t.match(bad.body, /^model \S+: checksum mismatch, artifact refused\n$/);
    t.equal(
      (await call(`${s.base}/recommend/${USERS.adult.id}`)).headers.get('x-model-id'),
      MODEL_B,
      'the current model keeps serving',
    );
    const m = (await call(`${s.base}/metrics`)).body;
    t.match(m, /^movrec_model_load_failures_total\{code="MOVREC_ERR_MODEL_CHECKSUM"\} 1$/m);

    const reload = await call(`${s.base}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    t.equal(reload.status, 200);
    t.equal(s.reloads, 1, 'POST /admin/reload runs the reload hook');
  },
);

t.test('admin routes are 404 without a configured token', async (t) => {
  const s = await startTestServer(t);
  const r = await activate(s.base, MODEL_A, 'Bearer anything');
  t.equal(r.status, 404);
  t.match(r.body, /admin routes are disabled/);
});

t.test('admin routes refuse non-loopback clients with 403 by default', async (t) => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4');
  t.ok(external, 'this machine has a non-loopback IPv4 address to call from');
  if (!external) return;
  const s = await startTestServer(t, { 'serve.adminToken': TOKEN, 'serve.host': '0.0.0.0' });
  const r = await activate(`http://${external.address}:${s.port}`, MODEL_A, `Bearer ${TOKEN}`);
  t.equal(r.status, 403);
  t.match(r.body, /loopback clients only/);
  const open = await startTestServer(t, {
    'serve.adminToken': TOKEN,
    'serve.host': '0.0.0.0',
    'serve.adminLoopbackOnly': false,
  });
  t.equal(
    (await activate(`http://${external.address}:${open.port}`, MODEL_A, `Bearer ${TOKEN}`)).status,
    200,
    'allowed when loopback-only is off',
  );
});

t.test('?role=canary loads a second model beside the stable one; an unknown role is a 400', async (t) => {
  const s = await startTestServer(t, { 'serve.adminToken': TOKEN });
  addModel(s.dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
  const auth = { authorization: `Bearer ${TOKEN}` };
  const bogus = await call(`${s.base}/admin/models/${MODEL_B}/activate?role=champion`, {
    method: 'POST',
    headers: auth,
  });
  t.equal(bogus.status, 400);
  t.match(bogus.body, /^role must be stable or canary\n$/);

  const canary = await call(`${s.base}/admin/models/${MODEL_B}/activate?role=canary`, {
    method: 'POST',
    headers: auth,
  });
  t.equal(canary.status, 200, canary.body);
  t.match(canary.body, new RegExp(`^activated ${MODEL_B} as canary, generation \\d+\\n$`));
  t.equal(
    (await call(`${s.base}/recommend/${USERS.adult.id}`)).headers.get('x-model-id'),
    MODEL_A,
    'the stable model still answers /recommend',
  );
  t.same(s.scorer.active('canary')?.modelId, MODEL_B);
  const metrics = (await call(`${s.base}/metrics`)).body;
  t.match(
    metrics,
    new RegExp(`^movrec_model_info\\{role="stable",model_id="${MODEL_A}",generation="\\d+"\\} 1$`, 'm'),
    'both live models are reported',
  );
  t.match(metrics, new RegExp(`^movrec_model_info\\{role="canary",model_id="${MODEL_B}",generation="\\d+"\\} 1$`, 'm'));
});
