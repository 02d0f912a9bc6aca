import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, writeHistory } from '../../src/sim';
import { parseLine, type Parsed } from './spec-lines';

const START = Date.UTC(2022, 1, 1);
const AT = START + 30 * 60_000;
const world = createWorld({ seed: 41, users: 400, movies: 600 });

function read(file: string): Parsed[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => parseLine(l)!);
}

t.test('a review bomb is a burst of 1-star ratings for one movie from fresh accounts, at the given time', async (t) => {
  const dir = t.testdir();
  const target = world.movieIds[5]!;
  const bombed = join(dir, 'bomb.log');
  const plain = join(dir, 'plain.log');
  const r = await writeHistory(world, {
    lines: 80000,
    out: bombed,
    sessions: 400,
    reviewBomb: { at: AT, count: 60, movie: target },
  });
  t.equal(r.behaviour.bombTarget(), target);
  await writeHistory(world, { lines: 80000, out: plain, sessions: 400 });

  const lines = read(bombed);
  const ones = lines.filter((p) => p.kind === 'rate' && p.movie === target && p.rating === 1);
  t.ok(ones.length >= 60, `60 one-star ratings (${ones.length})`);
  const burst = ones.filter((p) => {
    const ms = Date.parse(`${p.time}Z`);
    return ms >= AT && ms < AT + 15 * 60_000;
  });
  t.ok(burst.length >= 60, 'all inside the burst window');
  // Fresh accounts: each bomber's first line is its sign-up and it does nothing but rate.
  const byUser = new Map<number, Parsed[]>();
  for (const p of lines) byUser.set(p.user, [...(byUser.get(p.user) ?? []), p]);
  const bombers = [...new Set(burst.map((p) => p.user))];
  t.equal(bombers.length, burst.length, 'one rating per account');
  for (const u of bombers)
    t.same(
      byUser.get(u)!.map((p) => p.kind),
      ['account', 'rate'],
      `user ${u} signs up, then rates`,
    );

  const quiet = read(plain).filter((p) => p.kind === 'rate' && p.movie === target && p.rating === 1);
  t.ok(quiet.length < 5, `without the flag there is no burst (${quiet.length})`);
});
