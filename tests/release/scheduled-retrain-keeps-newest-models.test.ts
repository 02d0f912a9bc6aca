// Continuous retraining does not fill the disk: after each scheduled run
// `movrec serve` keeps the retrain.keepModels newest models (and any the
// release uses), and removes the rest with the training snapshots no kept
// model uses.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { configFile, ratedSlices } from '../helpers/rated-store';
import { eventually, spawnServe } from '../serve/spawn-serve';
import { listManifests, type Manifest } from '../../src/model/registry';

t.test('a scheduled retrain removes the models past retrain.keepModels and their snapshots', async (t) => {
  const dir = t.testdir();
  const { dataDir, lines, ingest } = await ratedSlices(dir, 12000);
  const cfg = configFile(dir, 'cfg', {
    retrain: { everyMinutes: 0.01, keepModels: 2 },
    gate: { maxRmse: 100, ndcgTolerance: 1 },
    train: { epochs: 2, factors: 4 },
  });
  const train = (): Manifest => {
    const r = movrec(['train', '--data-dir', dataDir, '--json', '--kinds', 'segment-popularity', '--config', cfg]);
    t.equal(r.status, 0, r.stderr.slice(0, 400));
    return JSON.parse(r.stdout) as Manifest;
  };
  ingest(0, 8000);
  const oldest = train();
  ingest(8000, lines.length);
  const older = train();
  const newest = train();
  const oldSnapshot = join(dataDir, 'snapshots', oldest.data.snapshot!.file);
  t.ok(existsSync(oldSnapshot), 'the oldest model has a snapshot of its own');

  const s = await spawnServe(t, dataDir, ['--config', cfg]);
  const removed = await eventually(
    () => s.logs().find((r) => String(r.msg).startsWith('retrain: models past retrain.keepModels removed')),
    1200,
  );
  s.child.kill('SIGTERM');
  await s.exited;
  t.ok(removed, 'after a scheduled run the server removed models past retrain.keepModels');
  const gone = (removed?.models as string[] | undefined) ?? [];
  t.ok(gone.includes(oldest.id) && gone.includes(older.id), `the two oldest went (${gone.join(', ')})`);
  t.notOk(gone.includes(newest.id), 'not the model serving as stable');
  t.notOk(existsSync(oldSnapshot), "the oldest model's own snapshot went with it");
  const kept = listManifests(dataDir);
  t.ok(
    kept.some((m) => m.id === newest.id),
    'the stable model is kept',
  );
  const referenced = new Set(kept.map((m) => m.data.snapshot?.file));
  t.same(
    readdirSync(join(dataDir, 'snapshots')).filter((f) => !referenced.has(f)),
    [],
    'every snapshot left is one a kept model was trained on',
  );
  t.ok(
    referenced.size >= 1 && [...referenced].every((f) => f && existsSync(join(dataDir, 'snapshots', f))),
    "and every kept model's snapshot is there",
  );
});
