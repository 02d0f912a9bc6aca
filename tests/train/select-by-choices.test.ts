// train.selectBy 'choices' (the default): the serving model is the candidate whose ranking best orders the
// lists users chose from in the split's test period (the chosen title against the others shown), and the
// manifest says so; with fewer than MIN_CHOICES such lists it selects by NDCG@20. The metric itself reads
// 1 for scores that put every chosen title first, 0 last, 0.5 constant.
import t from 'tap';
import type { Test } from 'tap';
import { open } from 'lmdb';
import { join } from 'node:path';
import { defaults } from '../../config/defaults';
import type { Choices, Dataset } from '../../src/domain/dataset';
import { choiceOrder } from '../../src/eval/choice-order';
import { timeSplit } from '../../src/eval/split';
import type { Recommender } from '../../src/model/recommender';
import { rng } from '../../src/model/rng';
import { syntheticDataset } from '../../src/model/synthetic';
import { MIN_CHOICES, trainAndRegister } from '../../src/train/train';

const base = syntheticDataset({ users: 300, items: 120, perUser: 25, ratedShare: 1, seed: 4 });

/**
 * Lists of ten titles, each with one the user rated at least 4 late in the stream (the one chosen) and nine
 * others, at that rating's time: `count` of them.
 */
function withChoices(ds: Dataset, count: number): Dataset {
  const next = rng(9);
  const r = ds.ratings;
  const cut = timeSplit(ds);
  const late = Math.min(...cut.test.ratings.time);
  const rows: { user: number; time: number; items: number[]; chosen: number }[] = [];
  for (let n = 0; n < r.value.length && rows.length < count; n++) {
    if (r.value[n]! < 4 || r.time[n]! < late) continue;
    const shown = new Set<number>([r.item[n]!]);
    while (shown.size < 10) shown.add(Math.floor(next() * ds.itemIds.length));
    rows.push({ user: r.user[n]!, time: r.time[n]!, items: [...shown].sort((a, b) => a - b), chosen: r.item[n]! });
  }
  const indptr = new Uint32Array(rows.length + 1);
  rows.forEach((x, j) => {
    indptr[j + 1] = indptr[j]! + x.items.length;
  });
  const choices: Choices = {
    user: Uint32Array.from(rows, (x) => x.user),
    time: Float64Array.from(rows, (x) => x.time),
    indptr,
    items: Uint32Array.from(rows.flatMap((x) => x.items)),
    chosen: Uint32Array.from(rows, (x) => x.chosen),
  };
  return { ...ds, choices };
}

t.test('choice order by hand: chosen first, last and constant scores', async (t) => {
  const ds = withChoices(base, 300);
  const test = timeSplit(ds).test;
  const chosen = new Set<number>();
  const c = test.choices!;
  for (let r = 0; r < c.user.length; r++) chosen.add(c.user[r]! * ds.itemIds.length + c.chosen[r]!);
  const scorer = (sign: number): Recommender => ({
    kind: `sign ${sign}`,
    fit() {},
    predict: () => 3,
    scoreAll(u, out) {
      for (let i = 0; i < out.length; i++) out[i] = sign * (chosen.has(u * ds.itemIds.length + i) ? 1 : 0);
    },
    serving: () => null,
    hyperparameters: () => ({}),
  });
  const first = choiceOrder(scorer(1), test);
  t.ok(first.lists >= 100, `${first.lists} lists measured`);
  // A user who chose twice has both chosen titles scored 1: where one was shown beside the other, a tie.
  t.ok(first.agreement! > 0.95, `chosen first: ${first.agreement}`);
  t.ok(choiceOrder(scorer(-1), test).agreement! < 0.05, 'chosen last');
  t.equal(choiceOrder(scorer(0), test).agreement, 0.5, 'constant');
  t.same(choiceOrder(scorer(1), timeSplit(base).test), { agreement: null, lists: 0 }, 'no choices, no figure');
});

const train = (ds: Dataset, t: Test) => {
  const dataDir = t.testdir();
  const root = open({ path: join(dataDir, 'lmdb') });
  t.teardown(() => root.close());
  const config = { ...defaults, train: { ...defaults.train, factors: 8, epochs: 5, minCoverage: 0 } };
  t.equal(config.train.selectBy, 'choices', 'the default rule');
  return trainAndRegister({ dataDir, config, dataset: ds, root, kinds: ['mf', 'ials-liking', 'popularity'] }).manifest
    .metrics as {
    rankingModel: string;
    selectedBy: string;
    choiceLists: number;
    candidates: Record<string, { choiceOrder?: number; ndcg20: number }>;
  };
};

t.test('selects the candidate that best orders the lists chosen from', async (t) => {
  const m = train(withChoices(base, 2000), t);
  t.equal(m.selectedBy, 'choices');
  t.ok(m.choiceLists >= MIN_CHOICES, `${m.choiceLists} lists chosen from in the test period`);
  const orders = Object.entries(m.candidates);
  t.ok(
    orders.every(([, c]) => typeof c.choiceOrder === 'number'),
    'every candidate measured',
  );
  const best = orders.reduce((a, b) => (b[1].choiceOrder! > a[1].choiceOrder! ? b : a));
  t.equal(m.rankingModel, best[0], `${best[0]} orders the choices best (${best[1].choiceOrder})`);
});

t.test('too few lists chosen from: selects by NDCG@20', async (t) => {
  const m = train(withChoices(base, 20), t);
  t.equal(m.selectedBy, 'ndcg20');
  t.ok(m.choiceLists < MIN_CHOICES, `${m.choiceLists} lists`);
  const best = Object.entries(m.candidates).reduce((a, b) => (b[1].ndcg20 > a[1].ndcg20 ? b : a));
  t.equal(m.rankingModel, best[0]);
});
