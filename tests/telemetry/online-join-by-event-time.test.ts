import t, { type Test } from 'tap';
import { DB } from '../../src/store/tables';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { createRequestIds } from '../../src/telemetry/request-id';
import { logger } from '../../src/log';
import { openStore } from '../../src/store/store';
import { createAnswerLog } from '../../src/telemetry/answer-log';
import { createOnlineJoin, type OnlineRow } from '../../src/telemetry/online-join';

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString().replace('Z', '');
const MODEL = 'mf-20260101T000000Z-aaaaaa';
// One boot for every run: the request ids in the rows are then the same.
const IDS = createRequestIds();

const LINES = [
  `${at(0)},1,recommendation request srv:8082, status 200, result: a+2001, b+2002, c+2003, 12 ms`,
  `${at(0.1)},2,recommendation request srv:8082, status 200, result: x+2001, y+2002, 15 ms`,
  `${at(0.2)},3,recommendation request srv:8082, status 0, result: ` +
    `java.util.concurrent.TimeoutException: Request timeout, 800 ms`,
  `${at(5)},1,GET /data/m/c+2003/0.mpg`,
  `${at(6)},1,GET /data/m/b+2002/0.mpg`,
  `${at(50)},1,GET /rate/b+2002=4`,
  `${at(59)},1,GET /rate/a+2001=2`,
  `${at(61)},2,GET /data/m/y+2002/0.mpg`,
  `${at(70)},1,GET /rate/c+2003=5`,
  `${at(200)},9,GET /data/m/z+2000/0.mpg`,
];

async function run(t: Test, batchLines: number) {
  const dataDir = t.testdir();
  const file = join(dataDir, 'stream.log');
  writeFileSync(file, `${LINES.join('\n')}\n`);
  const config = loadConfig({ env: {}, overrides: { dataDir, 'ingest.batchLines': batchLines } });
  const store = openStore(dataDir);
  // The server's side: the answer to user 1 is in the log, the list user 2 got is not.
  const answers = createAnswerLog({ ids: IDS, retentionDays: 0, maxBytes: 1 << 20, log: logger() });
  answers.record(1, 1, MODEL, 1, 'model', 200, 3, 'a+2001,b+2002,c+2003', 'stable');
  answers.record(2, 2, MODEL, 1, 'model', 200, 3, 'x+2001,q+2002', 'stable');
  const online = createOnlineJoin({ windowMs: 60 * 60_000, retentionDays: 30 });
  online.attach(answers);
  const ingest = startIngest({ config, store, source: fileSource({ path: file, batchLines }), observer: online });
  await ingest.done;
  const rows: [unknown, OnlineRow][] = [];
  for (const { key, value } of store.root.openDB<OnlineRow>({ name: DB.online }).getRange({})) rows.push([key, value]);
  await answers.close();
  await store.close();
  return { rows, online };
}

t.test(
  'request lines join later watches and ratings of listed titles by event time, attributed through the answer log',
  async (t) => {
    const { rows, online } = await run(t, 1000);
    t.equal(rows.length, 3, 'one row per request line');
    const byUser = new Map(rows.map(([k, v]) => [(k as number[])[1], v]));
    const [st1, ms1, model1, arm1, rid1, len1, pos1, rated1, sum1] = byUser.get(1)!;
    t.same([st1, ms1, model1, arm1, len1], [200, 12, MODEL, 'stable', 3], 'matched to the answer: model and arm');
    t.match(rid1, /-0{7}1$/, 'and its request id');
    t.equal(pos1, 3, 'the first listed title watched within the window is c (position 3), not the later b');
    t.same([rated1, sum1], [2, 6], 'ratings of listed titles within 60 minutes (b=4, a=2); c at 70 minutes is outside');
    const u2 = byUser.get(2)!;
    t.same([u2[2], u2[3], u2[4]], ['none', 'none', null], 'a list the server never answered is unmatched');
    t.equal(u2[6], 0, 'a watch 61 minutes later is not a hit');
    const u3 = byUser.get(3)!;
    t.same([u3[0], u3[1], u3[2]], [0, 800, 'none'], 'a status 0 line is counted, with the latency the client saw');
    const stable = online.arm('stable')!;
    t.same([...stable.perUser], [[1, { answers: 1, hits: 1 }]], 'the outcome reader: per-user answers and hits');
    t.same(stable.models, [MODEL]);
    // What the canary guard and experiments rely on: an arm's outcomes from its start (event time) on.
    t.same([...online.arm('stable', T + 60_000)!.perUser], [], 'answers before sinceMs (event time) are left out');
    t.same([...online.arm('stable', T)!.perUser], [[1, { answers: 1, hits: 1 }]], 'answers from sinceMs on count');
    t.equal(stable.answers, 2, 'answers the server recorded under the arm');
    t.equal(online.pending(), 0, 'every window has closed on the stream clock');
  },
);

t.test('the same stream in other batch sizes gives the same rows (event time, not arrival)', async (t) => {
  const a = await run(t, 1000);
  const b = await run(t, 1);
  const c = await run(t, 3);
  t.same(b.rows, a.rows);
  t.same(c.rows, a.rows);
});
