// The per-request tallies must read exactly like the prom-client metrics they
// replace: the same exposition text for the same observations (bucket edges
// included), the same JSON for the merge with the workers, and a reset.
import t from 'tap';
import { AggregatorRegistry, Counter, Histogram, Registry, register } from 'prom-client';
import { tallyCounter, tallyHistogram } from '../../src/http/tally';

const BUCKETS = [0.001, 0.005, 0.01, 0.5];
// On an edge (counted in that bucket, as prom-client's le is inclusive), between edges, past the last, zero.
const VALUES = [0, 0.001, 0.0010001, 0.004, 0.005, 0.02, 0.5, 0.75, 3, 0.003];

t.test('a tally histogram and counter print as prom-client prints the same observations', async (t) => {
  const h = tallyHistogram({ name: 'test_tally_seconds', help: 'h', labelName: 'route', buckets: BUCKETS });
  const c = tallyCounter({ name: 'test_tally_total', help: 'c', labelNames: ['route', 'status'] });
  const ref = new Registry();
  const rh = new Histogram({ name: 'test_tally_seconds', help: 'h', labelNames: ['route'], buckets: BUCKETS, registers: [ref] });
  const rc = new Counter({ name: 'test_tally_total', help: 'c', labelNames: ['route', 'status'], registers: [ref] });
  for (const [x, v] of VALUES.entries()) {
    const route = x % 3 === 0 ? 'metrics' : 'recommend';
    h.labels(route).observe(v);
    rh.labels(route).observe(v);
    c.labels(route, String(x % 2 ? 200 : 429)).inc();
    rc.labels(route, String(x % 2 ? 200 : 429)).inc();
  }
  t.equal(await register.getSingleMetricAsString('test_tally_seconds'), await ref.getSingleMetricAsString('test_tally_seconds'), 'histogram text');
  t.equal(await register.getSingleMetricAsString('test_tally_total'), await ref.getSingleMetricAsString('test_tally_total'), 'counter text');

  // Merged as /metrics merges the main registry with the workers': the same as prom-client's own.
  const mine = (await register.getMetricsAsJSON()).filter((m) => m.name.startsWith('test_tally_'));
  const theirs = await ref.getMetricsAsJSON();
  const merged = await AggregatorRegistry.aggregate([mine, mine]).metrics();
  t.equal(merged, await AggregatorRegistry.aggregate([theirs, theirs]).metrics(), 'two copies merged: every count doubled, as with prom-client');
  t.match(merged, /test_tally_seconds_count\{route="recommend"\} 12\n/);

  t.equal(tallyHistogram({ name: 'test_tally_seconds', help: 'h', labelName: 'route', buckets: BUCKETS }), h, 'declared twice in one process: one metric');
  h.reset();
  c.reset();
  rh.reset();
  rc.reset();
  h.labels('recommend').observe(0.002);
  rh.labels('recommend').observe(0.002);
  t.match(await register.getSingleMetricAsString('test_tally_seconds'), /test_tally_seconds_count\{route="recommend"\} 1$/m, 'reset starts from zero');
  t.match(await register.getSingleMetricAsString('test_tally_total'), /test_tally_total\{route="recommend",status="200"\} 0/);
});
