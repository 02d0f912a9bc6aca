import t from 'tap';
import { createWorld, slugOf } from '../../src/sim';

t.test('the slug rule reproduces the spec examples', async (t) => {
  t.equal(slugOf('The Lives of Others', 2006), 'the+lives+of+others+2006');
  t.equal(slugOf('Cheech & Chong Get Out of My Room', 1985), 'cheech++chong+get+out+of+my+room+1985');
  t.equal(slugOf('Black Cat, White Cat', 1998, true), 'black+cat_+white+cat+1998');
  t.equal(slugOf('Amélie', 2001), 'amlie+2001');
  t.equal(slugOf('Dracula: Dead and Loving It', 1995), 'dracula+dead+and+loving+it+1995');
  t.equal(slugOf('Some Lost Film', null), 'some+lost+film+');
});

t.test("a world's ids are unique, ASCII, and include every odd case", async (t) => {
  const world = createWorld({ seed: 81, users: 10, movies: 5000 });
  const ids = world.movieIds;
  t.equal(new Set(ids).size, ids.length, 'unique');
  t.ok(
    ids.every((id) => /^[a-z0-9+_-]+$/.test(id)),
    'only [a-z0-9+_-]',
  );
  t.ok(
    ids.some((id) => id.includes('++')),
    'double +',
  );
  t.ok(
    ids.some((id) => id.includes('_')),
    'underscore',
  );
  t.ok(
    ids.some((id) => id.endsWith('+')),
    'missing year',
  );
  const accented = world.movieTitles
    .map((title, m) => ({ title, id: ids[m]! }))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is "anything outside ASCII"
    .filter((x) => /[^\x00-\x7f]/.test(x.title));
  t.ok(accented.length > 0, 'titles with non-ASCII letters');
  for (const { title, id } of accented.slice(0, 20)) {
    const year = world.movieYear[ids.indexOf(id)]!;
    t.equal(id, slugOf(title, year === 0 ? null : year, false), `${title} drops its accents`);
  }
});
