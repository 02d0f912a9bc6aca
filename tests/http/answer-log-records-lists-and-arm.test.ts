import t from 'tap';
import { findAnswer, readRefused } from '../../src/telemetry/answer-log';
import { startTestServer, call } from './harness';
import { MODEL_A, USERS } from './fixture';

t.test(
  'every /recommend answer is recorded in LMDB under its request id: user, model, arm, source, ' +
    'latency and the ids served; a refusal is only counted',
  async (t) => {
    const s = await startTestServer(t);
    const ids: [string, number, string, string][] = [];
    for (const u of [USERS.adult, USERS.stranger, USERS.minor]) {
      const r = await call(`${s.base}/recommend/${u.id}`);
      ids.push([r.headers.get('x-request-id')!, u.id, r.headers.get('x-answer-source')!, r.body.trim()]);
    }
    const bad = await call(`${s.base}/recommend/007`);
    t.equal(bad.status, 400);
    await s.server.close();
    for (const [rid, user, source, body] of ids) {
      const rec = findAnswer(s.store.root, rid);
      t.ok(rec, `answer ${rid} recorded`);
      t.equal(rec?.requestId, rid);
      t.equal(rec?.user, user);
      t.equal(rec?.model, MODEL_A);
      t.equal(rec?.arm, 'stable');
      t.equal(rec?.source, source);
      t.equal(rec?.status, 200);
      t.same(rec?.items, body.split(','), 'the ids served, in order');
      t.ok(typeof rec?.ms === 'number' && rec.ms >= 0);
      t.ok(typeof rec?.generation === 'number' && rec.generation > 0);
    }
    t.equal(findAnswer(s.store.root, bad.headers.get('x-request-id')!), undefined, 'a refused request has no row');
    t.same(
      [...readRefused(s.store.root)],
      [['none\tbad-request\t400', 1]],
      'but it is counted, under arm none (no user, no arm)',
    );
    t.equal(
      findAnswer(s.store.root, `${ids[0]![0].split('-')[0]}-zzzzzzzz`),
      undefined,
      'an id never issued is not found',
    );
  },
);
