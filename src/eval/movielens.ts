// Reads a directory in the MovieLens-100k format: u.data (user, item, rating,
// timestamp, tab-separated), u.user (pipe-separated demographics) and the
// u1..u5 .base/.test splits. u.item (titles, Latin-1) is not read: nothing the
// rating benchmark measures needs titles. Everything shares one index space
// built from u.data, so a fold's test rows address its trained factors.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, UserInfo } from '../domain/dataset';
import { Errors } from '../errors';

interface Rows {
  user: number[];
  item: number[];
  value: number[];
  time: number[];
}

function readRows(file: string): Rows {
  if (!existsSync(file)) throw Errors.usage(`${file} does not exist`);
  const rows: Rows = { user: [], item: [], value: [], time: [] };
  const text = readFileSync(file, 'latin1');
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.trim() === '') continue;
    const f = raw.split('\t');
    const [u, i, r, t] = f.map(Number);
    if (f.length < 4 || !Number.isInteger(u) || !Number.isInteger(i) || !Number.isFinite(r) || !Number.isFinite(t)) {
      throw Errors.usage(`${file}:${line}: expected "user<TAB>item<TAB>rating<TAB>timestamp"`);
    }
    rows.user.push(u!), rows.item.push(i!), rows.value.push(r!), rows.time.push(t! * 1000);
  }
  return rows;
}

export interface MovieLens {
  /** All of u.data. */
  all: Dataset;
  /** Fold n (1..5): u<n>.base as train, u<n>.test as test, in the index space of `all`. */
  fold(n: number): { train: Dataset; test: Dataset };
}

export function readMovieLens(dir: string): MovieLens {
  const all = readRows(join(dir, 'u.data'));
  const userIndex = new Map<number, number>();
  const itemIndex = new Map<number, number>();
  for (const u of [...new Set(all.user)].sort((a, b) => a - b)) userIndex.set(u, userIndex.size);
  for (const i of [...new Set(all.item)].sort((a, b) => a - b)) itemIndex.set(i, itemIndex.size);
  const userIds = Uint32Array.from(userIndex.keys());
  const itemExt = [...itemIndex.keys()];
  const users: (UserInfo | null)[] = Array.from({ length: userIds.length }, () => null);
  const userFile = join(dir, 'u.user');
  if (existsSync(userFile)) {
    for (const line of readFileSync(userFile, 'latin1').split('\n')) {
      const f = line.split('|');
      const u = userIndex.get(Number(f[0]));
      if (u === undefined || f.length < 4) continue;
      const age = Number(f[1]);
      users[u] = {
        age: Number.isFinite(age) ? age : null,
        gender: f[2] === 'M' || f[2] === 'F' ? f[2] : null,
        occupation: f[3] || null,
      };
    }
  }
  const hash = createHash('sha256')
    .update(readFileSync(join(dir, 'u.data')))
    .digest('hex')
    .slice(0, 16);
  const toDataset = (rows: Rows, source: string): Dataset => {
    const n = rows.user.length;
    const user = new Uint32Array(n);
    const item = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      const u = userIndex.get(rows.user[j]!);
      const i = itemIndex.get(rows.item[j]!);
      if (u === undefined || i === undefined)
        throw Errors.usage(`${source}: user ${rows.user[j]} or item ${rows.item[j]} is not in u.data`);
      user[j] = u;
      item[j] = i;
    }
    const time = Float64Array.from(rows.time);
    let from = Infinity;
    let to = -Infinity;
    for (const t of time) (from = Math.min(from, t)), (to = Math.max(to, t));
    return {
      userIds,
      itemIds: itemExt.map(String),
      ratings: { user, item, value: Float32Array.from(rows.value), time },
      watches: {
        user: new Uint32Array(0),
        item: new Uint32Array(0),
        fraction: new Float32Array(0),
        time: new Float64Array(0),
      },
      users,
      adult: new Uint8Array(itemExt.length),
      ratingMax: 5,
      meta: { source, from: n ? from : 0, to: n ? to : 0, hash },
    };
  };
  return {
    all: toDataset(all, `movielens ${dir}`),
    fold(n: number) {
      return {
        train: toDataset(readRows(join(dir, `u${n}.base`)), `movielens ${dir} u${n}.base`),
        test: toDataset(readRows(join(dir, `u${n}.test`)), `movielens ${dir} u${n}.test`),
      };
    },
  };
}
