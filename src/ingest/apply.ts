// Merges a batch's aggregates into the store; runs inside ONE write
// transaction together with the stream offset it reaches (see store/LAYOUT.md).
import {
  META_TOTALS,
  addSeen,
  emptyTotals,
  metaOffsetKey,
  metaRejectsKey,
  requestContentHash,
  type RatingValue,
  type RequestValue,
  type Tables,
  type Totals,
  type WatchValue,
} from '../store/tables';
import { orBits, type BatchDelta } from './collapse';

export interface Applied {
  /** Ids seen for the first time: the catalog is asked about them once the transaction commits. */
  newUsers: number[];
  newMovies: string[];
}

/** Inserts (t, v) after every event at or before t; an identical event already present is a duplicate. */
export function mergeHistory(hist: number[], t: number, v: number): void {
  let at = hist.length;
  while (at > 0 && hist[at - 2]! > t) at -= 2;
  for (let i = at - 2; i >= 0 && hist[i] === t; i -= 2) if (hist[i + 1] === v) return;
  hist.splice(at, 0, t, v);
}

const isoDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

function mergeTotals(t: Tables, d: BatchDelta): void {
  const tot = (t.meta.get(META_TOTALS) as Totals | undefined) ?? emptyTotals();
  tot.lines += d.lines;
  for (const k of Object.keys(d.kinds) as (keyof Totals['kinds'])[]) tot.kinds[k] += d.kinds[k];
  for (const [r, n] of d.rejectCounts) tot.rejects[r] = (tot.rejects[r] ?? 0) + n;
  for (const [day, n] of d.perDay()) {
    const k = isoDay(day);
    tot.perDay[k] = (tot.perDay[k] ?? 0) + n;
  }
  for (const [v, n] of d.ratingValues) tot.ratingValues[v] = (tot.ratingValues[v] ?? 0) + n;
  if (d.minTime !== Infinity && (tot.minTime === null || d.minTime < tot.minTime)) tot.minTime = d.minTime;
  if (d.maxTime !== -Infinity && (tot.maxTime === null || d.maxTime > tot.maxTime)) tot.maxTime = d.maxTime;
  t.meta.put(META_TOTALS, tot);
}

/**
 * Applies one batch. Call inside `root.transaction(...)`; `stream`/`next`
 * record how far the source has been applied (null stream: not resumable).
 */
export function applyDelta(
  t: Tables,
  d: BatchDelta,
  keepRejects: number,
  stream: string | null,
  next: number,
): Applied {
  const newUsers: number[] = [];
  const newMovies: string[] = [];
  // Pairs new to the watches or the ratings, per user: candidates for the user's seen list.
  const newPairs = new Map<number, string[]>();
  const newPair = (user: number, movie: string): void => {
    const list = newPairs.get(user);
    if (list) list.push(movie);
    else newPairs.set(user, [movie]);
  };

  for (const [user, byMovie] of d.watches) {
    for (const [movie, a] of byMovie) {
      const old = t.watches.get([user, movie]);
      if (!old) newPair(user, movie);
      const v: WatchValue = old
        ? [Math.min(old[0], a.first), Math.max(old[1], a.last), Math.max(old[2], a.maxMinute), orBits(old[3], a.bits)]
        : [a.first, a.last, a.maxMinute, a.bits];
      t.watches.put([user, movie], v);
      for (const day of a.days) t.days.put([day, user, movie], true);
    }
  }
  for (const [user, byMovie] of d.ratings) {
    for (const [movie, a] of byMovie) {
      const old = t.ratings.get([user, movie]);
      if (!old) newPair(user, movie);
      const hist = old ? old[2].slice() : [];
      for (let i = 0; i < a.events.length; i += 2) mergeHistory(hist, a.events[i]!, a.events[i + 1]!);
      const latestT = hist[hist.length - 2]!;
      const latestV = hist[hist.length - 1]!;
      const v: RatingValue = [latestV, latestT, hist];
      t.ratings.put([user, movie], v);
      t.movieRatings.put([movie, user], [latestV, latestT]);
      for (const day of a.days) t.days.put([day, user, movie], true);
    }
  }
  for (const [user, movies] of newPairs) addSeen(t, user, movies);
  for (const r of d.requests) {
    const v: RequestValue = [r.status, r.latencyMs, r.server, r.result];
    t.requests.put([r.time, r.user, requestContentHash(v)], v);
  }

  for (const [user, first] of d.users()) {
    const old = t.seenUsers.get(user);
    if (old === undefined) newUsers.push(user);
    if (old === undefined || first < old) t.seenUsers.put(user, first);
  }
  for (const [movie, first] of d.movies()) {
    const old = t.seenMovies.get(movie);
    if (old === undefined) newMovies.push(movie);
    if (old === undefined || first < old) t.seenMovies.put(movie, first);
  }

  mergeTotals(t, d);
  for (const [reason, lines] of d.rejectLines) {
    const key = metaRejectsKey(reason);
    const kept = ((t.meta.get(key) as string[] | undefined) ?? []).concat(lines);
    t.meta.put(key, kept.slice(Math.max(0, kept.length - keepRejects)));
  }
  if (stream !== null) t.meta.put(metaOffsetKey(stream), next);
  return { newUsers, newMovies };
}

/** The next position to apply for a stream, from the store (0 when never seen). */
export function appliedOffset(t: Tables, stream: string): number {
  return (t.meta.get(metaOffsetKey(stream)) as number | undefined) ?? 0;
}
