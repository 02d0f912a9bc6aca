// mf-demographic on planted segment tastes: two segments like opposite halves of
// the catalog, and each user has rated only three titles. Its shared segment
// part carries the taste to every member, so it predicts unseen pairs better than
// plain MF and the item means, and ranks the segment's half first.
import t from 'tap';
import type { Dataset, UserInfo } from '../../src/domain/dataset';
import { DemographicMf } from '../../src/model/mf-demographic';
import { MfSgd } from '../../src/model/mf-sgd';
import { Popularity } from '../../src/model/popularity';
import type { Recommender } from '../../src/model/recommender';
import { rng } from '../../src/model/rng';

const USERS = 600;
const ITEMS = 40;
const next = rng(21);
const users: UserInfo[] = Array.from({ length: USERS }, (_, u) => ({
  age: 30,
  gender: u % 2 === 0 ? 'M' : 'F',
  occupation: 'other',
}));
/** Men like the first half of the catalog, women the second. */
const likes = (u: number, i: number): boolean => (u % 2 === 0) === i < ITEMS / 2;
const rating = (u: number, i: number): number =>
  Math.max(1, Math.min(5, Math.round(3 + (likes(u, i) ? 1.2 : -1.2) + (next() - 0.5))));

function dataset(perUser: number): Dataset {
  const user: number[] = [];
  const item: number[] = [];
  const value: number[] = [];
  for (let u = 0; u < USERS; u++) {
    const picked = new Set<number>();
    while (picked.size < perUser) picked.add(Math.floor(next() * ITEMS));
    for (const i of picked) user.push(u), item.push(i), value.push(rating(u, i));
  }
  const none = { user: new Uint32Array(0), item: new Uint32Array(0), fraction: new Float32Array(0) };
  return {
    userIds: Uint32Array.from({ length: USERS }, (_, u) => u + 1),
    itemIds: Array.from({ length: ITEMS }, (_, i) => `movie+${i}+2000`),
    ratings: {
      user: Uint32Array.from(user),
      item: Uint32Array.from(item),
      value: Float32Array.from(value),
      time: new Float64Array(user.length),
    },
    watches: { ...none, time: new Float64Array(0) },
    users,
    adult: new Uint8Array(ITEMS),
    ratingMax: 5,
    meta: { source: 'planted segments', from: 0, to: 0, hash: 'planted' },
  };
}

const train = dataset(3);
const test = dataset(10);
const rmse = (m: Recommender): number => {
  m.fit(train);
  const r = test.ratings;
  let se = 0;
  for (let j = 0; j < r.value.length; j++) se += (m.predict(r.user[j]!, r.item[j]!) - r.value[j]!) ** 2;
  return Math.sqrt(se / r.value.length);
};

t.test('the segment part carries a taste that three ratings per user cannot', async (t) => {
  const dm = new DemographicMf();
  const ours = rmse(dm);
  const mf = rmse(new MfSgd({ factors: 16, epochs: 30, lr: 0.01, reg: 0.05 }));
  const items = rmse(new Popularity());
  t.ok(ours < mf - 0.1, `mf-demographic ${ours.toFixed(3)} well below plain MF ${mf.toFixed(3)}`);
  t.ok(ours < items - 0.1, `mf-demographic ${ours.toFixed(3)} well below the item means ${items.toFixed(3)}`);
  const out = new Float32Array(ITEMS);
  let ownHalf = 0;
  for (let u = 0; u < USERS; u++) {
    dm.scoreAll(u, out);
    const top = Array.from(out.keys())
      .sort((a, b) => out[b]! - out[a]!)
      .slice(0, 10);
    ownHalf += top.filter((i) => likes(u, i)).length;
  }
  t.ok(ownHalf / (USERS * 10) > 0.9, `${((100 * ownHalf) / (USERS * 10)).toFixed(1)}% of top-10 slots in the own half`);
  const s = dm.serving();
  t.equal(s.userFactors.length, USERS * s.factors, 'serves one composed vector per user');
});
