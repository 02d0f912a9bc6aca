// `movrec train` serves the best NDCG@20 among candidates whose lists cover at
// least train.minCoverage of the titles on its time split: a chart that scores
// a little higher but shows every user the same titles does not serve.
import t from 'tap';
import { defaults } from '../../config/defaults';
import { syntheticDataset } from '../../src/model/synthetic';
import { chooseServing, trainAndRegister } from '../../src/train/train';

t.test('the coverage floor comes before NDCG@20', async (t) => {
  const results = new Map([
    ['chart', { ndcg: 0.3, coverage: 0.05 }],
    ['blend', { ndcg: 0.28, coverage: 0.25 }],
    ['wide', { ndcg: 0.1, coverage: 0.6 }],
  ]);
  const labels = [...results.keys()];
  t.equal(chooseServing(labels, results, 0.2, 'x'), 'blend', 'best NDCG@20 among those covering 20%');
  t.equal(chooseServing(labels, results, 0, 'x'), 'chart', 'no floor: the best NDCG@20');
  t.equal(chooseServing(labels, results, 0.9, 'x'), 'chart', 'none covers 90%: the best NDCG@20 of all');
  t.equal(chooseServing([], results, 0.2, 'x'), 'x', 'no candidates: the fallback');
});

t.test('a trained model serves the best NDCG@20 of the candidates that meet the floor', async (t) => {
  const ds = syntheticDataset({ users: 200, items: 120, perUser: 25 });
  type Measured = { ndcg20: number; coverage: number };
  const train = (minCoverage: number) => {
    const dataDir = t.testdir();
    const m = trainAndRegister({
      dataDir,
      config: { ...defaults, dataDir, train: { ...defaults.train, factors: 8, epochs: 5, minCoverage } },
      dataset: ds,
      kinds: ['ials', 'popularity'],
      evalMaxUsers: 100,
    }).manifest.metrics;
    return {
      ndcg20: m.ndcg20 as number,
      coverage: m.coverage as number,
      rankingModel: m.rankingModel as string,
      candidates: m.candidates as Record<string, Measured>,
    };
  };
  const free = train(0);
  const all = Object.entries(free.candidates);
  t.equal(free.ndcg20, Math.max(...all.map(([, c]) => c.ndcg20)), 'no floor: the best NDCG@20 serves');
  const above = all.filter(([, c]) => c.coverage > free.coverage);
  t.ok(above.length > 0, `some candidate covers more than the free winner ${free.rankingModel}`);
  // The floor: the least coverage above the free winner's that a candidate reaches.
  const target = Math.min(...above.map(([, c]) => c.coverage));
  const floored = train(target);
  const meeting = all.filter(([, c]) => c.coverage >= target);
  t.ok(floored.coverage >= target, `${floored.rankingModel} covers ${floored.coverage} >= ${target}`);
  t.equal(floored.ndcg20, Math.max(...meeting.map(([, c]) => c.ndcg20)), 'the best NDCG@20 of those that meet it');
  t.ok(floored.ndcg20 < free.ndcg20, 'the floor cost NDCG@20 on the split here');
});
