// Test fixtures for scoring: a small seeded model artifact and a real LMDB
// store filled through the store's own tables.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeArtifact, FLAG_ADULT, type ModelParts } from '../../src/model/artifact';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';
import type { UserInfo } from '../../src/domain/dataset';
import { packItems, topK as topKTwin } from '../../native/twins/topk';

/** The models' seeded generator, so fixtures are the same every run. */
import { rng } from '../../src/model/rng';

export { rng };

export const movieId = (i: number): string => `movie+${i}+${1950 + (i % 70)}`;

export interface ModelSpec {
  id: string;
  users: number[];
  items: number;
  factors?: number;
  seed?: number;
  /** Item indices flagged adult. */
  adult?: number[];
  /** Added to the adult items' bias, so that they would rank first if nothing filtered them. */
  adultBoost?: number;
  segments?: Record<string, number[]>;
}

export function modelParts(spec: ModelSpec): ModelParts {
  const k = spec.factors ?? 16;
  const r = rng(spec.seed ?? 1);
  const flags = new Uint8Array(spec.items);
  for (const i of spec.adult ?? []) flags[i] = FLAG_ADULT;
  const itemBias = Float32Array.from({ length: spec.items }, () => (r() - 0.5) / 10);
  for (const i of spec.adult ?? []) itemBias[i]! += spec.adultBoost ?? 0;
  return {
    id: spec.id,
    kind: 'mf',
    factors: k,
    globalMean: 3.5,
    scoring: 'dot+itemBias',
    userIds: Uint32Array.from([...spec.users].sort((a, b) => a - b)),
    userFactors: Float32Array.from({ length: spec.users.length * k }, () => r() - 0.5),
    userBias: new Float32Array(spec.users.length),
    itemIds: Array.from({ length: spec.items }, (_, i) => movieId(i)),
    itemFactors: Float32Array.from({ length: spec.items * k }, () => r() - 0.5),
    itemBias,
    itemFlags: flags,
    popularity: Float32Array.from({ length: spec.items }, (_, i) => spec.items - i),
    segments: spec.segments ?? {},
  };
}

/** Writes the artifact under <dataDir>/models/<id>.bin; returns its path. */
export function writeModel(dataDir: string, spec: ModelSpec): string {
  const dir = join(dataDir, 'models');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${spec.id}.bin`);
  writeArtifact(file, modelParts(spec));
  return file;
}

/** A copy of an artifact with one byte flipped in the item factors: the checksum no longer matches. */
export function corruptCopy(bytes: Buffer, file: string): string {
  const bad = Buffer.from(bytes);
  bad[Math.floor(bad.length / 2)]! ^= 0x5a;
  writeFileSync(file, bad);
  return file;
}

export interface UserSpec {
  id: number;
  info: UserInfo | null;
  seen: number[];
}

/** Fills a real LMDB store: catalog users and one watch per seen item. */
export async function fillStore(dataDir: string, users: UserSpec[]): Promise<void> {
  const store = openStore(dataDir);
  const t = storeTables(store);
  await t.watches.transaction(() => {
    for (const u of users) {
      if (u.info) void t.catalogUsers.put(u.id, { known: true, record: u.info, fetched: 1 });
      for (const i of u.seen) void t.watches.put([u.id, movieId(i)], [1000, 2000, 90, new Uint8Array(16).fill(255)]);
      addSeen(t, u.id, u.seen.map(movieId));
    }
  });
  await store.close();
}

/** Scores exactly as the worker must, for expected answers: the twin kernel over the spec's parts. */
export function expectedTop(
  parts: ModelParts,
  userId: number,
  seen: number[],
  minor: boolean,
  count: number,
): string[] {
  const u = parts.userIds.indexOf(userId);
  const k = parts.factors;
  const mask = new Uint8Array(parts.itemIds.length);
  for (const i of seen) mask[i] = 1;
  const best = topKTwin(
    packItems(parts.itemFactors, parts.itemIds.length, k),
    parts.itemBias,
    parts.userFactors.subarray(u * k, u * k + k),
    mask,
    parts.itemFlags,
    minor,
    count,
  );
  return Array.from(best, (i) => parts.itemIds[i]!);
}
