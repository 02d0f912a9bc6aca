// The joined online outcomes (LMDB sub-db `online`) are kept for
// telemetry.onlineDays of stream event time: `movrec serve` ingesting a stream
// prunes the rows older than that behind the stream's clock, keeps the newer
// ones, and `movrec report online` then counts only what is kept. The same
// stream with a long retention keeps every row: the pruning is the setting's.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';
import { call } from '../http/harness';
import { eventually, spawnServe } from '../serve/spawn-serve';
import { openStore } from '../../src/store/store';
import { DB, type RequestKey } from '../../src/store/tables';
import type { OnlineRow } from '../../src/telemetry/online-join';
import type { OnlineReport } from '../../src/telemetry/online-report';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString().replace('Z', '');
const request = (ms: number, user: number) =>
  `${at(ms)},${user},recommendation request srv:8082, status 200, result: a+2001, b+2002, c+2003, 12 ms`;
const start = (ms: number, user: number, movie: string) => `${at(ms)},${user},GET /data/m/${movie}/0.mpg`;

/** 6 lists on day 0 (3 watched from), 8 on day 3 (4 watched from), then 600 lines that move the clock on. */
function stream(): string[] {
  const lines: string[] = [];
  for (let u = 1; u <= 6; u++) lines.push(request(u * 60_000, u));
  for (let u = 1; u <= 3; u++) lines.push(start(10 * 60_000 + u, u, 'b+2002'));
  for (let u = 11; u <= 18; u++) lines.push(request(3 * DAY + u * 60_000, u));
  for (let u = 11; u <= 14; u++) lines.push(start(3 * DAY + 30 * 60_000 + u, u, 'a+2001'));
  for (let i = 0; i < 600; i++) lines.push(start(3 * DAY + 2 * 3_600_000 + i * 1000, 99, 'z+2000'));
  return lines;
}

/** Serves (and so joins) the stream with that retention, stops, and reads back the rows and the report. */
async function ingestWith(t: Test, onlineDays: number): Promise<{ times: number[]; report: OnlineReport }> {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const lines = stream();
  const file = join(dir, 'stream.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const cfg = join(dir, 'cfg.json');
  // One line a batch: every batch is a transaction the join writes its rows in, and it prunes once every few
  // hundred batches (online-join.ts PRUNE_EVERY_TAKES), which the 600 lines after day 3 pass.
  writeFileSync(cfg, JSON.stringify({ telemetry: { onlineDays, joinWindowMinutes: 60 }, ingest: { batchLines: 1 } }));
  const s = await spawnServe(t, dataDir, ['--config', cfg, '--from-file', file]);
  const consumed = await eventually(async () => {
    const body = (await call(`${s.base}/metrics`)).body;
    // One counter per line kind: their sum is every line read.
    let n = 0;
    for (const m of body.matchAll(/^movrec_ingest_lines_consumed_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
    return n >= lines.length ? true : undefined;
  }, 1200);
  t.ok(consumed, 'the server ingested the whole stream');
  s.child.kill('SIGTERM');
  t.equal((await s.exited).code, 0, 'and stopped cleanly');

  const store = openStore(dataDir, { readOnly: true });
  const times: number[] = [];
  try {
    for (const k of store.root.openDB<OnlineRow, RequestKey>({ name: DB.online }).getKeys({})) times.push(k[0]);
  } finally {
    await store.close();
  }
  const r = movrec(['report', 'online', '--json', '--data-dir', dataDir]);
  t.equal(r.status, 0, `movrec report online: ${r.stderr}`);
  return { times, report: JSON.parse(r.stdout) as OnlineReport };
}

const sum = (rep: OnlineReport, f: (g: OnlineReport['groups'][number]) => number): number =>
  rep.groups.reduce((s, g) => s + f(g), 0);

t.test(
  'online rows older than telemetry.onlineDays are pruned; newer stay; the report counts what stays',
  async (t) => {
    const short = await ingestWith(t, 1);
    t.equal(short.times.length, 8, 'the 8 rows of day 3 stay');
    t.ok(
      short.times.every((x) => x >= T0 + 3 * DAY),
      'no row older than a day behind the stream clock is left',
    );
    t.equal(
      sum(short.report, (g) => g.requests),
      8,
      'the report counts the kept request lines only',
    );
    t.equal(
      sum(short.report, (g) => g.users),
      8,
      'and their users',
    );
    const hits = sum(short.report, (g) => g.watchFromListRate * g.lists);
    t.equal(Math.round(hits), 4, 'and their watches from the list (4 of 8, not 7 of 14)');

    const long = await ingestWith(t, 30);
    t.equal(long.times.length, 14, 'with 30 days every row of the same stream stays');
    t.equal(
      sum(long.report, (g) => g.requests),
      14,
      'and the report counts all 14',
    );
    t.equal(Math.round(sum(long.report, (g) => g.watchFromListRate * g.lists)), 7, 'and all 7 watches from the list');
  },
);
