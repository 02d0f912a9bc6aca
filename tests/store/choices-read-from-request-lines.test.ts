// An answered list the user then chose from is read into the training Dataset: the titles shown and the one
// started first within the hour after the answer. A start of an unlisted title, a start after the hour, and
// a failed request give no row. A snapshot window and the time split each keep the choices of their own
// time, and the training snapshot file keeps them, so a reproduced training selects on the same choices.
import t from 'tap';
import { timeSplit } from '../../src/eval/split';
import { ingestLines } from '../helpers/ingest-lines';
import { decodeSnapshot, encodeSnapshot } from '../../src/train/training-snapshot';

const START = Date.UTC(2022, 1, 8, 18);
const at = (minutes: number): string => new Date(START + minutes * 60_000).toISOString().slice(0, 23);
const watch = (minute: number, user: number, movie: string, length = 3): string[] =>
  Array.from({ length }, (_, m) => `${at(minute + m)},${user},GET /data/m/${movie}/${m}.mpg`);
const request = (minute: number, user: number, status: number, result: string): string =>
  `${at(minute)},${user},recommendation request 127.0.0.1:8082, status ${status}, result: ${result}, 20 ms`;
const LIST = 'alpha+2000, beta+2000, gamma+2000';

t.test('choices from answered lists reach the Dataset, the split and the snapshot file', async (t) => {
  const dir = t.testdir();
  const lines = [
    // Everyone has watched something before, so that every title and user is known.
    ...watch(0, 1, 'alpha+2000'),
    ...watch(0, 2, 'beta+2000'),
    ...watch(0, 3, 'gamma+2000'),
    ...watch(0, 4, 'delta+2000'),
    // User 1 chooses beta from the list 10 minutes after it.
    request(100, 1, 200, LIST),
    ...watch(110, 1, 'beta+2000'),
    // User 2 starts delta, which was not listed.
    request(120, 2, 200, LIST),
    ...watch(125, 2, 'delta+2000'),
    // User 3 starts gamma two hours later: not a choice from the list.
    request(130, 3, 200, LIST),
    ...watch(250, 3, 'gamma+2000'),
    // User 4's request failed; alpha is started anyway.
    request(140, 4, 500, 'java.io.IOException: Server returned HTTP response code: 500'),
    ...watch(145, 4, 'alpha+2000'),
    // Late in the stream: user 2 chooses gamma (the first start after the answer decides).
    request(800, 2, 200, LIST),
    ...watch(805, 2, 'gamma+2000'),
    ...watch(820, 2, 'alpha+2000'),
    ...watch(500, 1, 'delta+2000'),
    ...watch(600, 3, 'beta+2000'),
    ...watch(700, 4, 'beta+2000'),
  ].sort();
  const store = await ingestLines(t, dir, lines);
  const ds = store.readSnapshot();
  const c = ds.choices;
  t.ok(c, 'choices read');
  if (!c) return;
  const rows = Array.from(c.user, (u, r) => ({
    user: ds.userIds[u],
    chosen: ds.itemIds[c.chosen[r]!],
    shown: Array.from(c.items.subarray(c.indptr[r]!, c.indptr[r + 1]!), (i) => ds.itemIds[i]),
    time: c.time[r],
  }));
  t.same(
    rows.map((r) => [r.user, r.chosen]),
    [
      [1, 'beta+2000'],
      [2, 'gamma+2000'],
    ],
    'two lists chosen from, in time order',
  );
  t.same(rows[0]!.shown, ['alpha+2000', 'beta+2000', 'gamma+2000'], 'the titles shown, in order');

  const split = timeSplit(ds);
  const cut = Math.min(...split.test.watches.time, ...split.test.ratings.time);
  t.ok(rows[0]!.time! < cut && rows[1]!.time! >= cut, 'the split falls between the two choices');
  t.same(
    Array.from(split.train.choices?.chosen ?? [], (i) => ds.itemIds[i]),
    ['beta+2000'],
    'train: the early one',
  );
  t.same(
    Array.from(split.test.choices?.chosen ?? [], (i) => ds.itemIds[i]),
    ['gamma+2000'],
    'test: the late one',
  );

  // A window of the last ~10 hours of event time leaves the early choice out.
  const recent = store.readSnapshot({ windowDays: 0.4 });
  t.same(
    Array.from(recent.choices?.chosen ?? [], (i) => recent.itemIds[i]),
    ['gamma+2000'],
    'a snapshot window keeps only the choices inside it',
  );

  const back = decodeSnapshot(encodeSnapshot(ds), 'round trip');
  t.same(back.choices, ds.choices, 'the training snapshot file keeps them');
  const { choices: _, ...without } = ds;
  t.equal(decodeSnapshot(encodeSnapshot(without), 'no choices').choices, undefined, 'and writes none when none');
});
