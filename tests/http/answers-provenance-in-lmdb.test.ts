import t from 'tap';
import { findAnswer } from '../../src/http/provenance';
import { startTestServer, call } from './harness';
import { MODEL_A, USERS } from './fixture';

t.test(
  'every /recommend answer is recorded in LMDB under its request id: user, model, source, status, latency',
  async (t) => {
    const s = await startTestServer(t);
    const ids: [string, number, string][] = [];
    for (const u of [USERS.adult, USERS.stranger, USERS.minor]) {
      const r = await call(`${s.base}/recommend/${u.id}`);
      ids.push([r.headers.get('x-request-id')!, u.id, r.headers.get('x-answer-source')!]);
    }
    const bad = await call(`${s.base}/recommend/007`);
    await s.server.close();
    for (const [rid, user, source] of ids) {
      const rec = findAnswer(s.store.root, rid);
      t.ok(rec, `answer ${rid} recorded`);
      t.equal(rec?.requestId, rid);
      t.equal(rec?.user, user);
      t.equal(rec?.model, MODEL_A);
      t.equal(rec?.source, source);
      t.equal(rec?.status, 200);
      t.ok(typeof rec?.ms === 'number' && rec.ms >= 0);
      t.ok(typeof rec?.generation === 'number' && rec.generation > 0);
    }
    const refused = findAnswer(s.store.root, bad.headers.get('x-request-id')!);
    t.equal(refused?.status, 400, 'a refused request is recorded too');
    t.equal(refused?.user, null);
    t.equal(refused?.source, 'bad-request');
    t.equal(
      findAnswer(s.store.root, `${ids[0]![0].split('-')[0]}-zzzzzzzz`),
      undefined,
      'an id never issued is not found',
    );
  },
);
