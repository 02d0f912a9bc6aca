// A content hash of everything the stream put in the store (not the catalog
// cache, not the source offsets): equal digests mean equal ingested state.
import { createHash } from 'node:crypto';
import { META_TOTALS, type Tables } from './tables';

const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));

export function stateDigest(t: Tables): string {
  const h = createHash('sha256');
  const tables = {
    watches: t.watches,
    ratings: t.ratings,
    movieRatings: t.movieRatings,
    requests: t.requests,
    days: t.days,
    seenUsers: t.seenUsers,
    seenMovies: t.seenMovies,
  } as const;
  for (const [name, db] of Object.entries(tables)) {
    h.update(`#${name}\n`);
    for (const { key, value } of db.getRange()) h.update(`${canon(key)}=${canon(value)}\n`);
  }
  h.update(`#totals\n${canon(t.meta.get(META_TOTALS) ?? null)}\n#rejects\n`);
  for (const { key, value } of t.meta.getRange())
    if (Array.isArray(key) && key[0] === 'rejects') h.update(`${canon(key)}=${canon(value)}\n`);
  return h.digest('hex');
}
