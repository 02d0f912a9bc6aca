// train.selectBy 'rated-order' (no coverage floor): the serving model is the candidate whose ranking
// best orders the held-out ratings, and the manifest says so; the metric itself
// reads 1 for scores that order as the ratings do, 0 reversed, 0.5 constant.
import t from 'tap';
import { open } from 'lmdb';
import { join } from 'node:path';
import { defaults } from '../../config/defaults';
import { ratedOrder } from '../../src/eval/rated-order';
import { timeSplit } from '../../src/eval/split';
import type { Recommender } from '../../src/model/recommender';
import { syntheticDataset } from '../../src/model/synthetic';
import { trainAndRegister } from '../../src/train/train';

const ds = syntheticDataset({ users: 200, items: 120, perUser: 25, ratedShare: 1, seed: 4 });

t.test('rated order by hand: agreeing, reversed and constant scores', async (t) => {
  const split = timeSplit(ds);
  const truth = new Map<number, number>();
  const r = split.test.ratings;
  const nI = ds.itemIds.length;
  for (let n = 0; n < r.value.length; n++) truth.set(r.user[n]! * nI + r.item[n]!, r.value[n]!);
  const scorer = (sign: number): Recommender => ({
    kind: `sign ${sign}`,
    fit() {},
    predict: () => 3,
    scoreAll(u, out) {
      for (let i = 0; i < out.length; i++) out[i] = sign * (truth.get(u * nI + i) ?? 0);
    },
    serving: () => null,
    hyperparameters: () => ({}),
  });
  const agreeing = ratedOrder(scorer(1), split.train, split.test);
  t.ok(agreeing.users > 20, `${agreeing.users} users measured`);
  t.equal(agreeing.agreement, 1);
  t.equal(ratedOrder(scorer(-1), split.train, split.test).agreement, 0);
  t.equal(ratedOrder(scorer(0), split.train, split.test).agreement, 0.5);
});

t.test('selectBy rated-order serves the candidate with the best rated order', async (t) => {
  const config = {
    ...defaults,
    train: { ...defaults.train, factors: 8, epochs: 5, selectBy: 'rated-order' as const, minCoverage: 0 },
  };
  const dataDir = t.testdir();
  const root = open({ path: join(dataDir, 'lmdb') });
  t.teardown(() => root.close());
  const { manifest } = trainAndRegister({
    dataDir,
    config,
    dataset: ds,
    root,
    kinds: ['mf-demographic', 'popularity'],
  });
  const m = manifest.metrics as {
    rankingModel: string;
    selectedBy: string;
    candidates: Record<string, { ratedOrder?: number }>;
  };
  t.equal(m.selectedBy, 'rated-order');
  const orders = Object.entries(m.candidates).filter(([k]) => k !== 'mf');
  t.ok(
    orders.every(([, c]) => typeof c.ratedOrder === 'number'),
    'every candidate measured',
  );
  const best = orders.reduce((a, b) => (b[1].ratedOrder! > a[1].ratedOrder! ? b : a));
  t.equal(m.rankingModel, best[0], `${best[0]} orders the ratings best (${best[1].ratedOrder})`);
});
