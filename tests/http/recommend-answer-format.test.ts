import t from 'tap';
import { startTestServer, call } from './harness';
import { USERS, MODEL_A } from './fixture';

t.test(
  'GET /recommend/<id> answers 200 text/plain, one line of up to 20 ids, no spaces, with request and model ids',
  async (t) => {
    const s = await startTestServer(t);
    const seenIds = new Set<string>();
    for (const u of Object.values(USERS)) {
      const r = await call(`${s.base}/recommend/${u.id}`);
      t.equal(r.status, 200, `user ${u.id}`);
      t.match(r.headers.get('content-type'), /^text\/plain/);
      t.match(r.body, /^[a-z0-9+_-]+(,[a-z0-9+_-]+)*$/, 'ids joined by commas, nothing else');
      t.notMatch(r.body, /[\s\n]/, 'no spaces, one line');
      const ids = r.body.split(',');
      t.ok(ids.length > 0 && ids.length <= 20, 'between 1 and 20 ids');
      t.equal(new Set(ids).size, ids.length, 'no id twice');
      t.equal(r.headers.get('x-model-id'), MODEL_A);
      const rid = r.headers.get('x-request-id');
      t.match(rid, /^[0-9a-z]+-[0-9a-z]{8}$/);
      t.notOk(seenIds.has(rid!), 'request ids are unique');
      seenIds.add(rid!);
    }
  },
);
