// A store ingested without the catalog API learns each movie's runtime from
// its watchers (the furthest minute reached), so a half-watched long film
// reads as half, a fully watched short one as whole, and a movie too few
// watched keeps the fallback runtime as its floor.
import t from 'tap';
import { ingestLines } from '../helpers/ingest-lines';
import { FALLBACK_RUNTIME_MINUTES } from '../../src/store/snapshot';

const START = Date.UTC(2022, 1, 8, 18);

function watchLines(user: number, movie: string, minutes: number, dayOffset: number): string[] {
  return Array.from({ length: minutes }, (_, m) => {
    const at = new Date(START + dayOffset * 86_400_000 + m * 60_000).toISOString().slice(0, 19);
    return `${at},${user},GET /data/m/${movie}/${m}.mpg`;
  });
}

t.test('watched fractions use a runtime learned from the watches', async (t) => {
  const dir = t.testdir();
  const lines: string[] = [];
  // A 120-minute film: five watch it to the end, a sixth half of it.
  for (let u = 1; u <= 5; u++) lines.push(...watchLines(u, 'long+film+2000', 120, u));
  lines.push(...watchLines(6, 'long+film+2000', 60, 6));
  // A 60-minute film watched to the end by six.
  for (let u = 1; u <= 6; u++) lines.push(...watchLines(u, 'short+film+2000', 60, 10 + u));
  // One viewer, 30 minutes in: too few to learn from.
  lines.push(...watchLines(7, 'rare+film+2000', 30, 20));
  const store = await ingestLines(t, dir, lines);
  const ds = store.readSnapshot();
  const fraction = (user: number, movie: string): number => {
    const u = ds.userIds.indexOf(user);
    const i = ds.itemIds.indexOf(movie);
    for (let n = 0; n < ds.watches.user.length; n++)
      if (ds.watches.user[n] === u && ds.watches.item[n] === i) return ds.watches.fraction[n]!;
    return Number.NaN;
  };
  t.equal(fraction(1, 'long+film+2000'), 1, 'a full watch of the long film is whole');
  t.ok(Math.abs(fraction(6, 'long+film+2000') - 0.5) < 1e-6, `half of it is half (${fraction(6, 'long+film+2000')})`);
  t.equal(fraction(3, 'short+film+2000'), 1, 'a full watch of the short film is whole');
  t.ok(
    Math.abs(fraction(7, 'rare+film+2000') - 30 / FALLBACK_RUNTIME_MINUTES) < 1e-6,
    `one viewer's 30 minutes read against the fallback (${fraction(7, 'rare+film+2000')})`,
  );
});
