// A broken model (random scores) put on canary through the admin route, with
// the simulator driving the server over HTTP, is rolled back by the guard by
// itself: its users' watch-from-list rate falls, the mSPRT says so, and the
// manifest, the metrics and the log say why. No request fails meanwhile.
// Stable is the model trained on the world's history (`trainAndRegister`,
// kind mf): the guard must tell a real model from a broken one, not only the
// world's true taste from it. That takes a history of 1M lines
// (`node dist/scripts/bench/rollback-world.js`): on the fixture's default 200k
// lines (3,550 events, 11% of users ranked by the model) trained lists are
// only 1.4 pp more watched than random ones over all users (47.1% vs 45.7% by
// the choice model) and the mSPRT needs a median 7,900 users per arm (15 of
// 100 runs not within 20,000); on 1M lines (16,926 events, 43% ranked) 47.5%
// vs 39.7%, a median 260. The driver's users have more history than the
// world's average: the guard decided at 73-218 users per arm in our runs.
import t from 'tap';
import { request } from 'node:http';
import { readManifest } from '../../src/model/registry';
import { serveSimWorld, TOKEN, until } from './sim-release-fixture';

function http(
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('a random-score canary is rolled back by the guard, with 0 failed requests', async (t) => {
  const s = await serveSimWorld(
    t,
    {
      guardIntervalMs: 250,
      minAnswers: 1_000_000,
      minUsers: 1_000_000,
      minHealthAnswers: 100,
      minEffect: 0.1,
    },
    { joinWindowMinutes: 1 },
    {},
    { historyLines: 1_000_000 },
  );
  t.teardown(() => s.close());
  const drive = s.driving();
  const auth = { authorization: `Bearer ${TOKEN}` };
  const stable = await http('POST', `${s.base}/admin/models/${s.trained}/activate?role=stable`, auth);
  t.equal(stable.status, 200, `the trained model serves as stable: ${stable.body}`);

  const put = await http('POST', `${s.base}/admin/models/${s.broken}/activate?role=canary&percent=50`, auth);
  t.equal(put.status, 200, put.body);
  t.match(put.body, /canary .* on 50% of users/);
  const arms = new Map<string, number>();
  let mismatched = 0;
  for (let u = 1; u <= 200; u++) {
    const r = await http('GET', `${s.base}/recommend/${u}`);
    const arm = String(r.headers['x-arm']);
    arms.set(arm, (arms.get(arm) ?? 0) + 1);
    if (r.headers['x-model-id'] !== (arm === 'canary' ? s.broken : s.trained)) mismatched++;
  }
  t.ok((arms.get('canary') ?? 0) > 40 && (arms.get('stable') ?? 0) > 80, `both arms answer: ${[...arms]}`);
  t.equal(mismatched, 0, "each arm is answered by its arm's model");

  const gone = await until(async () => ((await s.status()).canary === null ? true : undefined), 150_000);
  // Keep driving a moment after the rollback: answers across it must not fail either.
  await new Promise((r) => setTimeout(r, 1500));
  const board = await drive.stop();
  const after0 = await s.status();
  t.ok(gone, `the canary left by itself (last verdict: ${after0.canary?.guard ?? 'rolled back'})`);
  const history = readManifest(s.config.dataDir, s.broken).history ?? [];
  t.same(
    history.map((h) => h.event),
    ['canaried', 'rolled-back'],
    'the manifest records the canary and the rollback',
  );
  const why = history[1]?.reason ?? '';
  t.match(why, /watch-from-list .* vs stable .* mSPRT/, `the reason names the online test: ${why}`);
  t.equal((await s.status()).stable, s.trained, 'stable never changed');
  const metrics = (await http('GET', `${s.base}/metrics`)).body;
  t.match(metrics, /movrec_release_events_total\{event="rolled-back",check="online"\} 1/);
  t.match(metrics, /movrec_release_arm_watch_from_list_ratio\{arm="canary"/);
  t.ok(
    board.requests > 300,
    `the simulator made ${board.requests} requests (it saw ${(100 * board.watchShare).toFixed(1)}% of lists ` +
      `watched from)`,
  );
  t.equal(board.ok, board.requests, `0 failed requests (${board.timeouts} timeouts, ${board.errors} errors)`);
  const after = await http('GET', `${s.base}/recommend/1`);
  t.equal(after.headers['x-arm'], 'stable', 'every user is back on stable');
});
