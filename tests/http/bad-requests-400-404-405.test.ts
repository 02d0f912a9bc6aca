import t from 'tap';
import { startTestServer, call } from './harness';
import { MODEL_A } from './fixture';

t.test('malformed user ids get 400, unknown paths 404, other methods 405 with Allow; all carry the ids', async (t) => {
  const s = await startTestServer(t);
  for (const bad of ['0', '012', '-5', '+5', '12345678901', 'abc', '1.5', '1e3', '%2012', '9a']) {
    const r = await call(`${s.base}/recommend/${bad}`);
    t.equal(r.status, 400, `"${bad}" is refused`);
    t.match(
      r.body,
      /^user id must be an integer from 1 to 4294967295 \(no sign, no leading zero\), got "[^"\n]*"\n$/,
      'one-line message',
    );
    t.ok(r.headers.get('x-request-id'));
    t.equal(r.headers.get('x-model-id'), MODEL_A);
  }
  t.equal((await call(`${s.base}/recommend/4294967295`)).status, 200, 'the largest id is well-formed');
  t.equal((await call(`${s.base}/recommend/4294967296`)).status, 400, 'one more is not, as in the stream');

  for (const path of ['/', '/recommend', '/recommend/1/2', '/recommendations/1', '/admin']) {
    const r = await call(`${s.base}${path}`);
    t.equal(r.status, 404, `${path} is not a route`);
    t.match(r.body, /^no route for \S+\n$/);
    t.ok(r.headers.get('x-request-id'));
  }

  for (const [path, method, allow] of [
    ['/recommend/12', 'POST', 'GET'],
    ['/recommend/12', 'DELETE', 'GET'],
    ['/healthz', 'PUT', 'GET'],
    ['/metrics', 'POST', 'GET'],
    ['/admin/models/x/activate', 'GET', 'POST'],
  ] as const) {
    const r = await call(`${s.base}${path}`, { method });
    t.equal(r.status, 405, `${method} ${path}`);
    t.equal(r.headers.get('allow'), allow);
    t.match(r.body, new RegExp(`^method ${method} not allowed`));
    t.equal(r.headers.get('x-model-id'), MODEL_A);
  }
});
