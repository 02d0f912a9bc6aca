import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'lmdb';
import { join } from 'node:path';
import { defaults } from '../../config/defaults';
import { viewArtifact } from '../../src/model/artifact';
import { artifactPath, listManifests, newestApproved, type Manifest } from '../../src/model/registry';
import { syntheticDataset } from '../../src/model/synthetic';
import { BLEND_WEIGHTS, PRIOR_BETAS, trainAndRegister } from '../../src/train/train';

const ds = syntheticDataset({ users: 200, items: 120, perUser: 25 });
// No coverage floor: here the best NDCG@20 serves (train-prefers-lists-that-cover-the-catalog.test.ts has the floor).
const fast = { ...defaults, train: { ...defaults.train, factors: 8, epochs: 5, minCoverage: 0 } };

t.test('a model that passes the gate is approved, written as artifact + manifest, mirrored in LMDB', async (t) => {
  const dataDir = t.testdir();
  const root = open({ path: join(dataDir, 'lmdb') });
  t.teardown(() => root.close());
  const { manifest, candidates } = trainAndRegister({
    dataDir,
    config: fast,
    dataset: ds,
    kinds: ['mf', 'popularity'],
    root,
    evalMaxUsers: 100,
  });
  t.same(
    candidates.map((c) => c.kind).sort(),
    [
      'mf',
      ...PRIOR_BETAS.map((b) => `mf*popularity@${b}`),
      ...BLEND_WEIGHTS.map((w) => `mf+popularity@${w}`),
      'popularity',
    ].sort(),
    'single kinds and their blends compete',
  );
  const best = Math.max(...candidates.map((c) => c.ndcg20));
  t.equal(manifest.metrics.ndcg20, best, 'the best NDCG@20 serves');
  t.match(manifest.id, /^(mf|popularity|blend)-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  t.equal(manifest.approved, true);
  t.same(manifest.gate, { passed: true, reasons: [] });
  t.equal(manifest.data.ratings, ds.ratings.value.length);
  t.equal(manifest.data.users, 200);
  t.type(manifest.metrics.rmse, 'number');
  t.type(manifest.metrics.ndcg20, 'number');
  t.ok(manifest.trainSeconds > 0);
  t.ok(manifest.peakRssBytes > 0);
  const bin = artifactPath(dataDir, manifest.id);
  const view = viewArtifact(readFileSync(bin));
  t.equal(view.header.nItems, 120);
  t.equal(view.userIndex(1000 + 3 * 7), 7, 'users are found by external id');
  t.ok(Object.keys(view.segments).includes('*'), 'a global cold-start list is included');
  t.equal(view.itemFlags[5], 1, 'adult flags come from the dataset');
  const onDisk = JSON.parse(readFileSync(join(dataDir, 'models', `${manifest.id}.json`), 'utf8')) as Manifest;
  t.equal(onDisk.sha256, manifest.sha256);
  t.same(root.openDB({ name: 'models' }).get(manifest.id), onDisk, 'the LMDB registry holds the same manifest');
  t.equal(newestApproved(dataDir)?.id, manifest.id);
});

t.test('a candidate over the RMSE bound is rejected and says why', async (t) => {
  const dataDir = t.testdir();
  const strict = { ...fast, gate: { maxRmse: 0.05, ndcgTolerance: 0.01 } };
  const { manifest } = trainAndRegister({ dataDir, config: strict, dataset: ds, kinds: ['mf'], evalMaxUsers: 100 });
  t.equal(manifest.approved, false);
  t.match(manifest.gate.reasons.join('\n'), /RMSE [\d.]+ exceeds gate\.maxRmse 0\.05/);
  t.equal(newestApproved(dataDir), undefined);
  t.ok(existsSync(artifactPath(dataDir, manifest.id)), 'a rejected model is still registered for inspection');
});

t.test('a candidate ranking worse than the approved model beyond the tolerance is rejected', async (t) => {
  const dataDir = t.testdir();
  const first = trainAndRegister({ dataDir, config: fast, dataset: ds, kinds: ['mf'], evalMaxUsers: 100 }).manifest;
  t.equal(first.approved, true);
  // Record a perfect score for the approved model: any real candidate falls short of it.
  const file = join(dataDir, 'models', `${first.id}.json`);
  const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  m.metrics.ndcg20 = 1;
  writeFileSync(file, JSON.stringify(m));
  const second = trainAndRegister({ dataDir, config: fast, dataset: ds, kinds: ['mf'], evalMaxUsers: 100 }).manifest;
  t.equal(second.approved, false);
  t.match(
    second.gate.reasons[0],
    new RegExp(`NDCG@20 [\\d.]+ is below approved model ${first.id}'s 1\\.0000 by more than gate\\.ndcgTolerance`),
  );
  t.same(
    listManifests(dataDir).map((x) => x.id),
    [second.id, first.id],
    'listed newest first',
  );
  t.equal(newestApproved(dataDir)?.id, first.id);
});
