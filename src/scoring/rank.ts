// Users' answers over a prepared model: the top-K kernel (one batched pass for
// all the users the model knows), the segment's cold-start list otherwise; seen
// titles and (for minors) adult titles are never returned, and short lists are padded by popularity.
import { isMinor, segmentKey, type UserInfo } from '../domain/dataset';
import { topKBatch } from '../../native/index';
import { GLOBAL_SEGMENT, occupationKey } from '../model/popularity';
import { isAdult, type PreparedModel } from './prepared-model';
import type { SeenItems } from './id-table';

/** The segment lists a cold-start answer is drawn from, most specific first. */
export function coldStartKeys(info: UserInfo | null): string[] {
  return [segmentKey(info), occupationKey(info?.occupation), GLOBAL_SEGMENT];
}

/** Fewer seen titles than this: the user's factors say little, answer from the segment. */
export const MIN_HISTORY = 3;

export interface UserFacts {
  userId: number;
  /**
   * The titles the user watched or rated: their ids, or (read from the store's bytes) the model's indices of those it
   * knows.
   */
  seen: string[] | SeenItems;
  info: UserInfo | null;
}

/** How many titles the user saw (known to the model or not). */
function seenTitles(user: UserFacts): number {
  return Array.isArray(user.seen) ? user.seen.length : user.seen.titles;
}

/**
 * The model's indices of the titles the user saw (titles it does not know
 * cannot be answered anyway): as read from the store's bytes, or looked up in
 * the id map (built on first use: a worker reading stored bytes never needs it).
 */
function seenIndices(m: PreparedModel, user: UserFacts): ArrayLike<number> {
  if (!Array.isArray(user.seen)) return user.seen.items;
  const index = m.itemIndex;
  const out: number[] = [];
  for (const id of user.seen) {
    const i = index.get(id);
    if (i !== undefined) out.push(i);
  }
  return out;
}

export interface Ranked {
  /** Item indices into the model, best first. */
  items: ArrayLike<number>;
  source: 'model' | 'cold-start';
}

/** The ids of ranked items, for callers that want strings. */
export function idsOf(m: PreparedModel, items: ArrayLike<number>): string[] {
  return Array.from(items, (i) => m.view.itemIds[i]!);
}

export interface RankOptions {
  listSize: number;
  unknownAgeIsMinor: boolean;
}

/** Marks the user's seen titles in the model's scratch mask; returns them to clear after. */
function markSeen(m: PreparedModel, user: UserFacts): number[] {
  const marked: number[] = [];
  const seen = seenIndices(m, user);
  for (let x = 0; x < seen.length; x++) {
    const i = seen[x]!;
    if (m.mask[i] === 0) {
      m.mask[i] = 1;
      marked.push(i);
    }
  }
  return marked;
}

/** Appends allowed items from `candidates` to `out` (marking them taken) until it holds `size`. */
function fill(
  m: PreparedModel,
  out: number[],
  candidates: ArrayLike<number>,
  minor: boolean,
  size: number,
  taken: number[],
): void {
  for (let x = 0; x < candidates.length && out.length < size; x++) {
    const i = candidates[x]!;
    if (m.mask[i] !== 0 || (minor && isAdult(m, i))) continue;
    m.mask[i] = 1;
    taken.push(i);
    out.push(i);
  }
}

/** Per-thread scratch for one batch: B user vectors, B adult bytes, and the users' exclusion lists. */
interface BatchScratch {
  users: number;
  vecs: Float32Array;
  adult: Uint8Array;
  lists: Int32Array;
}
const scratch = new WeakMap<PreparedModel, BatchScratch>();

function scratchFor(m: PreparedModel, users: number, listValues: number): BatchScratch {
  const hit = scratch.get(m);
  if (hit && hit.users >= users && hit.lists.length >= listValues) return hit;
  const k = m.view.factors;
  // Grown by doubling so a stream of batches of varied sizes allocates a few times only.
  const size = Math.max(users, hit && hit.users >= users ? hit.users : 2 * (hit?.users ?? 4));
  const s = {
    users: size,
    vecs: new Float32Array(size * k),
    adult: new Uint8Array(size),
    lists: new Int32Array(Math.max(listValues, 2 * (hit?.lists.length ?? 256))),
  };
  scratch.set(m, s);
  return s;
}

/**
 * Top-K ids for the scored users, one pass over the item matrix for all of
 * them, each user's seen titles sent to the kernel as a list of item indices
 * (a few per user, where masks would be the whole catalog's bytes per user).
 */
function scoreBatch(
  m: PreparedModel,
  scored: { user: UserFacts; u: number; minor: boolean }[],
  listSize: number,
): Int32Array {
  const v = m.view;
  const k = v.factors;
  const b = scored.length;
  let listValues = b;
  for (const x of scored) listValues += seenTitles(x.user);
  const s = scratchFor(m, b, listValues);
  let at = 0;
  for (let x = 0; x < b; x++) {
    const { user, u, minor } = scored[x]!;
    s.vecs.set(v.userFactors.subarray(u * k, u * k + k), x * k);
    s.adult[x] = minor ? 1 : 0;
    // The user's count, then its items the model knows (titles it does not know cannot be answered anyway).
    const seen = seenIndices(m, user);
    s.lists[at++] = seen.length;
    s.lists.set(seen, at);
    at += seen.length;
  }
  const bias = v.scoring === 'dot+itemBias' ? v.itemBias : null;
  // The artifact's own item-major factors (shared memory) let the native kernel rescore without a copy of its own.
  return topKBatch(
    m.packed,
    bias,
    s.vecs.subarray(0, b * k),
    s.lists.subarray(0, at),
    v.itemFlags,
    s.adult.subarray(0, b),
    listSize,
    v.itemFactors,
  );
}

function answer(m: PreparedModel, user: UserFacts, opts: RankOptions, best: ArrayLike<number> | null): Ranked {
  // A full list from the kernel needs no padding, and the kernel already left
  // out the seen and (for minors) adult titles: no second pass over the history.
  if (best && best.length >= opts.listSize)
    return {
      items: best.length === opts.listSize ? best : Array.prototype.slice.call(best, 0, opts.listSize),
      source: 'model',
    };
  const minor = isMinor(user.info, opts.unknownAgeIsMinor);
  const marked = markSeen(m, user);
  try {
    const v = m.view;
    const out: number[] = [];
    if (best) fill(m, out, best, minor, opts.listSize, marked);
    // Cold start: the gender x age segment, then the occupation's list, then everyone's, then popularity.
    else for (const key of coldStartKeys(user.info)) fill(m, out, v.segments[key] ?? [], minor, opts.listSize, marked);
    fill(m, out, m.popular, minor, opts.listSize, marked);
    return { items: out, source: best ? 'model' : 'cold-start' };
  } finally {
    for (const i of marked) m.mask[i] = 0;
  }
}

/**
 * Each user's answer, scored by the top-K kernel in one batch for the users
 * the model knows with enough history, the cold-start list for the others.
 */
export function rankUsers(m: PreparedModel, users: UserFacts[], opts: RankOptions): Ranked[] {
  const scored: { user: UserFacts; u: number; minor: boolean; at: number }[] = [];
  users.forEach((user, at) => {
    const u = seenTitles(user) >= MIN_HISTORY ? m.view.userIndex(user.userId) : -1;
    if (u >= 0) scored.push({ user, u, minor: isMinor(user.info, opts.unknownAgeIsMinor), at });
  });
  const best = scored.length > 0 ? scoreBatch(m, scored, opts.listSize) : null;
  const rowOf = new Map(scored.map((x, row) => [x.at, row]));
  return users.map((user, at) => {
    const row = rowOf.get(at);
    if (row === undefined || !best) return answer(m, user, opts, null);
    const ids = best.subarray(row * opts.listSize, (row + 1) * opts.listSize);
    const end = ids.indexOf(-1);
    return answer(m, user, opts, end < 0 ? ids : ids.subarray(0, end));
  });
}

/** The scored answer, or the cold-start list when the user is unknown or has too little history. */
export function rankUser(m: PreparedModel, user: UserFacts, opts: RankOptions): Ranked {
  return rankUsers(m, [user], opts)[0]!;
}

/** The segment list without any scoring (degraded answers under load). */
export function segmentAnswer(m: PreparedModel, user: UserFacts, opts: RankOptions): string[] {
  return idsOf(m, answer(m, user, opts, null).items);
}
