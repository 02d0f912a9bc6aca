// A fresh store, ingest running, no model yet: /recommend answers 200 from the
// popularity of what has been ingested (degraded), /readyz says so, and the
// first approved model takes over on SIGHUP.
import t from 'tap';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../http/harness';
import { MODEL_A, addModel } from '../http/fixture';
import { eventually, spawnServe } from '../serve/spawn-serve';

const mv = (i: number) => `film+${i}+2001`;
/** Movie i is watched by (12 - i) users: film+0 is the most popular. */
function lines(): string {
  const out: string[] = [];
  for (let i = 0; i < 12; i++)
    for (let u = 0; u < 12 - i; u++)
      out.push(`2022-05-01T10:${String(i).padStart(2, '0')}:00,${100 + u},GET /data/m/${mv(i)}/3.mpg`);
  return `${out.join('\n')}\n`;
}

t.test('with no model, serve answers 200 from ingested popularity from the first lines on', async (t) => {
  const root = t.testdir();
  const dataDir = join(root, 'data');
  const events = join(root, 'events.log');
  writeFileSync(events, '');
  const s = await spawnServe(t, dataDir, ['--from-file', events, '--follow']);

  const empty = await call(`${s.base}/readyz`);
  t.equal(empty.status, 503, 'nothing ingested and no model: not ready');
  t.match(empty.body, /^not ready: no model yet and nothing ingested/);

  appendFileSync(events, lines());
  const first = await eventually(async () => {
    const r = await call(`${s.base}/recommend/999`);
    return r.status === 200 ? r : undefined;
  });
  t.ok(first, 'answers 200 once lines are ingested');
  t.equal(first?.headers.get('x-answer-source'), 'degraded', 'counted as degraded');
  t.equal(first?.headers.get('x-model-id'), 'ingested-popularity');
  t.same(
    first?.body.split(','),
    Array.from({ length: 12 }, (_, i) => mv(i)),
    'real ids, most watched first',
  );

  // User 111 watched film+0 only.
  const seenTop = await call(`${s.base}/recommend/111`);
  t.equal(seenTop.status, 200);
  t.notOk(seenTop.body.split(',').includes(mv(0)), 'a title the user watched is left out');

  const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => call(`${s.base}/recommend/${5000 + i}`)));
  t.same([...new Set(statuses.map((r) => r.status))], [200], 'every later answer is a 200');

  const ready = await call(`${s.base}/readyz`);
  t.equal(ready.status, 200, 'ready, degraded');
  t.match(ready.body, /^ready \(degraded\): no model yet: answering from the popularity of the \d+ most recent/);
  const metrics = (await call(`${s.base}/metrics`)).body;
  t.match(metrics, /movrec_http_degraded_total\{reason="no-model"\} [1-9]/, 'counted under reason no-model');
  t.match(metrics, /movrec_http_answers_total\{source="degraded"\} [1-9]/);

  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  s.child.kill('SIGHUP');
  const modelled = await eventually(async () => {
    const r = await call(`${s.base}/recommend/999`);
    return r.headers.get('x-model-id') === MODEL_A ? r : undefined;
  });
  t.ok(modelled, 'the approved model answers after SIGHUP');
  t.match((await call(`${s.base}/readyz`)).body, /^ready: model /);

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
});
