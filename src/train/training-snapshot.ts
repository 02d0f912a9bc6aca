// The events a model was trained on, kept as a file beside it: a registered
// model's manifest records the file's sha256, so `movrec train --reproduce`
// rebuilds from exactly those rows, whatever the store has become since.
//
// Layout: magic "MOVRECD1", u32 LE header JSON length H, H bytes of header
// JSON (ids, user records, meta, and each column's byte length), then the
// columns in COLUMNS order (then CHOICE_COLUMNS when present), raw little-endian. The file is named for the
// dataset's content hash, so models trained on the same window share one file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors';
import type { Choices, Dataset, UserInfo } from '../domain/dataset';

const MAGIC = 'MOVRECD1';

export interface SnapshotRecord {
  /** File name under <dataDir>/snapshots. */
  file: string;
  sha256: string;
  bytes: number;
}

interface Header {
  itemIds: string[];
  users: (UserInfo | null)[];
  ratingMax: number;
  meta: Dataset['meta'];
  columns: Partial<Record<ColumnName, number>>;
}

type Typed = Uint32Array | Float32Array | Float64Array | Uint8Array;
const COLUMNS = {
  userIds: (d: Dataset): Typed => d.userIds,
  ratingUser: (d: Dataset): Typed => d.ratings.user,
  ratingItem: (d: Dataset): Typed => d.ratings.item,
  ratingValue: (d: Dataset): Typed => d.ratings.value,
  ratingTime: (d: Dataset): Typed => d.ratings.time,
  watchUser: (d: Dataset): Typed => d.watches.user,
  watchItem: (d: Dataset): Typed => d.watches.item,
  watchFraction: (d: Dataset): Typed => d.watches.fraction,
  watchTime: (d: Dataset): Typed => d.watches.time,
  adult: (d: Dataset): Typed => d.adult,
};
/** Written after COLUMNS when the dataset has choices from shown lists (older files have none). */
const CHOICE_COLUMNS = {
  choiceUser: (c: Choices): Typed => c.user,
  choiceTime: (c: Choices): Typed => c.time,
  choiceIndptr: (c: Choices): Typed => c.indptr,
  choiceItems: (c: Choices): Typed => c.items,
  choiceChosen: (c: Choices): Typed => c.chosen,
};
type ColumnName = keyof typeof COLUMNS | keyof typeof CHOICE_COLUMNS;

export function snapshotsDir(dataDir: string): string {
  return join(dataDir, 'snapshots');
}

export function encodeSnapshot(ds: Dataset): Buffer {
  const bytesOf = (a: Typed) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const choices = ds.choices;
  const cols = [
    ...Object.entries(COLUMNS).map(([name, get]) => [name, bytesOf(get(ds))] as const),
    ...(choices ? Object.entries(CHOICE_COLUMNS).map(([name, get]) => [name, bytesOf(get(choices))] as const) : []),
  ];
  const header: Header = {
    itemIds: ds.itemIds,
    users: ds.users,
    ratingMax: ds.ratingMax,
    meta: ds.meta,
    columns: Object.fromEntries(cols.map(([n, b]) => [n, b.byteLength])),
  };
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const lead = Buffer.alloc(12);
  lead.write(MAGIC, 0, 'latin1');
  lead.writeUInt32LE(h.byteLength, 8);
  return Buffer.concat([lead, h, ...cols.map(([, b]) => b)]);
}

/** Each column copied into its own typed array: the file's offsets need not be aligned. */
export function decodeSnapshot(bytes: Buffer, label: string): Dataset {
  if (bytes.byteLength < 12 || bytes.toString('latin1', 0, 8) !== MAGIC)
    throw Errors.snapshotChecksum(label, 'not a training snapshot (bad magic)');
  const hlen = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + hlen)) as Header;
  let off = 12 + hlen;
  const take = <T extends Typed>(name: ColumnName, make: (n: number) => T): T => {
    const n = header.columns[name] ?? 0;
    const out = make(n / make(0).BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes.subarray(off, off + n));
    off += n;
    return out;
  };
  const u32 = (n: number) => new Uint32Array(n);
  const f32 = (n: number) => new Float32Array(n);
  const f64 = (n: number) => new Float64Array(n);
  const ds: Dataset = {
    userIds: take('userIds', u32),
    itemIds: header.itemIds,
    ratings: {
      user: take('ratingUser', u32),
      item: take('ratingItem', u32),
      value: take('ratingValue', f32),
      time: take('ratingTime', f64),
    },
    watches: {
      user: take('watchUser', u32),
      item: take('watchItem', u32),
      fraction: take('watchFraction', f32),
      time: take('watchTime', f64),
    },
    users: header.users,
    adult: take('adult', (n) => new Uint8Array(n)),
    ratingMax: header.ratingMax,
    meta: header.meta,
  };
  if (header.columns.choiceUser !== undefined)
    ds.choices = {
      user: take('choiceUser', u32),
      time: take('choiceTime', f64),
      indptr: take('choiceIndptr', u32),
      items: take('choiceItems', u32),
      chosen: take('choiceChosen', u32),
    };
  if (off !== bytes.byteLength) throw Errors.snapshotChecksum(label, 'columns do not add up to the file length');
  return ds;
}

/**
 * Writes the dataset under <dataDir>/snapshots (atomically; an existing file of
 * the same content is kept as it is) and returns what the manifest records.
 */
export function writeSnapshot(dataDir: string, ds: Dataset): SnapshotRecord {
  const bytes = encodeSnapshot(ds);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dir = snapshotsDir(dataDir);
  mkdirSync(dir, { recursive: true });
  // Named for the content hash too: a file of that name that differs (damaged) is never reused.
  const file = `${ds.meta.hash.slice(0, 32)}-${sha256.slice(0, 16)}.snap`;
  const path = join(dir, file);
  if (!existsSync(path)) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  }
  return { file, sha256, bytes: bytes.byteLength };
}

/** Reads a recorded snapshot back, refusing a missing file or one whose sha256 is not the recorded one. */
export function readSnapshotFile(dataDir: string, rec: SnapshotRecord): Dataset {
  const path = join(snapshotsDir(dataDir), rec.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw Errors.snapshotMissing(path);
  }
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== rec.sha256) throw Errors.snapshotChecksum(path, `sha256 ${got} is not the recorded ${rec.sha256}`);
  return decodeSnapshot(bytes, path);
}
