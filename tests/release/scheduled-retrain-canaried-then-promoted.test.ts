// The whole release loop with nobody at the controls: `movrec serve` retrains
// by itself on what it ingested (retrain.everyEvents), the approved model goes
// to canary by itself, and the guard promotes it once it has served its
// minimum of answers and users with no regression, all while the simulator
// drives the server and no request fails. The stable model at the start is
// the fixture's item-bias-only model, which any trained model beats.
import t from 'tap';
import { readManifest } from '../../src/model/registry';
import { serveSimWorld, until } from './sim-release-fixture';

t.test('a scheduled retrain goes to canary by itself and is promoted by the guard, 0 failed', async (t) => {
  const s = await serveSimWorld(
    t,
    { canaryPercent: 50, guardIntervalMs: 250, minAnswers: 300, minUsers: 120, minHealthAnswers: 100, minEffect: 0.1 },
    { joinWindowMinutes: 10 },
    { 'retrain.everyEvents': 3000 },
  );
  t.teardown(() => s.close());
  const start = await s.status();
  t.equal(start.stable, s.weak, 'the weak model serves as stable');
  const drive = s.driving();
  // First a canary that is none of the fixture's models: the retrained one.
  const canaried = await until(async () => {
    const c = (await s.status()).canary;
    return c && ![s.weak, s.trained, s.oracle, s.broken, s.inverse].includes(c.modelId) ? c.modelId : undefined;
  }, 150_000);
  t.ok(canaried, `a retrained model went to canary by itself (${canaried})`);
  const promoted = await until(async () => {
    const st = await s.status();
    return st.canary === null && st.stable === canaried ? true : undefined;
  }, 150_000);
  await new Promise((r) => setTimeout(r, 1500));
  const board = await drive.stop();
  t.ok(promoted, `the guard promoted it (server: ${s.releaseLog().join(' | ')})`);
  const history = canaried ? (readManifest(s.config.dataDir, canaried).history ?? []) : [];
  t.same(
    history.map((h) => h.event),
    ['approved', 'canaried', 'promoted'],
    'its manifest records the gate, the canary and the promotion',
  );
  t.ok(board.requests > 300, `the simulator made ${board.requests} requests`);
  t.equal(board.ok, board.requests, `0 failed requests (${board.timeouts} timeouts, ${board.errors} errors)`);
});
