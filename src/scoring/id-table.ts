// A model's item ids looked up by their UTF-8 bytes, and a user's seen list
// read straight from its stored bytes (a MessagePack array of strings, as
// LMDB holds it): a scoring worker turns the titles a user saw into the
// model's item indices without making a string per title or hashing one into
// a Map of every id (a cache miss or two per title on a large catalog).

/**
 * Open addressing over the ids' FNV-1a hashes: slot -> item index + 1 (0: empty), with the hash beside it in the same
 * cache line.
 */
export interface IdTable {
  /** The item whose id is bytes[start, end), or -1. */
  find(bytes: Uint8Array, start: number, end: number): number;
}

/** FNV-1a, as an int32 (the sign bit is the hash's top bit): stored as it is in an Int32Array. */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let b = start; b < end; b++) h = Math.imul(h ^ bytes[b]!, 0x01000193);
  return h;
}

/**
 * The table for ids stored back to back (id i ends at idEnds[i]), filled on
 * first use or ahead of it, in pieces, by buildUpTo (a worker warming up a
 * model answers tasks between pieces). A duplicate id finds its last item, as
 * the id Map does.
 */
export function createIdTable(idBytes: Uint8Array, idEnds: Int32Array): IdTable & { buildUpTo(end: number): void } {
  const n = idEnds.length;
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  // Slot s is entries[2s] (the hash, as int32) and entries[2s + 1] (item + 1): a probe reads one cache line, not two
  // arrays'.
  const entries = new Int32Array(2 * size);
  let built = 0;
  const sameBytes = (bytes: Uint8Array, start: number, end: number, i: number): boolean => {
    const s = i > 0 ? idEnds[i - 1]! : 0;
    if (idEnds[i]! - s !== end - start) return false;
    for (let x = 0; x < end - start; x++) if (idBytes[s + x] !== bytes[start + x]) return false;
    return true;
  };
  // The slot holding these bytes, or the empty slot where they would go.
  const slotOf = (bytes: Uint8Array, start: number, end: number, h: number): number => {
    let slot = h & mask;
    for (; entries[2 * slot + 1] !== 0; slot = (slot + 1) & mask)
      if (entries[2 * slot] === h && sameBytes(bytes, start, end, entries[2 * slot + 1]! - 1)) break;
    return slot;
  };
  const buildUpTo = (end: number): void => {
    for (; built < Math.min(end, n); built++) {
      const s = built > 0 ? idEnds[built - 1]! : 0;
      const h = fnv1a(idBytes, s, idEnds[built]!);
      const slot = slotOf(idBytes, s, idEnds[built]!, h);
      entries[2 * slot] = h;
      entries[2 * slot + 1] = built + 1;
    }
  };
  return {
    find(bytes, start, end) {
      if (built < n) buildUpTo(n);
      return entries[2 * slotOf(bytes, start, end, fnv1a(bytes, start, end)) + 1]! - 1;
    },
    buildUpTo,
  };
}

/**
 * A seen list read from its stored bytes: the model's indices of the titles it knows, and how many titles there were.
 */
export interface SeenItems {
  items: Int32Array;
  titles: number;
}

/**
 * Reads a MessagePack array of strings (fixarray/array16/array32 of
 * fixstr/str8/str16/str32) and resolves each string's bytes in `table`;
 * null when the bytes are anything else (the caller decodes them the usual way).
 */
export function readSeen(raw: Uint8Array, table: IdTable): SeenItems | null {
  const at = (p: number, bytes: number): number => {
    let v = 0;
    for (let x = 0; x < bytes; x++) v = v * 256 + raw[p + x]!;
    return v;
  };
  if (raw.length === 0) return null;
  const b0 = raw[0]!;
  let p: number;
  let titles: number;
  if ((b0 & 0xf0) === 0x90) {
    p = 1;
    titles = b0 & 0x0f;
  } else if (b0 === 0xdc && raw.length >= 3) {
    p = 3;
    titles = at(1, 2);
  } else if (b0 === 0xdd && raw.length >= 5) {
    p = 5;
    titles = at(1, 4);
  } else return null;
  // Every title takes at least its one-byte header: a count past that is not a well-formed list.
  if (titles > raw.length - p) return null;
  const items = new Int32Array(titles);
  let known = 0;
  for (let x = 0; x < titles; x++) {
    if (p >= raw.length) return null;
    const c = raw[p]!;
    // The string's header: its length in the low 5 bits, or in the 1, 2 or 4 bytes after.
    const extra = (c & 0xe0) === 0xa0 ? 0 : c === 0xd9 ? 1 : c === 0xda ? 2 : c === 0xdb ? 4 : -1;
    if (extra < 0 || p + 1 + extra > raw.length) return null;
    const len = extra === 0 ? c & 0x1f : at(p + 1, extra);
    p += 1 + extra;
    if (p + len > raw.length) return null;
    const i = table.find(raw, p, p + len);
    if (i >= 0) items[known++] = i;
    p += len;
  }
  if (p !== raw.length) return null;
  return { items: items.subarray(0, known), titles };
}
