// The events of a time window as a dataset of its own: only the users and
// items that occur in it, re-indexed, as a snapshot taken at the window's end
// would hold them (what a model trained then could know).
import type { Dataset } from '../domain/dataset';

const stamp = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

export function timeWindow(ds: Dataset, from: number, to: number): Dataset {
  const r = ds.ratings;
  const w = ds.watches;
  const ri: number[] = [];
  const wi: number[] = [];
  for (let n = 0; n < r.time.length; n++) if (r.time[n]! >= from && r.time[n]! < to) ri.push(n);
  for (let n = 0; n < w.time.length; n++) if (w.time[n]! >= from && w.time[n]! < to) wi.push(n);
  const userMap = new Int32Array(ds.userIds.length).fill(-1);
  const itemMap = new Int32Array(ds.itemIds.length).fill(-1);
  for (const n of ri) (userMap[r.user[n]!] = 0), (itemMap[r.item[n]!] = 0);
  for (const n of wi) (userMap[w.user[n]!] = 0), (itemMap[w.item[n]!] = 0);
  const users: number[] = [];
  const items: number[] = [];
  userMap.forEach((x, u) => {
    if (x === 0) userMap[u] = users.push(u) - 1;
  });
  itemMap.forEach((x, i) => {
    if (x === 0) itemMap[i] = items.push(i) - 1;
  });
  let lo = Infinity;
  let hi = -Infinity;
  for (const n of ri) (lo = Math.min(lo, r.time[n]!)), (hi = Math.max(hi, r.time[n]!));
  for (const n of wi) (lo = Math.min(lo, w.time[n]!)), (hi = Math.max(hi, w.time[n]!));
  return {
    userIds: Uint32Array.from(users, (u) => ds.userIds[u]!),
    itemIds: items.map((i) => ds.itemIds[i]!),
    ratings: {
      user: Uint32Array.from(ri, (n) => userMap[r.user[n]!]!),
      item: Uint32Array.from(ri, (n) => itemMap[r.item[n]!]!),
      value: Float32Array.from(ri, (n) => r.value[n]!),
      time: Float64Array.from(ri, (n) => r.time[n]!),
    },
    watches: {
      user: Uint32Array.from(wi, (n) => userMap[w.user[n]!]!),
      item: Uint32Array.from(wi, (n) => itemMap[w.item[n]!]!),
      fraction: Float32Array.from(wi, (n) => w.fraction[n]!),
      time: Float64Array.from(wi, (n) => w.time[n]!),
    },
    users: users.map((u) => ds.users[u] ?? null),
    adult: Uint8Array.from(items, (i) => ds.adult[i]!),
    ratingMax: ds.ratingMax,
    meta: {
      ...ds.meta,
      source: `${ds.meta.source} [${stamp(from)}, ${stamp(to)})`,
      from: Number.isFinite(lo) ? lo : from,
      to: Number.isFinite(hi) ? hi : from,
    },
  };
}
