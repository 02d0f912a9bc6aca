// A stream dated 2022 ingested now: the event lag is measured on the stream's
// own clock (0 when caught up, not 4 years); the distance between the
// stream's clock and the wall clock is a gauge of its own.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { CLOCK_OFFSET, eventClock } from '../../src/ingest/event-clock';
import { EVENT_LAG } from '../../src/ingest/metrics';
import { call } from '../http/harness';
import { eventually, spawnServe } from '../serve/spawn-serve';

const gauge = async (name: string) => (await register.getSingleMetric(name)!.get()).values[0]!.value;

t.test('behind the stream: lag is the newest time read minus the newest applied', async (t) => {
  const clock = eventClock();
  clock.read(['2022-03-01T10:00:00,1,GET /data/m/a+1/1.mpg', '2022-03-01T10:05:00,2,GET /data/m/a+1/2.mpg']);
  clock.applied(Date.parse('2022-03-01T10:00:00Z'));
  t.equal(await gauge(EVENT_LAG), 300, 'five minutes of stream time not yet applied');
  const offset = await gauge(CLOCK_OFFSET);
  t.ok(offset > 3 * 365 * 86400, `the stream's clock is years from the wall clock (${Math.round(offset)} s)`);
  clock.applied(Date.parse('2022-03-01T10:05:00Z'));
  t.equal(await gauge(EVENT_LAG), 0, 'caught up');
});

t.test('serve ingesting a 2022 stream reports no years-long lag', async (t) => {
  const root = t.testdir();
  const events = join(root, 'events.log');
  const lines = Array.from(
    { length: 200 },
    (_, i) =>
      `2022-06-01T12:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},` +
      `${i + 1},GET /data/m/film+${i % 9}+2000/1.mpg`,
  );
  writeFileSync(events, `${lines.join('\n')}\n`);
  const s = await spawnServe(t, join(root, 'data'), ['--from-file', events, '--follow']);
  const metrics = await eventually(async () => {
    const m = (await call(`${s.base}/metrics`)).body;
    return /movrec_ingest_lines_consumed_total\{kind="watch"\} 200/.test(m) ? m : undefined;
  });
  t.ok(metrics, 'the stream was ingested');
  const lag = Number(/^movrec_ingest_event_lag_seconds (\S+)$/m.exec(metrics ?? '')?.[1]);
  const offset = Number(/^movrec_ingest_stream_clock_offset_seconds (\S+)$/m.exec(metrics ?? '')?.[1]);
  t.equal(lag, 0, 'caught up: no event lag');
  const expected = (Date.now() - Date.parse('2022-06-01T12:03:19Z')) / 1000;
  t.ok(Math.abs(offset - expected) < 120, `the clock offset says how far 2022 is (${Math.round(offset)} s)`);
  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
});
