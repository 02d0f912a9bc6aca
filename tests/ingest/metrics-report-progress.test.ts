// The ingest metrics move with the stream: lines by kind, rejects by reason,
// event lag, commit latency; names follow movrec_<subsystem>_<name>_<unit>.
import t from 'tap';
import { join } from 'node:path';
import { register } from 'prom-client';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { COMMIT, EVENT_LAG, LINES, REJECTED } from '../../src/ingest/metrics';
import { fileSource } from '../../src/ingest/source-file';
import { openStore } from '../../src/store/store';

const FIXTURE = join(__dirname, '..', 'fixtures', 'ingest-sample.lines');

interface Sample {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
}
const values = async (name: string): Promise<Sample[]> =>
  (await register.getSingleMetric(name)!.get()).values as Sample[];

t.test('metrics after ingesting the sample stream', async (t) => {
  const dir = t.testdir();
  const store = openStore(dir);
  t.teardown(() => store.close());
  const h = startIngest({
    config: loadConfig({ env: {}, overrides: { dataDir: dir } }),
    store,
    source: fileSource({ path: FIXTURE, batchLines: 5 }),
  });
  await h.done;

  const byLabel = (vs: Sample[], label: string) =>
    Object.fromEntries(vs.map((v) => [String(v.labels[label]), v.value]));
  t.same(byLabel(await values(LINES), 'kind'), { watch: 7, rate: 4, request: 2, account: 1, reject: 3 });
  t.same(byLabel(await values(REJECTED), 'reason'), { 'rating-out-of-range': 1, malformed: 2 });
  const lag = (await values(EVENT_LAG))[0]!.value;
  t.equal(lag, 0, "caught up with the stream: no event lag, on the stream's own clock");
  const count = (await values(COMMIT)).find((v) => v.metricName === `${COMMIT}_count`)!.value;
  t.equal(count, h.stats().transactions, 'one commit latency sample per transaction');
  t.ok(count >= 4, 'batches of 5 lines make several transactions');
  for (const name of [LINES, REJECTED, EVENT_LAG, COMMIT])
    t.match(name, /^movrec_ingest_[a-z_]+_(total|seconds|messages)$/);
});
