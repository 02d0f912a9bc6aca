// An A/B experiment started through the admin route, with the simulator
// driving the server over HTTP: the world's true taste as a model (a, the
// oracle artifact) against random scores (b). Until both arms reach the fixed horizon the status says how many more
// users it needs; at the horizon the one Welch test decides "a wins", with
// the effect, its interval and p. The horizon comes from the power
// calculation with the test's config (minimum effect 10 pp).
import t from 'tap';
import { serveSimWorld, TOKEN, until } from './sim-release-fixture';

t.test('an A/B experiment over real HTTP reaches its horizon and says a wins', async (t) => {
  const s = await serveSimWorld(
    t,
    {
      minEffect: 0.1,
      baselineRate: 0.5,
      guardIntervalMs: 250,
    },
    { joinWindowMinutes: 10 },
  );
  t.teardown(() => s.close());
  const drive = s.driving();
  const q = new URLSearchParams({ name: 'ab1', arms: `a=${s.oracle}:50,b=${s.broken}:50` });
  const r = await fetch(`${s.base}/admin/experiments?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const started = (await r.json()) as { decision: { verdict: string; horizon: number; text: string } };
  t.equal(r.status, 200);
  const horizon = started.decision.horizon;
  // 2 (z_0.975 + z_0.8)^2 * 0.25 / 0.1^2 = 392.4
  t.equal(horizon, 393, 'the horizon from the power calculation');
  t.match(started.decision.text, /^not yet: 393 more users per arm/);

  const decided = await until(async () => {
    const d = (await s.status()).experiment?.decision;
    return d && d.verdict !== 'not yet' ? d : undefined;
  }, 120_000);
  const board = await drive.stop();
  t.ok(decided, 'a decision was reached');
  if (!decided) return;
  t.equal(decided.verdict, 'a wins', decided.text);
  t.ok(decided.a.users >= horizon && decided.b.users >= horizon, 'both arms reached the horizon');
  t.ok(decided.test!.ci[1] < 0, 'the interval of b - a lies below 0');
  t.ok(decided.test!.p < 0.05);
  t.ok(board.requests > 0, `the simulator made ${board.requests} requests, ${board.ok} answered in its deadline`);
  const stop = await fetch(`${s.base}/admin/experiments/stop`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(stop.status, 200);
});
