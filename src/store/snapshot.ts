// Builds the training Dataset from the collapsed state: one row per (user,
// movie) for watches and for latest ratings, optionally limited to a window.
import { createHash } from 'node:crypto';
import type { Dataset, UserInfo } from '../domain/dataset';
import { readChoices } from './snapshot-choices';
import {
  DAY_MS,
  META_TOTALS,
  minutesSeen,
  type RatingValue,
  type Tables,
  type Totals,
  type WatchValue,
} from './tables';

export interface SnapshotOptions {
  /** Days of event time before the newest event to include (0 or absent: everything). */
  windowDays?: number;
  /** Highest rating on the scale (default 5). */
  ratingMax?: number;
}

/** Runtime assumed when the catalog has not told us one and too few watched it to learn it: a feature length. */
export const FALLBACK_RUNTIME_MINUTES = 90;
/**
 * Watchers of a movie, without a catalog runtime, from whom its runtime is
 * learned as the furthest minute any of them reached: with this many, one of
 * them most likely watched to the end; with fewer, the learned figure is only
 * trusted above the fallback.
 */
export const LEARN_RUNTIME_WATCHERS = 5;

/** Minutes a movie runs, learned from its watchers: the furthest minute reached is a lower bound. */
export function learnedRuntime(furthestMinute: number, watchers: number): number {
  const reached = furthestMinute + 1;
  return watchers >= LEARN_RUNTIME_WATCHERS ? reached : Math.max(reached, FALLBACK_RUNTIME_MINUTES);
}

interface Row {
  user: number;
  movie: string;
  a: number;
  time: number;
}

/** Ids the catalog answered "unknown" for: their events are kept in the store but left out of training. */
function quarantined(t: Tables): { users: Set<number>; movies: Set<string> } {
  const users = new Set<number>();
  const movies = new Set<string>();
  for (const { key, value } of t.catalogUsers.getRange()) if (!value.known) users.add(key);
  for (const { key, value } of t.catalogMovies.getRange()) if (!value.known) movies.add(key);
  return { users, movies };
}

function* windowed<V>(
  db: Tables['watches'] | Tables['ratings'],
  t: Tables,
  cutoff: number | null,
): Generator<{ key: [number, string]; value: V }> {
  if (cutoff === null) {
    for (const e of db.getRange()) yield e as unknown as { key: [number, string]; value: V };
    return;
  }
  const seen = new Set<string>();
  for (const [, user, movie] of t.days.getKeys({ start: [Math.floor(cutoff / DAY_MS)] })) {
    const id = `${user}\u0000${movie}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const value = db.get([user, movie]);
    if (value !== undefined) yield { key: [user, movie], value: value as V };
  }
}

export function readSnapshot(t: Tables, path: string, opts: SnapshotOptions = {}): Dataset {
  const totals = t.meta.get(META_TOTALS) as Totals | undefined;
  const windowDays = opts.windowDays ?? 0;
  const to = totals?.maxTime ?? 0;
  const cutoff = windowDays > 0 && totals?.maxTime != null ? totals.maxTime - windowDays * DAY_MS : null;
  const q = quarantined(t);
  // The catalog's runtime where it has one; else learned from the watches read here (a store ingested
  // without the catalog API would otherwise read every watch of a long film as complete).
  const catalogRuntimes = new Map<string, number | null>();
  const catalogRuntime = (movie: string): number | null => {
    let r = catalogRuntimes.get(movie);
    if (r === undefined) {
      const e = t.catalogMovies.get(movie);
      r = e?.known && e.record.runtime && e.record.runtime > 0 ? e.record.runtime : null;
      catalogRuntimes.set(movie, r);
    }
    return r;
  };
  const reached = new Map<string, { furthest: number; watchers: number }>();
  const keep = (user: number, movie: string, time: number) =>
    (cutoff === null || time >= cutoff) && !q.users.has(user) && !q.movies.has(movie);

  const watchRows: Row[] = [];
  const starts = new Map<number, [number, string][]>();
  for (const { key, value } of windowed<WatchValue>(t.watches, t, cutoff)) {
    const [user, movie] = key;
    if (!keep(user, movie, value[1])) continue;
    (starts.get(user) ?? starts.set(user, []).get(user)!).push([value[0], movie]);
    // `a` holds minutes seen until every watch of the movie has been read.
    watchRows.push({ user, movie, a: minutesSeen(value[3]), time: value[1] });
    if (catalogRuntime(movie) !== null) continue;
    const m = reached.get(movie) ?? reached.set(movie, { furthest: 0, watchers: 0 }).get(movie)!;
    m.furthest = Math.max(m.furthest, value[2]);
    m.watchers++;
  }
  for (const r of watchRows) {
    const m = reached.get(r.movie);
    r.a = Math.min(1, r.a / (m ? learnedRuntime(m.furthest, m.watchers) : catalogRuntime(r.movie)!));
  }
  const ratingRows: Row[] = [];
  for (const { key, value } of windowed<RatingValue>(t.ratings, t, cutoff)) {
    const [user, movie] = key;
    if (!keep(user, movie, value[1])) continue;
    ratingRows.push({ user, movie, a: value[0], time: value[1] });
  }

  const userSet = new Set<number>();
  const itemSet = new Set<string>();
  for (const r of watchRows) userSet.add(r.user), itemSet.add(r.movie);
  for (const r of ratingRows) userSet.add(r.user), itemSet.add(r.movie);
  const userIds = Uint32Array.from([...userSet].sort((a, b) => a - b));
  const itemIds = [...itemSet].sort();
  const userIndex = new Map<number, number>();
  userIds.forEach((u, i) => {
    userIndex.set(u, i);
  });
  const itemIndex = new Map<string, number>();
  itemIds.forEach((m, i) => {
    itemIndex.set(m, i);
  });

  const hash = createHash('sha256');
  const columns = (rows: Row[], tag: string) => {
    rows.sort((x, y) => x.user - y.user || (x.movie < y.movie ? -1 : x.movie > y.movie ? 1 : 0));
    const user = new Uint32Array(rows.length);
    const item = new Uint32Array(rows.length);
    const a = new Float32Array(rows.length);
    const time = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      user[i] = userIndex.get(r.user)!;
      item[i] = itemIndex.get(r.movie)!;
      a[i] = r.a;
      time[i] = r.time;
      hash.update(`${tag}|${r.user}|${r.movie}|${a[i]}|${r.time}\n`);
    });
    return { user, item, a, time };
  };
  const w = columns(watchRows, 'w');
  const r = columns(ratingRows, 'r');

  const users: (UserInfo | null)[] = Array.from(userIds, (u) => {
    const e = t.catalogUsers.get(u);
    return e?.known ? { age: e.record.age, gender: e.record.gender, occupation: e.record.occupation } : null;
  });
  const adult = Uint8Array.from(itemIds, (m) => {
    const e = t.catalogMovies.get(m);
    return e?.known && e.record.adult ? 1 : 0;
  });
  for (let i = 0; i < adult.length; i++) hash.update(adult[i] ? 'a' : '-');
  for (const list of starts.values()) list.sort((a, b) => a[0] - b[0]);
  const choices = readChoices(t, { starts, userIndex, itemIndex, cutoff }, (line) => hash.update(line));

  return {
    userIds,
    itemIds,
    ratings: { user: r.user, item: r.item, value: r.a, time: r.time },
    watches: { user: w.user, item: w.item, fraction: w.a, time: w.time },
    ...(choices ? { choices } : {}),
    users,
    adult,
    ratingMax: opts.ratingMax ?? 5,
    meta: { source: `lmdb:${path}`, from: cutoff ?? totals?.minTime ?? 0, to, hash: hash.digest('hex') },
  };
}
