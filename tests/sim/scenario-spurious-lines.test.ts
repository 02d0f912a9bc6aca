import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, writeHistory } from '../../src/sim';
import { parseLine, validTime } from './spec-lines';

const world = createWorld({ seed: 61, users: 300, movies: 500 });
const N = 60000;

function tally(file: string): Record<string, number> {
  const c = { malformed: 0, badTime: 0, unknownMovie: 0, badRating: 0, duplicate: 0, outOfOrder: 0 };
  let prevLine = '';
  let prevTime = '';
  for (const line of readFileSync(file, 'utf8').split('\n').slice(0, N)) {
    if (line === prevLine) c.duplicate++;
    prevLine = line;
    const p = parseLine(line);
    if (!p) {
      // A bad time with an otherwise good line, or a line cut short.
      if (
        new RegExp(
          String.raw`^[^,]*,\d+,(GET /data/m/[^/]+/\d+\.mpg|GET /rate/[^=]+=\d+|GET /create_account|` +
            String.raw`recommendation request .*, \d+ ms)$`,
        ).test(line)
      )
        c.badTime++;
      else c.malformed++;
      continue;
    }
    if (!validTime(p.time)) {
      c.badTime++;
      continue;
    }
    if (p.time < prevTime) c.outOfOrder++;
    prevTime = p.time > prevTime ? p.time : prevTime;
    if ((p.kind === 'watch' || p.kind === 'rate') && !world.movieIndex.has(p.movie!)) c.unknownMovie++;
    if (p.kind === 'rate' && (p.rating! < 1 || p.rating! > 5)) c.badRating++;
  }
  return c;
}

t.test('spurious lines of every kind appear at the given rate, and none without the flag', async (t) => {
  const dir = t.testdir();
  const noisy = join(dir, 'noisy.log');
  const clean = join(dir, 'clean.log');
  const r = await writeHistory(world, { lines: N, out: noisy, spuriousRate: 0.03 });
  await writeHistory(world, { lines: N, out: clean });
  const c = tally(noisy);
  t.comment(JSON.stringify(c));
  for (const [kind, n] of Object.entries(c)) t.ok(n >= 150, `${kind}: ${n}`);
  const total = Object.values(r.spurious!.counts).reduce((a, b) => a + b, 0);
  t.ok(total > 0.03 * N * 0.8 && total < 0.03 * N * 1.2, `about 3% of lines (${total})`);
  t.same(tally(clean), { malformed: 0, badTime: 0, unknownMovie: 0, badRating: 0, duplicate: 0, outOfOrder: 0 });
});
