// One user's answer over a prepared model: the top-K kernel for users the
// model knows, the segment's cold-start list otherwise; seen titles and (for
// minors) adult titles are never returned, and short lists are padded by popularity.
import { isMinor, segmentKey, type UserInfo } from '../model/dataset';
import { topK } from '../../native/index';
import { isAdult, type PreparedModel } from './prepared-model';

/** Fewer seen titles than this: the user's factors say little, answer from the segment. */
export const MIN_HISTORY = 3;

export interface UserFacts {
  userId: number;
  seen: string[];
  info: UserInfo | null;
}

export interface Ranked {
  items: string[];
  source: 'model' | 'cold-start';
}

export interface RankOptions {
  listSize: number;
  unknownAgeIsMinor: boolean;
}

/** Marks the user's seen titles in the model's scratch mask; returns them to clear after. */
function markSeen(m: PreparedModel, seen: string[]): number[] {
  const marked: number[] = [];
  for (const id of seen) {
    const i = m.itemIndex.get(id);
    if (i !== undefined && m.mask[i] === 0) {
      m.mask[i] = 1;
      marked.push(i);
    }
  }
  return marked;
}

/** Appends allowed items from `candidates` to `out` (marking them taken) until it holds `size`. */
function fill(m: PreparedModel, out: number[], candidates: ArrayLike<number>, minor: boolean, size: number, taken: number[]): void {
  for (let x = 0; x < candidates.length && out.length < size; x++) {
    const i = candidates[x]!;
    if (m.mask[i] !== 0 || (minor && isAdult(m, i))) continue;
    m.mask[i] = 1;
    taken.push(i);
    out.push(i);
  }
}

function answer(m: PreparedModel, user: UserFacts, opts: RankOptions, scored: boolean): Ranked {
  const minor = isMinor(user.info, opts.unknownAgeIsMinor);
  const marked = markSeen(m, user.seen);
  try {
    const v = m.view;
    const u = scored ? v.userIndex(user.userId) : -1;
    const out: number[] = [];
    if (u >= 0) {
      const k = v.factors;
      const bias = v.scoring === 'dot+itemBias' ? v.itemBias : null;
      const best = topK(v.itemFactors, bias, v.userFactors.subarray(u * k, u * k + k), m.mask, v.itemFlags, minor, opts.listSize);
      fill(m, out, best, minor, opts.listSize, marked);
    } else {
      fill(m, out, v.segments[segmentKey(user.info)] ?? [], minor, opts.listSize, marked);
    }
    fill(m, out, m.popular, minor, opts.listSize, marked);
    return { items: out.map((i) => v.itemIds[i]!), source: u >= 0 ? 'model' : 'cold-start' };
  } finally {
    for (const i of marked) m.mask[i] = 0;
  }
}

/** The scored answer, or the cold-start list when the user is unknown or has too little history. */
export function rankUser(m: PreparedModel, user: UserFacts, opts: RankOptions): Ranked {
  return answer(m, user, opts, user.seen.length >= MIN_HISTORY);
}

/** The segment list without any scoring (degraded answers under load). */
export function segmentAnswer(m: PreparedModel, user: UserFacts, opts: RankOptions): string[] {
  return answer(m, user, opts, false).items;
}
