// `movrec models gc --keep 0` next to a running `movrec serve`: the stable model, the canary and both arms of
// an A/B experiment, set through the CLI and the server's admin routes, stay with their training snapshots;
// an older model nothing uses goes with its own.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { configFile, ratedSlices } from '../helpers/rated-store';
import { spawnServe } from '../serve/spawn-serve';
import type { Manifest } from '../../src/model/registry';

const TOKEN = 'gc-token';
const env = { MOVREC_ADMIN_TOKEN: TOKEN };

t.test('gc spares the stable, canary and experiment models and their snapshots', async (t) => {
  const dir = t.testdir();
  const { dataDir, ingest } = await ratedSlices(dir, 12000);
  // The gate opened wide: every model is approved, so stable, canary and arms may be any of them.
  const cfg = configFile(dir, 'cfg', { gate: { maxRmse: 100, ndcgTolerance: 1 } });
  // Each model is trained on one more slice of the history, so each has a snapshot of its own.
  let ingested = 0;
  const trainOnMore = (): Manifest => {
    ingest(ingested, ingested + 2000);
    ingested += 2000;
    const r = movrec(['train', '--data-dir', dataDir, '--json', '--kinds', 'segment-popularity', '--config', cfg]);
    t.equal(r.status, 0, r.stderr.slice(0, 500));
    return JSON.parse(r.stdout) as Manifest;
  };
  const snapshotOf = (m: Manifest): string => m.data.snapshot!.file;
  const snapshots = (): string[] => readdirSync(join(dataDir, 'snapshots')).sort();

  const unused = trainOnMore();
  const stable = trainOnMore();
  const s = await spawnServe(t, dataDir, ['--config', cfg], env);
  const cli = (...args: string[]) =>
    movrec([...args, '--data-dir', dataDir, '--server', s.base, '--config', cfg], { env });
  const canary = trainOnMore();
  const armA = trainOnMore();
  const armB = trainOnMore();
  const newest = trainOnMore();
  const inUse = [stable, canary, armA, armB];
  t.equal(new Set([unused, ...inUse, newest].map(snapshotOf)).size, 6, 'six models, six snapshots');

  const put = cli('models', 'canary', canary.id, '--percent', '10');
  t.equal(put.status, 0, put.stderr);
  const started = cli('experiment', 'start', 'gc1', '--arm', `a=${armA.id}:40`, '--arm', `b=${armB.id}:40`);
  t.equal(started.status, 0, started.stderr);
  const release = cli('models', 'release', '--json');
  t.equal(release.status, 0, release.stderr);
  const state = JSON.parse(release.stdout) as {
    stable: string | null;
    canary: { modelId: string } | null;
    experiment: { arms: { modelId: string }[] } | null;
  };
  t.equal(state.stable, stable.id, 'the model newest at start serves as stable');
  t.equal(state.canary?.modelId, canary.id);
  t.same(
    state.experiment?.arms.map((a) => a.modelId),
    [armA.id, armB.id],
  );

  const gc = movrec(['models', 'gc', '--keep', '0', '--data-dir', dataDir, '--json']);
  t.equal(gc.status, 0, gc.stderr);
  const removed = JSON.parse(gc.stdout) as { models: string[]; snapshots: string[]; kept: number };
  t.same(removed.models, [unused.id], 'only the model nothing uses is removed');
  t.same(removed.snapshots, [snapshotOf(unused)], 'with its snapshot');
  t.equal(removed.kept, 5);
  t.same(snapshots(), [...inUse, newest].map(snapshotOf).sort(), 'the snapshots of the kept models stay');
  for (const m of inUse) t.ok(existsSync(join(dataDir, 'models', `${m.id}.bin`)), `${m.id}'s artifact stays`);
  t.notOk(existsSync(join(dataDir, 'models', `${unused.id}.bin`)), "the unused model's artifact is gone");

  const rm = movrec(['models', 'rm', armB.id, '--data-dir', dataDir]);
  t.equal(rm.status, 1, 'an experiment arm is refused by rm too');
  t.match(rm.stderr, new RegExp(`model ${armB.id} is in use`));

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null }, 'the server was serving throughout and stops cleanly');
});
