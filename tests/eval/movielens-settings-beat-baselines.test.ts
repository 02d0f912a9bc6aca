// The MovieLens settings of the rating model (64 factors, its own bias step):
// on a planted low-rank dataset split at random, as the MovieLens-100k folds
// are, its RMSE is below the global mean's and the shrunk item means', so the
// factors learn the planted taste rather than only the biases.
import t from 'tap';
import type { Dataset } from '../../src/domain/dataset';
import { MOVIELENS_MF } from '../../src/eval/movielens-bench';
import { MfSgd } from '../../src/model/mf-sgd';
import { GlobalMean, Popularity } from '../../src/model/popularity';
import type { Recommender } from '../../src/model/recommender';
import { identity, rng, shuffle } from '../../src/model/rng';
import { syntheticDataset } from '../../src/model/synthetic';

/** The dataset with only the ratings at positions `rows`. */
function only(ds: Dataset, rows: Uint32Array): Dataset {
  const r = ds.ratings;
  const pick = <A extends Uint32Array | Float32Array | Float64Array>(a: A, out: A): A => {
    rows.forEach((n, j) => {
      out[j] = a[n]!;
    });
    return out;
  };
  const n = rows.length;
  return {
    ...ds,
    ratings: {
      user: pick(r.user, new Uint32Array(n)),
      item: pick(r.item, new Uint32Array(n)),
      value: pick(r.value, new Float32Array(n)),
      time: pick(r.time, new Float64Array(n)),
    },
  };
}

const rmse = (m: Recommender, train: Dataset, test: Dataset): number => {
  m.fit(train);
  const r = test.ratings;
  let se = 0;
  for (let j = 0; j < r.value.length; j++) se += (m.predict(r.user[j]!, r.item[j]!) - r.value[j]!) ** 2;
  return Math.sqrt(se / r.value.length);
};

t.test('the MovieLens settings beat the global mean and the item means on a random split', async (t) => {
  const ds = syntheticDataset({ users: 900, items: 300, perUser: 90, ratedShare: 1, noise: 0.3, seed: 11 });
  const order = shuffle(identity(ds.ratings.value.length), rng(3));
  const cut = Math.floor(order.length * 0.8);
  const train = only(ds, order.subarray(0, cut));
  const test = only(ds, order.subarray(cut));
  const mf = rmse(new MfSgd(MOVIELENS_MF), train, test);
  const mean = rmse(new GlobalMean(), train, test);
  const items = rmse(new Popularity(), train, test);
  t.ok(mf < mean, `MF ${mf.toFixed(4)} < global mean ${mean.toFixed(4)}`);
  t.ok(mf < items, `MF ${mf.toFixed(4)} < item means ${items.toFixed(4)}`);
  t.ok(mf < items - 0.02, `MF ${mf.toFixed(4)} is clearly below the item means ${items.toFixed(4)}`);
});
