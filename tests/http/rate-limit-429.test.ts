import t from 'tap';
import { startTestServer, call } from './harness';
import { USERS } from './fixture';

const metric = async (base: string, line: RegExp): Promise<number> => {
  const m = line.exec((await call(`${base}/metrics`)).body);
  return m ? Number(m[1]) : 0;
};

t.test('an untrusted client over its limit gets 429 with Retry-After and X-RateLimit-*, counted', async (t) => {
  const s = await startTestServer(t, { 'rateLimit.trusted': [], 'rateLimit.points': 3, 'rateLimit.windowSeconds': 60 });
  const statuses: number[] = [];
  let last: Awaited<ReturnType<typeof call>> | undefined;
  for (let i = 0; i < 5; i++) {
    last = await call(`${s.base}/recommend/${USERS.adult.id}`);
    statuses.push(last.status);
    if (i < 3) t.equal(last.headers.get('x-ratelimit-remaining'), String(2 - i), 'remaining counts down');
  }
  t.same(statuses, [200, 200, 200, 429, 429]);
  t.equal(last!.headers.get('x-ratelimit-limit'), '3');
  t.equal(last!.headers.get('x-ratelimit-remaining'), '0');
  const retry = Number(last!.headers.get('retry-after'));
  t.ok(retry >= 1 && retry <= 60, 'Retry-After in seconds, within the window');
  t.equal(last!.headers.get('x-ratelimit-reset'), String(retry));
  t.match(last!.body, /^rate limit of 3 requests per 60 s exceeded\n$/);
  t.ok(last!.headers.get('x-request-id'));
  t.equal(await metric(s.base, /^movrec_http_rate_limited_total (\d+)$/m), 2);
  t.equal(await metric(s.base, /^movrec_http_requests_total\{route="recommend",status="429"\} (\d+)$/m), 2);
});

t.test('keyed by user, one user is limited and another is not', async (t) => {
  const s = await startTestServer(t, {
    'rateLimit.trusted': [],
    'rateLimit.points': 2,
    'rateLimit.windowSeconds': 60,
    'rateLimit.keyBy': 'user',
  });
  for (let i = 0; i < 2; i++) t.equal((await call(`${s.base}/recommend/${USERS.adult.id}`)).status, 200);
  t.equal((await call(`${s.base}/recommend/${USERS.adult.id}`)).status, 429);
  t.equal((await call(`${s.base}/recommend/${USERS.minor.id}`)).status, 200, 'another user has its own allowance');
});

t.test('the default configuration trusts loopback: the simulator on this host is never throttled', async (t) => {
  const s = await startTestServer(t, { 'rateLimit.points': 2 });
  for (let i = 0; i < 10; i++) {
    const r = await call(`${s.base}/recommend/${USERS.adult.id}`);
    t.equal(r.status, 200);
    t.equal(r.headers.get('x-ratelimit-limit'), null, 'a trusted client is not metered');
  }
});
