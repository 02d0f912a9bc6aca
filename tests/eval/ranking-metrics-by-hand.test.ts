// Recall, NDCG, hit rate, MAP, coverage and the adult-to-minors share on a
// case small enough to compute by hand; seen items and adult titles for
// minors are filtered as serving does.
import t from 'tap';
import type { Dataset } from '../../src/domain/dataset';
import type { Recommender } from '../../src/model/recommender';
import { evaluate, groupKeys, topK } from '../../src/eval/evaluate';

function ds(rows: [number, number][], watches: [number, number][]): Dataset {
  return {
    userIds: Uint32Array.from([10, 20]),
    itemIds: ['a', 'b', 'c', 'd', 'e'],
    ratings: {
      user: Uint32Array.from(rows.map((r) => r[0])),
      item: Uint32Array.from(rows.map((r) => r[1])),
      value: Float32Array.from(rows.map(() => 4)),
      time: Float64Array.from(rows.map(() => 1)),
    },
    watches: {
      user: Uint32Array.from(watches.map((r) => r[0])),
      item: Uint32Array.from(watches.map((r) => r[1])),
      fraction: Float32Array.from(watches.map(() => 1)),
      time: Float64Array.from(watches.map(() => 1)),
    },
    users: [
      { age: 30, gender: 'F', occupation: 'artist' },
      { age: 12, gender: 'M', occupation: 'student' },
    ],
    adult: Uint8Array.from([0, 0, 1, 0, 0]),
    ratingMax: 5,
    meta: { source: 'hand', from: 0, to: 1, hash: 'h' },
  };
}

/** Scores items by a fixed preference: e > d > c > b > a for everyone; predicts 3.5. */
const fixed: Recommender = {
  kind: 'fixed',
  fit() {},
  predict: () => 3.5,
  scoreAll: (_u, out) => out.set([1, 2, 3, 4, 5]),
  serving: () => null,
  hyperparameters: () => ({}),
};

t.test('top-K keeps the best scores, best first, skipping excluded items', async (t) => {
  t.same(
    topK(Float32Array.from([0.1, 0.9, 0.5, 0.7, 0.3]), 3, () => false),
    [1, 3, 2],
  );
  t.same(
    topK(Float32Array.from([0.1, 0.9, 0.5, 0.7, 0.3]), 2, (i) => i === 1),
    [3, 2],
  );
  t.same(
    topK(Float32Array.from([1, 1, 1]), 2, () => false),
    [0, 1],
    'ties go to the lower index',
  );
});

t.test('metrics at K=2 by hand', async (t) => {
  // User 0 (adult woman) saw e before; test: d (relevant), a (relevant). Top-2 unseen: d, c -> hit at rank 1.
  // User 1 (minor) saw a; test: c (adult, relevant but never shown), b. Top-2 without adult: e, d -> no hit.
  const train = ds([[0, 4]], [[1, 0]]);
  const test = ds(
    [
      [0, 3],
      [1, 1],
    ],
    [
      [0, 0],
      [1, 2],
    ],
  );
  const r = evaluate(fixed, train, test, { k: 2, maxUsers: 0 });
  t.equal(r.users, 2);
  t.equal(r.recall, (1 / 2 + 0) / 2);
  t.equal(r.hitRate, 0.5);
  t.equal(r.ndcg, (1 / (1 + 1 / Math.log2(3)) + 0) / 2);
  t.equal(r.map, (1 / 2 + 0) / 2);
  t.equal(r.adultToMinors, 0, 'adult titles never reach the minor');
  t.equal(r.minorsServed, 1);
  t.equal(r.coverage, 3 / 5, 'd, c, e were recommended');
  t.equal(r.ratings, 2);
  t.equal(r.rmse, 0.5);
  t.equal(r.mae, 0.5);
  t.equal(r.groups['gender=F']!.users, 1);
  t.equal(r.groups['age=<18&occupation=student']!.hitRate, 0);
  t.equal(r.groups['gender=F&age=25-34']!.recall, 0.5);
  t.equal(r.groups['gender=F&age=25-34&occupation=artist']!.users, 1, 'the triple intersection is a group too');
});

t.test('group keys cover each attribute, every pair and the triple', async (t) => {
  t.same(groupKeys({ age: 40, gender: 'M', occupation: 'doctor' }), [
    'gender=M',
    'age=35-44',
    'occupation=doctor',
    'gender=M&age=35-44',
    'gender=M&occupation=doctor',
    'age=35-44&occupation=doctor',
    'gender=M&age=35-44&occupation=doctor',
  ]);
  t.same(groupKeys(null).slice(0, 3), ['gender=unknown', 'age=unknown', 'occupation=unknown']);
});
