// On a synthetic world with planted low-rank taste, each model beats the
// baseline it should: MF's RMSE below the global mean's and the item means',
// iALS and item-kNN rank better than no ranking at all.
import t from 'tap';
import { evaluate } from '../../src/eval/evaluate';
import { timeSplit } from '../../src/eval/split';
import { Ials } from '../../src/model/ials';
import { ItemKnn } from '../../src/model/item-knn';
import { MfSgd } from '../../src/model/mf-sgd';
import { GlobalMean, Popularity } from '../../src/model/popularity';
import { syntheticDataset } from '../../src/model/synthetic';

// Dense enough (about 25 ratings per user, 170 per movie) for the planted taste to be learnable.
const ds = syntheticDataset({ users: 400, items: 60, perUser: 40, ratedShare: 1, noise: 0.3, seed: 5 });
const split = timeSplit(ds);
const run = (m: import('../../src/model/recommender').Recommender) => {
  m.fit(split.train);
  return evaluate(m, split.train, split.test, { maxUsers: 0, groups: false });
};

t.test('MF predicts ratings better than the global mean and item means', async (t) => {
  const mean = run(new GlobalMean());
  const pop = run(new Popularity());
  const mf = run(new MfSgd({ factors: 4, epochs: 50, lr: 0.01, reg: 0.05 }));
  t.ok(mf.rmse! < mean.rmse!, `MF ${mf.rmse} < global mean ${mean.rmse}`);
  t.ok(mf.rmse! < pop.rmse!, `MF ${mf.rmse} < item means ${pop.rmse}`);
  const loss: number[] = [];
  new MfSgd({ factors: 8, epochs: 10 }).fit(split.train, (e) => loss.push(e.loss));
  t.ok(loss[9]! < loss[0]!, `training loss falls: ${loss[0]!.toFixed(3)} -> ${loss[9]!.toFixed(3)}`);
});

t.test('iALS and item-kNN rank held-out watches better than no ranking', async (t) => {
  const none = run(new GlobalMean());
  const ials = run(new Ials({ factors: 8, epochs: 8 }));
  const knn = run(new ItemKnn());
  t.ok(ials.ndcg > none.ndcg * 1.5, `iALS NDCG@20 ${ials.ndcg} vs ${none.ndcg}`);
  t.ok(knn.ndcg > none.ndcg * 1.5, `item-kNN NDCG@20 ${knn.ndcg} vs ${none.ndcg}`);
  t.equal(new ItemKnn().serving(), null, 'item-kNN is evaluated offline only');
  t.equal(ials.rmse, null, 'iALS predicts no rating, so no RMSE is reported for it');
});
