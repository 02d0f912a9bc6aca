// The choices users made from answered lists, read for the training Dataset: each request line that got a
// list (`requests`), joined with the title the user started first after it (a watch's first minute-line time).
import type { Choices } from '../domain/dataset';
import type { Tables } from './tables';

/**
 * How long after an answer a start still counts as chosen from it: the online join's default window
 * (telemetry.joinWindowMinutes).
 */
export const CHOICE_WINDOW_MS = 60 * 60_000;

export interface ChoiceInputs {
  /** Per external user id: first-start time and title of each kept watch, in time order. */
  starts: Map<number, [number, string][]>;
  userIndex: Map<number, number>;
  itemIndex: Map<string, number>;
  /** Events before this time are outside the snapshot's window (null: no window). */
  cutoff: number | null;
}

/**
 * One row per answered list whose user's first start within CHOICE_WINDOW_MS was one of its titles, ordered
 * by time; titles the snapshot does not know are left out of the shown list. `update` receives each row's
 * content for the dataset hash.
 */
export function readChoices(t: Tables, c: ChoiceInputs, update: (line: string) => void): Choices | undefined {
  const rows: { time: number; user: number; items: number[]; chosen: number }[] = [];
  // Keys start with the time: a window starts the range at its cutoff.
  for (const { key, value } of t.requests.getRange(c.cutoff === null ? {} : { start: [c.cutoff] })) {
    const [time, userId] = key;
    const [status, , , result] = value;
    if (status !== 200 || !result || (c.cutoff !== null && time < c.cutoff)) continue;
    const user = c.userIndex.get(userId);
    const starts = c.starts.get(userId);
    if (user === undefined || !starts) continue;
    const next = firstAtOrAfter(starts, time);
    if (next === undefined || next[0] >= time + CHOICE_WINDOW_MS) continue;
    const shown = result.split(',');
    if (!shown.includes(next[1])) continue;
    const items: number[] = [];
    for (const id of shown) {
      const i = c.itemIndex.get(id);
      if (i !== undefined) items.push(i);
    }
    const chosen = c.itemIndex.get(next[1]);
    if (chosen !== undefined) rows.push({ time, user, items, chosen });
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => a.time - b.time || a.user - b.user);
  const indptr = new Uint32Array(rows.length + 1);
  rows.forEach((r, j) => {
    indptr[j + 1] = indptr[j]! + r.items.length;
  });
  const items = new Uint32Array(indptr[rows.length]!);
  rows.forEach((r, j) => {
    items.set(r.items, indptr[j]!);
    update(`c|${r.time}|${r.user}|${r.chosen}|${r.items.join(',')}\n`);
  });
  return {
    user: Uint32Array.from(rows, (r) => r.user),
    time: Float64Array.from(rows, (r) => r.time),
    indptr,
    items,
    chosen: Uint32Array.from(rows, (r) => r.chosen),
  };
}

/** The first start at or after `time` in a time-ordered list. */
function firstAtOrAfter(starts: [number, string][], time: number): [number, string] | undefined {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]![0] < time) lo = mid + 1;
    else hi = mid;
  }
  return starts[lo];
}
