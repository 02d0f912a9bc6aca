// Every named LMDB sub-database, declared here by name (LAYOUT.md lists them
// with their keys, values and readers); the stream's collapsed state with its
// key and value shapes, and the schema version they imply.
import type { Database, Key, RootDatabase } from 'lmdb';

/**
 * The name of every sub-database in the environment. The stream's tables are
 * opened together by openTables; `answers`, `answer-movies`, `online` (telemetry/) and `models`
 * (model/registry.ts) are opened by their owners, under these names.
 */
export const DB = {
  meta: 'meta',
  watches: 'watches',
  ratings: 'ratings',
  movieRatings: 'movie-ratings',
  requests: 'requests',
  days: 'days',
  seenUsers: 'seen-users',
  seenMovies: 'seen-movies',
  userSeen: 'user-seen',
  catalogUsers: 'catalog-users',
  catalogMovies: 'catalog-movies',
  /**
   * Each /recommend answer with its ids and arm, batched (telemetry/answer-log.ts); not under the schema version (its
   * owner prunes it).
   */
  answers: 'answers',
  /** The answer log's title dictionary: a small integer per title ever served (telemetry/movie-dictionary.ts). */
  answerMovies: 'answer-movies',
  /**
   * The online join's outcome per request line of the stream (telemetry/online-join.ts), pruned to
   * telemetry.onlineDays.
   */
  online: 'online',
  /** The model registry's manifests, mirrored from <dataDir>/models. */
  models: 'models',
  /** The release controller's plan (canary, experiment, their salts) and stopped experiments' reports. */
  release: 'release',
} as const;

/** Bump when a key or value shape below changes; a store written by another version is refused at open. */
export const SCHEMA_VERSION = 3;

/** [first time ms, last time ms, furthest minute, bitmap of minutes seen]. */
export type WatchValue = [number, number, number, Uint8Array];
/** [latest value, its time ms, history flattened as t0, v0, t1, v1, ... ordered by time]. */
export type RatingValue = [number, number, number[]];
/** [value, time ms]: the latest rating, mirrored per movie. */
export type MovieRatingValue = [number, number];
/** [status, latency ms, server, result]: result is the comma-joined list on 200, else the exception text. */
export type RequestValue = [number, number, string, string];
/**
 * [time ms, user, content hash]: one user's requests in the same millisecond differ by content; an exact repeat is one
 * row.
 */
export type RequestKey = [number, number, number];

/**
 * FNV-1a (32 bits) of a request's content: with the time and user it keys the row, so a replay rewrites the same key.
 */
export function requestContentHash(v: RequestValue): number {
  let h = 0x811c9dc5;
  const s = `${v[0]}\u0000${v[1]}\u0000${v[2]}\u0000${v[3]}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface CatalogUser {
  age: number | null;
  gender: 'M' | 'F' | null;
  occupation: string | null;
}
export interface CatalogMovie {
  title: string | null;
  adult: boolean;
  runtime: number | null;
  genres: string[];
}
/** A catalog answer: the record, or the catalog's word that it does not know the id. */
export type CatalogEntry<T> =
  | { known: true; record: T; fetched: number }
  | { known: false; status: number; fetched: number };

export interface Tables {
  root: RootDatabase;
  meta: Database<unknown, string | (string | number)[]>;
  watches: Database<WatchValue, [number, string]>;
  ratings: Database<RatingValue, [number, string]>;
  movieRatings: Database<MovieRatingValue, [string, number]>;
  requests: Database<RequestValue, RequestKey>;
  days: Database<true, [number, number, string]>;
  seenUsers: Database<number, number>;
  seenMovies: Database<number, string>;
  /** Per user, the distinct movies watched or rated (first seen first): the scorer's exclusions in one read. */
  userSeen: Database<string[], number>;
  catalogUsers: Database<CatalogEntry<CatalogUser>, number>;
  catalogMovies: Database<CatalogEntry<CatalogMovie>, string>;
}

/** Creates every declared sub-db that does not exist yet (a writable open; lmdb-js creates on first open). */
export function createEvery(root: RootDatabase): void {
  for (const name of Object.values(DB)) root.openDB({ name });
}

export function openTables(root: RootDatabase): Tables {
  const db = <V, K extends Key>(name: string) => root.openDB<V, K>({ name });
  return {
    root,
    meta: db(DB.meta),
    watches: db(DB.watches),
    ratings: db(DB.ratings),
    movieRatings: db(DB.movieRatings),
    requests: db(DB.requests),
    days: db(DB.days),
    seenUsers: db(DB.seenUsers),
    seenMovies: db(DB.seenMovies),
    userSeen: db(DB.userSeen),
    catalogUsers: db(DB.catalogUsers),
    catalogMovies: db(DB.catalogMovies),
  };
}

/**
 * Adds movies to a user's seen list (the ones not on it yet, in order). Call
 * inside a write transaction: it reads the list and writes it back.
 */
export function addSeen(t: Tables, user: number, movies: Iterable<string>): void {
  const list = t.userSeen.get(user) ?? [];
  const have = new Set(list);
  const before = list.length;
  for (const m of movies) {
    if (have.has(m)) continue;
    have.add(m);
    list.push(m);
  }
  if (list.length !== before) void t.userSeen.put(user, list);
}

/**
 * Rebuilds every user's seen list from the watches and ratings (a store
 * written before the list existed). Call inside a write transaction.
 */
export function rebuildSeen(t: Tables): number {
  const byUser = new Map<number, string[]>();
  for (const db of [t.watches, t.ratings]) {
    for (const [user, movie] of db.getKeys()) {
      const list = byUser.get(user);
      if (list) list.push(movie);
      else byUser.set(user, [movie]);
    }
  }
  for (const [user, list] of byUser) void t.userSeen.put(user, [...new Set(list)]);
  return byUser.size;
}

export const DAY_MS = 86_400_000;

/** Distinct minutes set in a watch bitmap. */
export function minutesSeen(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    let b = bits[i]!;
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

/** Running totals over every line applied, kept under meta 'totals' and updated in each batch's transaction. */
export interface Totals {
  lines: number;
  kinds: { watch: number; rate: number; request: number; account: number };
  rejects: Record<string, number>;
  /** Accepted lines per UTC day, `YYYY-MM-DD`. */
  perDay: Record<string, number>;
  /** Rating events per value (every event, not only the latest per pair). */
  ratingValues: Record<string, number>;
  minTime: number | null;
  maxTime: number | null;
}

export function emptyTotals(): Totals {
  return {
    lines: 0,
    kinds: { watch: 0, rate: 0, request: 0, account: 0 },
    rejects: {},
    perDay: {},
    ratingValues: {},
    minTime: null,
    maxTime: null,
  };
}

export const META_SCHEMA = 'schema';
export const META_TOTALS = 'totals';
export const metaOffsetKey = (stream: string): [string, string] => ['offset', stream];
export const metaRejectsKey = (reason: string): [string, string] => ['rejects', reason];
