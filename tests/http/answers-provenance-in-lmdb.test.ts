import t from 'tap';
import type { StoredAnswer } from '../../src/http/provenance';
import { startTestServer, call } from './harness';
import { MODEL_A, USERS } from './fixture';

t.test('every /recommend answer is recorded in LMDB under its request id: user, model, source, status, latency', async (t) => {
  const s = await startTestServer(t);
  const ids: [string, number, string][] = [];
  for (const u of [USERS.adult, USERS.stranger]) {
    const r = await call(`${s.base}/recommend/${u.id}`);
    ids.push([r.headers.get('x-request-id')!, u.id, r.headers.get('x-answer-source')!]);
  }
  const bad = await call(`${s.base}/recommend/007`);
  await s.server.close();
  const db = s.store.root.openDB<StoredAnswer, string>({ name: 'answers' });
  for (const [rid, user, source] of ids) {
    const rec = db.get(rid);
    t.ok(rec, `answer ${rid} recorded`);
    t.equal(rec?.user, user);
    t.equal(rec?.model, MODEL_A);
    t.equal(rec?.source, source);
    t.equal(rec?.status, 200);
    t.ok(typeof rec?.ms === 'number' && rec.ms >= 0);
    t.ok(typeof rec?.generation === 'number' && rec.generation > 0);
  }
  t.equal(db.get(bad.headers.get('x-request-id')!)?.status, 400, 'a refused request is recorded too');
});
