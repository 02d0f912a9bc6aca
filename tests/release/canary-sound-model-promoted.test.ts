// A better model (the world's true taste as a model, against an
// item-bias-only stable) put on canary through the admin route is promoted by the guard by itself once it
// has served its minimum of answers and users with no regression on errors,
// latency or the sequential test of watch-from-list: one flip, every user then
// gets it, and no request fails across it.
import t from 'tap';
import { readManifest } from '../../src/model/registry';
import { serveSimWorld, TOKEN, until } from './sim-release-fixture';

async function post(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: r.status, body: await r.text() };
}

t.test('a better canary is promoted by the guard, with 0 failed requests', async (t) => {
  const s = await serveSimWorld(
    t,
    {
      guardIntervalMs: 250,
      minAnswers: 300,
      minUsers: 120,
      minHealthAnswers: 100,
      minEffect: 0.1,
    },
    { joinWindowMinutes: 10 },
  );
  t.teardown(() => s.close());
  t.equal((await s.status()).stable, s.weak, 'the weak model serves as stable');
  const drive = s.driving();
  const put = await post(`${s.base}/admin/models/${s.oracle}/activate?role=canary&percent=50`);
  t.equal(put.status, 200, put.body);
  const again = await post(`${s.base}/admin/models/${s.broken}/activate?role=canary&percent=5`);
  t.equal(again.status, 409, `a second canary is refused while one is live: ${again.body.trim()}`);

  const promoted = await until(async () => ((await s.status()).canary === null ? true : undefined), 90_000);
  // Keep driving a moment after the flip: answers across it must not fail either.
  await new Promise((r) => setTimeout(r, 1500));
  const board = await drive.stop();
  const after0 = await s.status();
  t.ok(promoted, `the canary left by itself (last verdict: ${after0.canary?.guard ?? 'done'})`);
  const history = readManifest(s.config.dataDir, s.oracle).history ?? [];
  t.same(
    history.map((h) => h.event),
    ['canaried', 'promoted'],
    `the manifest records the canary and the promotion (server: ${s.releaseLog().join(' | ')})`,
  );
  t.match(history[1]?.reason ?? '', /no regression after \d+ answers/, `why: ${history[1]?.reason}`);
  t.equal((await s.status()).stable, s.oracle, 'the canary model now serves as stable');
  let others = 0;
  for (let u = 1; u <= 50; u++) {
    const r = await fetch(`${s.base}/recommend/${u}`);
    await r.text();
    if (r.headers.get('x-arm') !== 'stable' || r.headers.get('x-model-id') !== s.oracle) others++;
  }
  t.equal(others, 0, 'every user gets the promoted model as stable');
  t.ok(board.requests > 300, `the simulator made ${board.requests} requests`);
  t.equal(board.ok, board.requests, `0 failed requests (${board.timeouts} timeouts, ${board.errors} errors)`);
  const metrics = await (await fetch(`${s.base}/metrics`)).text();
  t.match(metrics, /movrec_release_events_total\{event="promoted",check="none"\} 1/);
});
