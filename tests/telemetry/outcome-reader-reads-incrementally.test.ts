// The outcome reader the canary guard polls: reading an arm again with the
// same sinceMs adds only what the join closed since (it does not walk the
// arm's whole history each time), and gives the same per-user outcomes as a
// first read of everything; answers before sinceMs (event time) never count.
import t from 'tap';
import type { AcceptedLine } from '../../src/ingest/line-observer';
import { logger } from '../../src/log';
import { createAnswerLog } from '../../src/telemetry/answer-log';
import { createOnlineJoin } from '../../src/telemetry/online-join';
import { createRequestIds } from '../../src/telemetry/request-id';

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;
const MODEL = 'mf-20260101T000000Z-aaaaaa';
const list = (u: number) => [`a${u}+2001`, `b${u}+2002`];

t.test('re-reading an arm adds what closed since, the same as one read of everything', async (t) => {
  const answers = createAnswerLog({ ids: createRequestIds(), retentionDays: 0, maxBytes: 1 << 20, log: logger() });
  t.teardown(() => answers.close());
  const join = createOnlineJoin({ windowMs: 10 * MIN, retentionDays: 30 });
  join.attach(answers);
  const fresh = createOnlineJoin({ windowMs: 10 * MIN, retentionDays: 30 });
  fresh.attach(answers);
  const feed = (p: AcceptedLine) => {
    join.line(p);
    fresh.line(p);
  };
  let seq = 0;
  // Users 1..40 each get an answer at minute u; odd users start its first title 2 minutes later.
  for (let u = 1; u <= 40; u++) answers.record(++seq, u, MODEL, 1, 'model', 200, 3, list(u).join(','), 'canary');
  const since = T + 10.5 * MIN;
  const reads: number[] = [];
  for (let u = 1; u <= 40; u++) {
    const time = T + u * MIN;
    feed({ kind: 'request', time, user: u, server: 's', status: 200, latencyMs: 5, items: list(u), error: null });
    if (u % 2 === 1) feed({ kind: 'watch', time: time + 2 * MIN, user: u, movie: list(u)[0]!, minute: 0 });
    if (u % 10 === 0) reads.push(join.arm('canary', since)!.perUser.size);
  }
  feed({ kind: 'watch', time: T + 100 * MIN, user: 999, movie: 'z+2000', minute: 0 });
  const again = join.arm('canary', since)!;
  const once = fresh.arm('canary', since)!;
  t.same(reads, [0, 0, 10, 20], 'each read sees the windows closed so far, from sinceMs on');
  t.same(
    [...again.perUser].sort(([a], [b]) => a - b),
    [...once.perUser].sort(([a], [b]) => a - b),
  );
  t.equal(again.perUser.size, 30, 'users 11..40: answers before sinceMs are left out');
  let hits = 0;
  for (const o of again.perUser.values()) hits += o.hits;
  t.equal(hits, 15, 'the odd users hit');
  t.equal(join.arm('canary')!.perUser.size, 40, 'without sinceMs, every user');
});
