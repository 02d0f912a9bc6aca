// The per-request tallies must read exactly like the prom-client metrics they
// replace: the same exposition text for the same observations (bucket edges
// included), the same JSON for the merge with the workers, and a reset.
import t from 'tap';
import { AggregatorRegistry, Counter, Histogram, Registry, register } from 'prom-client';
import { tallyCounter, tallyHistogram } from '../../src/tally';

const BUCKETS = [0.001, 0.005, 0.01, 0.5];
// On an edge (counted in that bucket, as prom-client's le is inclusive), between edges, past the last, zero.
const VALUES = [0, 0.001, 0.0010001, 0.004, 0.005, 0.02, 0.5, 0.75, 3, 0.003];

t.test('a tally histogram and counter print as prom-client prints the same observations', async (t) => {
  const h = tallyHistogram({ name: 'test_tally_seconds', help: 'h', labelName: 'route', buckets: BUCKETS });
  const c = tallyCounter({ name: 'test_tally_total', help: 'c', labelNames: ['route', 'status'] });
  const ref = new Registry();
  const rh = new Histogram({
    name: 'test_tally_seconds',
    help: 'h',
    labelNames: ['route'],
    buckets: BUCKETS,
    registers: [ref],
  });
  const rc = new Counter({ name: 'test_tally_total', help: 'c', labelNames: ['route', 'status'], registers: [ref] });
  for (const [x, v] of VALUES.entries()) {
    const route = x % 3 === 0 ? 'metrics' : 'recommend';
    h.labels(route).observe(v);
    rh.labels(route).observe(v);
    c.labels(route, String(x % 2 ? 200 : 429)).inc();
    rc.labels(route, String(x % 2 ? 200 : 429)).inc();
  }
  t.equal(
    await register.getSingleMetricAsString('test_tally_seconds'),
    await ref.getSingleMetricAsString('test_tally_seconds'),
    'histogram text',
  );
  t.equal(
    await register.getSingleMetricAsString('test_tally_total'),
    await ref.getSingleMetricAsString('test_tally_total'),
    'counter text',
  );

  // Merged as /metrics merges the main registry with the workers': the same as prom-client's own.
  const mine = (await register.getMetricsAsJSON()).filter((m) => m.name.startsWith('test_tally_'));
  const theirs = await ref.getMetricsAsJSON();
  const merged = await AggregatorRegistry.aggregate([mine, mine]).metrics();
  t.equal(
    merged,
    await AggregatorRegistry.aggregate([theirs, theirs]).metrics(),
    'two copies merged: every count doubled, as with prom-client',
  );
  t.match(merged, /test_tally_seconds_count\{route="recommend"\} 12\n/);

  t.equal(
    tallyHistogram({ name: 'test_tally_seconds', help: 'h', labelName: 'route', buckets: BUCKETS }),
    h,
    'declared twice in one process: one metric',
  );
  h.reset();
  c.reset();
  rh.reset();
  rc.reset();
  h.labels('recommend').observe(0.002);
  rh.labels('recommend').observe(0.002);
  t.match(
    await register.getSingleMetricAsString('test_tally_seconds'),
    /test_tally_seconds_count\{route="recommend"\} 1$/m,
    'reset starts from zero',
  );
  t.match(
    await register.getSingleMetricAsString('test_tally_total'),
    /test_tally_total\{route="recommend",status="200"\} 0/,
  );
});

t.test(
  "a tally in its own registry (a scoring worker's) observing a value many times reads as " +
    'prom-client observing it one by one',
  async (t) => {
    const mine = new Registry();
    const ref = new Registry();
    const h = tallyHistogram({
      name: 'test_tally_batch_seconds',
      help: 'b',
      labelName: 'role',
      buckets: BUCKETS,
      registry: mine,
    });
    const rh = new Histogram({
      name: 'test_tally_batch_seconds',
      help: 'b',
      labelNames: ['role'],
      buckets: BUCKETS,
      registers: [ref],
    });
    for (const [v, times] of [
      [0.004, 28],
      [0.0002, 1],
      [0.7, 3],
      [0.005, 0],
    ] as const) {
      h.labels('stable').observe(v, times);
      for (let x = 0; x < times; x++) rh.labels({ role: 'stable' }).observe(v);
    }
    // v x times and v added times over round differently in the last bit: the sum is compared as a number.
    const text = async (r: Registry) => (await r.getSingleMetricAsString('test_tally_batch_seconds')).split('\n');
    const sumOf = (lines: string[]) =>
      Number(lines.find((l) => l.startsWith('test_tally_batch_seconds_sum'))!.split(' ')[1]);
    const [got, want] = [await text(mine), await text(ref)];
    t.same(
      got.filter((l) => !l.includes('_sum')),
      want.filter((l) => !l.includes('_sum')),
      'histogram text, buckets and count',
    );
    t.ok(Math.abs(sumOf(got) - sumOf(want)) < 1e-12, `sum ${sumOf(got)} vs ${sumOf(want)}`);
    t.ok(got.includes('test_tally_batch_seconds_count{role="stable"} 32'), '28 + 1 + 3 observations');
    t.equal(register.getSingleMetric('test_tally_batch_seconds'), undefined, 'not in the default registry');
  },
);
