import t from 'tap';
import { createWorld, startCatalogApi } from '../../src/sim';
import { request as httpRequest } from 'node:http';

const world = createWorld({ seed: 5, users: 300, movies: 500 });

async function get(port: number, path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

// Types of every field of docs/contract.md §3, in its order.
const USER_TYPES = { user_id: 'number', age: 'number', occupation: 'string', gender: 'string' };
const MOVIE_TYPES = {
  id: 'string',
  tmdb_id: 'number',
  imdb_id: 'string',
  title: 'string',
  original_title: 'string',
  adult: 'string',
  belongs_to_collection: 'object',
  budget: 'string',
  genres: 'array',
  homepage: 'string',
  original_language: 'string',
  overview: 'string',
  popularity: 'string',
  poster_path: 'string',
  production_companies: 'array',
  production_countries: 'array',
  release_date: 'string',
  revenue: 'string',
  runtime: 'number',
  spoken_languages: 'array',
  status: 'string',
  vote_average: 'string',
  vote_count: 'string',
};
const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const typesOf = (o: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeOf(v)]));

t.test('user and movie records have exactly the field types of docs/contract.md §3', async (t) => {
  const api = await startCatalogApi(world, { port: 0, ratePerSecond: 1000 });
  t.teardown(() => api.close());
  const seenOcc = new Set<string>();
  for (const id of [1, 2, 150, 300]) {
    const r = await get(api.port, `/user/${id}`);
    t.equal(r.status, 200);
    t.same(typesOf(r.body as Record<string, unknown>), USER_TYPES);
    const u = r.body as { user_id: number; gender: string; age: number; occupation: string };
    t.equal(u.user_id, id);
    t.match(u.gender, /^[MF]$/);
    t.ok(Number.isInteger(u.age) && u.age > 0);
    seenOcc.add(u.occupation);
  }
  for (const m of [0, 1, 250, 499]) {
    const id = world.movieIds[m]!;
    const r = await get(api.port, `/movie/${encodeURIComponent(id)}`);
    t.equal(r.status, 200);
    const body = r.body as Record<string, unknown>;
    t.same(Object.keys(body), Object.keys(MOVIE_TYPES), 'same fields in the same order');
    t.same(typesOf(body), MOVIE_TYPES);
    t.equal(body.id, id);
    t.match(body.adult, /^(True|False)$/);
    t.match(body.budget, /^\d+$/);
    t.match(body.revenue, /^\d+$/);
    t.match(body.vote_count, /^\d+$/);
    t.match(body.popularity, /^\d+\.\d+$/);
    t.match(body.vote_average, /^\d+(\.\d+)?$/);
    t.match(body.imdb_id, /^tt\d{7}$/);
    t.match(body.release_date, /^(\d{4}-\d{2}-\d{2}|null)$/);
    t.ok(Number.isInteger(body.tmdb_id));
    for (const g of body.genres as Record<string, unknown>[]) t.same(typesOf(g), { id: 'number', name: 'string' });
    for (const c of body.production_companies as Record<string, unknown>[])
      t.same(typesOf(c), { name: 'string', id: 'number' });
    for (const c of body.production_countries as Record<string, unknown>[])
      t.same(typesOf(c), { iso_3166_1: 'string', name: 'string' });
    for (const l of body.spoken_languages as Record<string, unknown>[])
      t.same(typesOf(l), { iso_639_1: 'string', name: 'string' });
  }
});

t.test('unknown ids answer 404 with an error object', async (t) => {
  const api = await startCatalogApi(world, { port: 0, ratePerSecond: 1000 });
  t.teardown(() => api.close());
  for (const path of ['/user/0', '/user/301', '/user/abc', '/movie/no+such+movie+1999']) {
    const r = await get(api.port, path);
    t.equal(r.status, 404, path);
    t.match(r.body, { message: /not found/ });
  }
});

t.test('bulk requests answer up to 200 ids in order, errors in place of unknown ones', async (t) => {
  const api = await startCatalogApi(world, { port: 0, ratePerSecond: 1000 });
  t.teardown(() => api.close());
  const users = await get(api.port, '/user/3,999999,7');
  t.equal(users.status, 200);
  const list = users.body as Record<string, unknown>[];
  t.equal(list.length, 3);
  t.equal(list[0]!.user_id, 3);
  t.match(list[1], { message: /not found/ });
  t.equal(list[2]!.user_id, 7);
  const ids = world.movieIds.slice(0, 200);
  const movies = await get(api.port, `/movie/${ids.map(encodeURIComponent).join(',')}`);
  t.equal(movies.status, 200);
  t.same(
    (movies.body as { id: string }[]).map((m) => m.id),
    ids,
  );
  const tooMany = await get(api.port, `/movie/${world.movieIds.slice(0, 201).map(encodeURIComponent).join(',')}`);
  t.equal(tooMany.status, 400);
  t.match(tooMany.body, { message: /at most 200/ });
});

t.test('a client that does not pace itself gets 429 with Retry-After', async (t) => {
  const api = await startCatalogApi(world, { port: 0, ratePerSecond: 5 });
  t.teardown(() => api.close());
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 20; i++) {
    const r = await get(api.port, `/user/${1 + i}`);
    statuses.push(r.status);
    if (r.status === 429) retryAfter = r.headers.get('retry-after');
  }
  t.ok(statuses.filter((s) => s === 200).length >= 5, 'the burst allowance is served');
  t.ok(statuses.includes(429), 'then the limit answers 429');
  t.match(retryAfter, /^\d+$/);
});

t.test('the catalog limit is per client address: one client over it leaves another untouched', async (t) => {
  const api = await startCatalogApi(world, { port: 0, ratePerSecond: 5 });
  t.teardown(() => api.close());
  const from = (localAddress: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: api.port, path, localAddress }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const greedy: number[] = [];
  for (let i = 0; i < 20; i++) greedy.push(await from('127.0.0.1', `/user/${1 + i}`));
  t.ok(greedy.includes(429), 'the greedy client is limited');
  const other: number[] = [];
  for (let i = 0; i < 4; i++) other.push(await from('127.0.0.2', `/user/${1 + i}`));
  t.same(other, [200, 200, 200, 200], 'a second address still has its own allowance');
});
