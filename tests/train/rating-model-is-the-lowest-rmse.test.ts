// The train report names as rating model the fitted kind with the lowest RMSE
// measured on the split, and the manifest's RMSE is that model's: not `mf`
// by assumption when another kind measured lower.
import t from 'tap';
import { open } from 'lmdb';
import { join } from 'node:path';
import { defaults } from '../../config/defaults';
import { syntheticDataset } from '../../src/model/synthetic';
import { formatOutcome } from '../../src/train/report';
import { ratingModelOf, trainAndRegister } from '../../src/train/train';

t.test('the lowest RMSE among single kinds names the rating model', async (t) => {
  const results = new Map<string, { rmse: number | null }>([
    ['mf', { rmse: 1.042 }],
    ['ials', { rmse: null }],
    ['popularity', { rmse: 1.037 }],
    ['ials+popularity@0.5', { rmse: 1.0 }],
  ]);
  const single = new Set(['mf', 'ials', 'popularity']);
  t.equal(ratingModelOf(results, single), 'popularity', 'popularity measured lower than mf');
  t.equal(ratingModelOf(results, new Set(['mf', 'ials'])), 'mf');
  t.equal(ratingModelOf(new Map([['ials', { rmse: null }]]), new Set(['ials'])), 'mf', 'none measured: mf');
});

t.test('the manifest and the report carry the rating model', async (t) => {
  const ds = syntheticDataset({ users: 200, items: 120, perUser: 25 });
  const config = { ...defaults, train: { ...defaults.train, factors: 8, epochs: 3 } };
  const dataDir = t.testdir();
  const root = open({ path: join(dataDir, 'lmdb') });
  t.teardown(() => root.close());
  const outcome = trainAndRegister({
    dataDir,
    config,
    dataset: ds,
    kinds: ['ials', 'popularity'],
    root,
    blends: false,
  });
  const measured = outcome.candidates.filter((c) => c.rmse !== null);
  const lowest = measured.reduce((a, b) => (b.rmse! < a.rmse! ? b : a));
  t.equal(outcome.manifest.metrics.ratingModel, lowest.kind);
  t.equal(outcome.manifest.metrics.rmse, lowest.rmse);
  t.match(formatOutcome(outcome), `(rating model ${lowest.kind}, the lowest RMSE measured)`);
});
