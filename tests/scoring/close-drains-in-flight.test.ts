// close() lets every queued and running answer finish before the pool goes,
// and the workers' metrics merge into one registry while they live.
import t from 'tap';
import { AggregatorRegistry } from 'prom-client';
import { createScorer } from '../../src/scoring/scorer';
import { SCORING_COLD_START, SCORING_LATENCY } from '../../src/scoring/metrics';
import { fillStore, writeModel } from '../helpers/scoring';

t.test('in-flight answers all complete across close()', async (t) => {
  const dir = t.testdir();
  const users = Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    info: { age: 20 + i, gender: 'M' as const, occupation: null },
    seen: [i, i + 1, i + 2],
  }));
  await fillStore(dir, users);
  const file = writeModel(dir, {
    id: 'mf-20261122T030000Z-cccccc',
    users: users.slice(0, 30).map((u) => u.id),
    items: 2000,
    factors: 32,
  });
  const scorer = await createScorer({ dataDir: dir, threads: 2, listSize: 20, unknownAgeIsMinor: true });
  await scorer.loadModel(file);

  const pending = users.flatMap((u) => [scorer.recommend(u.id), scorer.recommend(u.id, 'canary')]);
  t.ok(scorer.queueDepth() > 0, 'answers are queued when close is called');
  await scorer.close();
  const answers = await Promise.allSettled(pending);
  t.equal(answers.filter((a) => a.status === 'fulfilled').length, pending.length, 'every in-flight answer completed');
  for (const a of answers) if (a.status === 'fulfilled') t.equal(a.value.line.split(',').length, 20);
  await t.rejects(scorer.loadModel(file), { code: 'MOVREC_ERR_CONFIG', message: /closed/ });
  await t.rejects(scorer.recommend(1), { code: 'MOVREC_ERR_CONFIG', message: /closed/ });
});

t.test('worker metrics count answers and cold starts across threads', async (t) => {
  const dir = t.testdir();
  await fillStore(dir, [{ id: 1, info: null, seen: [1, 2, 3] }]);
  const scorer = await createScorer({ dataDir: dir, threads: 2, listSize: 5, unknownAgeIsMinor: true });
  t.teardown(() => scorer.close());
  await scorer.loadModel(writeModel(dir, { id: 'mf-20261122T030000Z-dddddd', users: [1], items: 50 }));
  const n = 30;
  await Promise.all(Array.from({ length: n }, (_, i) => scorer.recommend(i % 2 === 0 ? 1 : 1000 + i)));
  const merged = AggregatorRegistry.aggregate(await scorer.workerMetrics());
  const json = await merged.getMetricsAsJSON();
  const latency = json.find((m) => m.name === SCORING_LATENCY)!;
  const count = latency.values.find((v) => (v as { metricName?: string }).metricName === `${SCORING_LATENCY}_count`);
  t.equal(count?.value, n, 'every answer observed once, summed over workers');
  const cold = json.find((m) => m.name === SCORING_COLD_START)!;
  t.equal(
    cold.values.reduce((s, v) => s + v.value, 0),
    n / 2,
    'unknown users counted as cold starts',
  );
});
