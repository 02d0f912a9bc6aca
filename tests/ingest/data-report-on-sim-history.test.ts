// `movrec report data` over a simulator history written by `movrec sim
// --history`: every line accounted for, spurious lines rejected by reason
// with examples, watch lines collapsed, both result-list styles read.
import t from 'tap';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

const N = 30_000;

t.test('the data report accounts for a simulator history', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'history.lines');
  const compact = join(dir, 'compact.lines');
  const sim = ['sim', '--seed', '9', '--users', '500', '--movies', '300', '--spurious-rate', '0.02', '--history'];
  const a = movrec([...sim, String(N), '--out', file]);
  t.equal(a.status, 0, a.stderr);
  const b = movrec([...sim, '2000', '--out', compact, '--list-style', 'compact', '--seed', '10']);
  t.equal(b.status, 0, b.stderr);
  appendFileSync(file, readFileSync(compact));

  const ing = movrec(['ingest', '--data-dir', join(dir, 'data'), '--from-file', file, '--json']);
  t.equal(ing.status, 0, ing.stderr);
  const stats = JSON.parse(ing.stdout) as { linesApplied: number };
  const expected = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l, i, all) => i < all.length - 1 || l !== '').length;
  t.equal(stats.linesApplied, expected, 'every line of the file applied');

  const rep = movrec(['report', 'data', '--json', '--data-dir', join(dir, 'data')]);
  t.equal(rep.status, 0, rep.stderr);
  const r = JSON.parse(rep.stdout);
  t.equal(r.lines, expected, '"lines" is the count of lines read');
  t.equal(
    r.kinds.watch + r.kinds.rate + r.kinds.request + r.kinds.account + r.rejected,
    r.lines,
    'kinds and rejects add up to the lines',
  );
  t.ok(r.kinds.watch / r.lines > 0.8, 'mostly watch lines');
  t.ok(r.kinds.request > 0 && r.kinds.account > 0 && r.kinds.rate > 0, 'every kind present');
  for (const reason of ['malformed', 'bad-time', 'rating-out-of-range']) {
    t.ok(r.rejects[reason]?.count > 0, `spurious lines rejected as ${reason}`);
    t.ok(
      r.rejects[reason].examples.length > 0 && r.rejects[reason].examples.length <= 20,
      `${reason} kept with examples`,
    );
  }
  t.ok(
    r.collapse.ratio > 0.5 && r.collapse.ratio < 1,
    `watch lines collapse (${(100 * r.collapse.ratio).toFixed(1)}%)`,
  );
  t.ok(r.users > 0 && r.users <= 500 + r.kinds.account, 'users seen');
  t.ok(r.movies > 0, 'movies seen');
  t.ok(
    Object.keys(r.ratings.events).every((v: string) => Number(v) >= 1 && Number(v) <= 5),
    'ratings on the 1-5 scale',
  );
  t.ok(r.requests.count > 0 && r.requests.byStatus['200'] > 0, 'request telemetry kept');
  t.match(r.timeRange, { from: /^2022-02-01T/, to: /^2022-/ });
  t.equal(
    Object.values(r.perDay as Record<string, number>).reduce((x, y) => x + y, 0),
    r.lines - r.rejected,
    'per-day counts cover the accepted lines',
  );
  t.match(r.digest, /^[0-9a-f]{64}$/);

  const text = movrec(['report', 'data', '--data-dir', join(dir, 'data')]);
  t.match(text.stdout, /collapse\s+\d+ watch lines -> \d+ \(user, movie\) records/);
  t.match(text.stdout, /rating-out-of-range\s+\d+\n\s+e\.g\. /);
});

t.test('report needs to be told what to report on', async (t) => {
  const r = movrec(['report', 'nothing', '--data-dir', t.testdir()]);
  t.equal(r.status, 2);
  t.match(r.stderr, /say what to report on: data/);
});
