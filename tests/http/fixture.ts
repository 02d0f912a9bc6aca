// A tiny world for the HTTP tests: a real LMDB store (catalog users, watches)
// and real model artifacts whose rankings are obvious by construction, so the
// expected answers are computed here without any scoring code.
import { writeFileSync, readFileSync } from 'node:fs';
import { FLAG_ADULT, type ModelParts } from '../../src/model/artifact';
import type { UserInfo } from '../../src/domain/dataset';
import { artifactPath, registerModel, type Manifest } from '../../src/model/registry';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';

export const N_ITEMS = 40;
export const LIST = 20;
export const movie = (i: number): string => `movie+${String(i).padStart(2, '0')}+${1970 + i}`;
/** Adult titles; in model A they rank near the top, so a missing filter shows. */
export const ADULT = [1, 4];

export interface TestUser {
  id: number;
  info: UserInfo | null;
  seen: number[];
  inModel: boolean;
}

export const USERS = {
  adult: { id: 101, info: { age: 30, gender: 'M', occupation: 'programmer' }, seen: [0, 2, 3], inModel: true },
  minor: { id: 102, info: { age: 15, gender: 'F', occupation: 'K-12 student' }, seen: [0, 2, 5], inModel: true },
  unknownAge: { id: 103, info: null, seen: [0, 6, 7], inModel: true },
  thin: { id: 104, info: { age: 40, gender: 'F', occupation: 'other' }, seen: [3], inModel: true },
  stranger: { id: 4_294_967_295, info: null, seen: [], inModel: false },
} satisfies Record<string, TestUser>;

/** Cold-start lists: the reverse of the model order, so a cold-start answer is told apart from a scored one. */
export const SEGMENTS: Record<string, number[]> = {
  'unknown|unknown': Array.from({ length: N_ITEMS }, (_, i) => N_ITEMS - 1 - i),
  'F|35-44': [39, 1, 38, 4, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18],
};

/**
 * Model "ascending" ranks item i above item i+1 for every user; "descending"
 * the other way round. Scores are dot products with one shared user vector.
 */
export function modelParts(id: string, order: 'ascending' | 'descending'): ModelParts {
  const k = 4;
  const users = Object.values(USERS)
    .filter((u) => u.inModel)
    .map((u) => u.id)
    .sort((a, b) => a - b);
  const itemFactors = new Float32Array(N_ITEMS * k);
  for (let i = 0; i < N_ITEMS; i++) itemFactors[i * k] = order === 'ascending' ? N_ITEMS - i : i + 1;
  const itemFlags = new Uint8Array(N_ITEMS);
  for (const i of ADULT) itemFlags[i] = FLAG_ADULT;
  const userFactors = new Float32Array(users.length * k);
  for (let u = 0; u < users.length; u++) userFactors[u * k] = 1;
  return {
    id,
    kind: 'mf',
    factors: k,
    globalMean: 3.5,
    scoring: 'dot+itemBias',
    userIds: Uint32Array.from(users),
    userFactors,
    userBias: new Float32Array(users.length),
    itemIds: Array.from({ length: N_ITEMS }, (_, i) => movie(i)),
    itemFactors,
    itemBias: new Float32Array(N_ITEMS),
    itemFlags,
    popularity: Float32Array.from({ length: N_ITEMS }, (_, i) => N_ITEMS - i),
    segments: SEGMENTS,
  };
}

/** The answer a correct server gives: `ranked` minus seen titles, minus adult ones for minors, first 20. */
export function expected(ranked: number[], user: TestUser, minor: boolean): string[] {
  return ranked
    .filter((i) => !user.seen.includes(i) && !(minor && ADULT.includes(i)))
    .slice(0, LIST)
    .map(movie);
}

export const ascending = Array.from({ length: N_ITEMS }, (_, i) => i);
export const descending = [...ascending].reverse();

/** Registers a model (artifact + manifest) in the data dir. `created` orders models; approved ones are served. */
export function addModel(
  dataDir: string,
  id: string,
  order: 'ascending' | 'descending',
  created: string,
  approved = true,
): Manifest {
  return registerModel(dataDir, modelParts(id, order), {
    created,
    approved,
    gate: { passed: approved, reasons: [] },
    data: { from: 0, to: 0, hash: 'test', ratings: 0, watches: 0, users: 0, items: N_ITEMS },
    codeVersion: 'test',
    hyperparameters: {},
    metrics: {},
    trainSeconds: 0,
    peakRssBytes: 0,
  });
}

/** Flips one byte inside a registered model's artifact: its checksum no longer matches. */
export function corrupt(dataDir: string, id: string): void {
  const file = artifactPath(dataDir, id);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x5a;
  writeFileSync(file, bytes);
}

/** Fills the real LMDB store with the users' catalog records and watches. */
export async function fillStore(dataDir: string): Promise<void> {
  const store = openStore(dataDir);
  const t = storeTables(store);
  await t.watches.transaction(() => {
    for (const u of Object.values(USERS) as TestUser[]) {
      if (u.info) void t.catalogUsers.put(u.id, { known: true, record: u.info, fetched: 1 });
      for (const i of u.seen) void t.watches.put([u.id, movie(i)], [1000, 2000, 90, new Uint8Array(16).fill(255)]);
      addSeen(t, u.id, u.seen.map(movie));
    }
  });
  await store.close();
}

/** Ids of model A and B: registry-shaped timestamp ids. */
export const MODEL_A = 'mf-20260101T000000Z-aaaaaa';
export const MODEL_B = 'mf-20260102T000000Z-bbbbbb';
export const MODEL_C = 'mf-20260103T000000Z-cccccc';
