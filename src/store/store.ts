// The LMDB store: opens the environment under <dataDir>/lmdb, checks the
// schema version, and answers the reads that serving and training make.
import { open, type RootDatabase } from 'lmdb';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors';
import type { Dataset, UserInfo } from '../domain/dataset';
import { readSnapshot, type SnapshotOptions } from './snapshot';
import { META_SCHEMA, META_TOTALS, SCHEMA_VERSION, createEvery, openTables, rebuildSeen, type Tables } from './tables';

export interface MovieInfo {
  adult: boolean;
  runtime: number | null;
  genres: string[];
  title: string | null;
}

export interface Store {
  root: RootDatabase;
  seenMovies(userId: number): string[];
  /**
   * The same list as stored (MessagePack), or undefined for a user with none:
   * a view valid only until the store's next read (for scoring/id-table's readSeen).
   */
  seenBytes(userId: number): Uint8Array | undefined;
  userInfo(userId: number): UserInfo | null;
  movieInfo(movieId: string): MovieInfo | null;
  readSnapshot(opts?: SnapshotOptions): Dataset;
  close(): Promise<void>;
}

const tablesOf = new WeakMap<Store, Tables>();

/** The sub-databases behind a store, for the ingest loop and reports. */
export function storeTables(store: Store): Tables {
  const t = tablesOf.get(store);
  if (!t) throw new Error('not a store returned by openStore');
  return t;
}

export function lmdbPath(dataDir: string): string {
  return join(dataDir, 'lmdb');
}

function openRoot(path: string, readOnly: boolean): RootDatabase {
  // Named sub-databases of every subsystem share one environment: leave room.
  return open({ path, maxDbs: 64, readOnly, mapSize: 1 << 30 });
}

/** Schema 2 lacks only the per-user seen lists, which its watches and ratings rebuild. */
const UPGRADABLE = 2;

function checkSchema(t: Tables, readOnly: boolean): void {
  const found = t.meta.get(META_SCHEMA);
  if (found === SCHEMA_VERSION) return;
  if (found === UPGRADABLE) {
    if (readOnly) throw Errors.storeUpgrade(found, SCHEMA_VERSION);
    // One transaction: a crash leaves schema 2 and no partial lists, and the next writer starts over.
    t.root.transactionSync(() => {
      rebuildSeen(t);
      void t.meta.put(META_SCHEMA, SCHEMA_VERSION);
    });
    return;
  }
  const empty =
    found === undefined && t.meta.get(META_TOTALS) === undefined && t.watches.getKeysCount({ limit: 1 }) === 0;
  if (empty && !readOnly) {
    t.meta.putSync(META_SCHEMA, SCHEMA_VERSION);
    return;
  }
  throw Errors.storeSchema(found, SCHEMA_VERSION);
}

export function openStore(dataDir: string, opts: { readOnly?: boolean } = {}): Store {
  const path = lmdbPath(dataDir);
  // A reader that comes first (a worker of a fresh server) creates and stamps the environment.
  const readOnly = opts.readOnly === true && existsSync(path);
  mkdirSync(path, { recursive: true });
  const root = openRoot(path, readOnly);
  const t = openTables(root);
  try {
    checkSchema(t, readOnly);
  } catch (e) {
    void root.close();
    throw e;
  }
  // Every declared sub-db exists once a store has been opened for writing, so a read-only open (a report on a store
  // that never served) finds each one empty instead of getting no handle from lmdb-js.
  if (!readOnly) createEvery(root);
  const store: Store = {
    root,
    seenMovies(userId) {
      // One read: the list ingest keeps beside the watches and ratings (two range scans cost several times more).
      return t.userSeen.get(userId) ?? [];
    },
    seenBytes(userId) {
      return t.userSeen.getBinaryFast(userId);
    },
    userInfo(userId) {
      const e = t.catalogUsers.get(userId);
      return e?.known ? { age: e.record.age, gender: e.record.gender, occupation: e.record.occupation } : null;
    },
    movieInfo(movieId) {
      const e = t.catalogMovies.get(movieId);
      return e?.known
        ? { adult: e.record.adult, runtime: e.record.runtime, genres: [...e.record.genres], title: e.record.title }
        : null;
    },
    readSnapshot(o) {
      return readSnapshot(t, path, o);
    },
    close() {
      return root.close();
    },
  };
  tablesOf.set(store, t);
  return store;
}
