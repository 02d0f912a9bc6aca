// The answer log's title dictionary: every title ever served gets a small
// integer once (sub-db `answer-movies`), so a logged list costs 2 bytes a
// title instead of its name. Lists are scanned byte by byte, as the workers
// hand them over: no string per id is made on the serving thread unless the
// title is new to the dictionary.
import { DB } from '../store/tables';
import type { Database, RootDatabase } from 'lmdb';

const NEXT = 'next';
const COMMA = 44;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * An id's key: its FNV-1a hash (32 bits) with its length and byte sum in 21
 * more bits, one number below 2^53. Two titles of a catalog would have to
 * agree on all three to share a key; one multiply and one add per byte.
 */
const keyOf = (h: number, length: number, sum: number): number =>
  (h >>> 0) * 2_097_152 + (((length & 0xff) << 13) | (sum & 0x1fff));

/** The list's hash from its ids' hashes in order (what listHash gives for the same comma-joined line). */
const mixList = (line: number, h: number): number => Math.imul(line ^ (h >>> 0), FNV_PRIME);

export function titleKey(name: string): number {
  let h = FNV_OFFSET;
  let sum = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    h = Math.imul(h ^ c, FNV_PRIME);
    sum += c;
  }
  return keyOf(h, name.length, sum);
}

/** The hash of a comma-joined list of ids, from its text (the stream's side of a match). */
export function listHash(list: string): number {
  let line = FNV_OFFSET;
  let h = FNV_OFFSET;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = i === list.length ? COMMA : list.charCodeAt(i);
    if (c !== COMMA) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (i > start) line = mixList(line, h);
    h = FNV_OFFSET;
    start = i + 1;
  }
  return line >>> 0;
}

/** Titles of a batch not in the dictionary yet, in order of first sight: their keys and names. */
export interface FreshTitles {
  slot: Map<number, number>;
  keys: number[];
  names: string[];
}

export const freshTitles = (): FreshTitles => ({ slot: new Map(), keys: [], names: [] });

/**
 * One pass over a comma-joined list as served (a string, or the worker's
 * UTF-8 bytes): returns [listHash of the line, ids] and appends to `out` each
 * id's dictionary index, or -(slot + 1) for a title new to it (decoded once
 * into `fresh`; MovieDictionary.assign gives it its index). With `fresh`
 * null only the hash and the count are wanted (no store to write the ids to).
 */
export function scanList(
  body: string | Uint8Array,
  out: number[],
  known: ReadonlyMap<number, number>,
  fresh: FreshTitles | null,
): [number, number] {
  const bytes = typeof body === 'string' ? null : body;
  const text = typeof body === 'string' ? body : '';
  const n = body.length;
  let line = FNV_OFFSET;
  let h = FNV_OFFSET;
  let sum = 0;
  let start = 0;
  let ids = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? COMMA : bytes !== null ? bytes[i]! : text.charCodeAt(i);
    if (c !== COMMA) {
      h = Math.imul(h ^ c, FNV_PRIME);
      sum += c;
      continue;
    }
    if (i > start) {
      line = mixList(line, h);
      ids++;
      if (fresh !== null) {
        const k = keyOf(h, i - start, sum);
        const x = known.get(k);
        if (x !== undefined) out.push(x);
        else {
          let slot = fresh.slot.get(k);
          if (slot === undefined) {
            slot = fresh.keys.push(k) - 1;
            fresh.slot.set(k, slot);
            fresh.names.push(
              bytes !== null
                ? Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('latin1')
                : text.slice(start, i),
            );
          }
          out.push(-(slot + 1));
        }
      }
    }
    h = FNV_OFFSET;
    sum = 0;
    start = i + 1;
  }
  return [line >>> 0, ids];
}

export class MovieDictionary {
  /** Title key → index. */
  readonly known = new Map<number, number>();
  private readonly db: Database<string | number, number | string>;

  constructor(root: RootDatabase) {
    this.db = root.openDB({ name: DB.answerMovies });
    for (const { key, value } of this.db.getRange({}))
      if (typeof key === 'number') this.known.set(titleKey(value as string), key);
  }

  /**
   * Gives each fresh title an index and returns them by slot. Call inside a
   * write transaction: two writers never hand out one index twice.
   */
  assign(fresh: FreshTitles): number[] {
    let next = (this.db.get(NEXT) as number | undefined) ?? 0;
    const added = next;
    const out = fresh.keys.map((k, i) => {
      let x = this.known.get(k);
      if (x === undefined) {
        x = next++;
        this.db.put(x, fresh.names[i]!);
        this.known.set(k, x);
      }
      return x;
    });
    if (next !== added) this.db.put(NEXT, next);
    return out;
  }
}

/** Index → title, reading the dictionary lazily (for reports and explain). */
export function titleReader(root: RootDatabase): (index: number) => string {
  const db = root.openDB<string, number>({ name: DB.answerMovies });
  const cache = new Map<number, string>();
  return (i) => {
    let s = cache.get(i);
    if (s === undefined) cache.set(i, (s = db.get(i) ?? `#${i}`));
    return s;
  };
}
