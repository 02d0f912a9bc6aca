import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, writeHistory } from '../../src/sim';
import { LIST_COMPACT, LIST_SPACED, parseLine, REFUSED_TEXT, TIMEOUT_TEXT, validTime, type Kind } from './spec-lines';

const world = createWorld({ seed: 11, users: 400, movies: 600 });

for (const style of ['spaced', 'compact'] as const) {
  t.test(`every history line fits a line kind of docs/contract.md §1 (${style} lists)`, async (t) => {
    const file = join(t.testdir(), 'h.log');
    const r = await writeHistory(world, { lines: 60000, out: file, listStyle: style, sessions: 300 });
    t.equal(r.lines, 60000);
    const lines = readFileSync(file, 'utf8').split('\n');
    t.equal(lines.pop(), '', 'file ends with a newline');
    t.equal(lines.length, 60000);
    const kinds: Record<Kind, number> = { watch: 0, rate: 0, account: 0, request: 0 };
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let previous = '';
    for (const line of lines) {
      const p = parseLine(line);
      if (!p || !validTime(p.time)) {
        bad.push(line);
        continue;
      }
      if (p.time < previous) bad.push(`out of order: ${line}`);
      previous = p.time;
      kinds[p.kind]++;
      if (p.kind === 'watch' || p.kind === 'rate') {
        if (!world.movieIndex.has(p.movie!)) bad.push(`unknown movie: ${line}`);
        if (p.user > world.params.users) bad.push(`unknown user: ${line}`);
      }
      if (p.kind === 'rate' && (p.rating! < 1 || p.rating! > 5)) bad.push(`rating out of range: ${line}`);
      if (p.kind === 'request') {
        statuses.set(p.status!, (statuses.get(p.status!) ?? 0) + 1);
        if (p.status === 200 && !(style === 'spaced' ? LIST_SPACED : LIST_COMPACT).test(p.result!))
          bad.push(`list style: ${line}`);
        if (p.status === 0 && !TIMEOUT_TEXT.test(p.result!) && !REFUSED_TEXT.test(p.result!))
          bad.push(`status 0 text: ${line}`);
      }
    }
    t.same(bad.slice(0, 5), [], 'no line outside the spec');
    t.ok(kinds.watch > 0.9 * lines.length, `watch lines dominate (${kinds.watch})`);
    t.ok(kinds.rate > 50, `ratings present (${kinds.rate})`);
    t.ok(kinds.account > 0, `sign-ups present (${kinds.account})`);
    t.ok(kinds.request > 100, `requests present (${kinds.request})`);
    t.ok(
      (statuses.get(200) ?? 0) > 0 && (statuses.get(0) ?? 0) > 0,
      `status 200 and 0 both occur: ${JSON.stringify([...statuses])}`,
    );
  });
}

t.test('--create-account off leaves out the sign-up line kind', async (t) => {
  const file = join(t.testdir(), 'h.log');
  await writeHistory(world, { lines: 30000, out: file, createAccount: false, newUserShare: 0.2 });
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, /create_account/);
});

t.test('a 1–10 scale world rates from 1 to 10', async (t) => {
  const w10 = createWorld({ seed: 11, users: 400, movies: 600, ratingMax: 10 });
  const file = join(t.testdir(), 'h.log');
  await writeHistory(w10, { lines: 150000, out: file, sessions: 300 });
  const ratings = readFileSync(file, 'utf8')
    .split('\n')
    .map(parseLine)
    .filter((p) => p?.kind === 'rate')
    .map((p) => p!.rating!);
  t.ok(ratings.length > 50);
  t.ok(ratings.every((r) => r >= 1 && r <= 10));
  t.ok(
    ratings.some((r) => r > 5),
    'ratings above 5 occur',
  );
});

t.test('line times carry 0, 3, 6 or 9 fractional digits as asked, and stay valid', async (t) => {
  for (const digits of [0, 3, 6, 9] as const) {
    const file = join(t.testdir(), `d${digits}.log`);
    await writeHistory(world, { lines: 3000, out: file, timeDigits: digits });
    const times = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => parseLine(l)!.time);
    const want = digits === 0 ? /^[^.]+$/ : new RegExp(`\\.\\d{${digits}}$`);
    t.ok(
      times.every((x) => want.test(x) && validTime(x)),
      `${digits} digits`,
    );
  }
});
