// The domain's shared shapes, below store and model alike: the training
// snapshot every model consumes (columnar, dense internal indices, produced
// from LMDB by src/store's readSnapshot or from files: MovieLens, sim), what
// is known of a user, and the rules on it (age bands, segments, minors).

export interface UserInfo {
  age: number | null;
  gender: 'M' | 'F' | null;
  occupation: string | null;
}

export interface Dataset {
  /** External user id of each internal user index. */
  userIds: Uint32Array;
  /** Movie id of each internal item index. */
  itemIds: string[];
  /** Explicit ratings, one row per (user, item): the latest value. */
  ratings: { user: Uint32Array; item: Uint32Array; value: Float32Array; time: Float64Array };
  /** Implicit watching, one row per (user, item): watched fraction of runtime in [0, 1]. */
  watches: { user: Uint32Array; item: Uint32Array; fraction: Float32Array; time: Float64Array };
  /**
   * Lists the service answered that the user then chose from: the titles shown (known to the snapshot, in the
   * order shown) and the one started first after the answer, within the hour. Only from a store whose stream
   * carries request lines; absent otherwise.
   */
  choices?: Choices;
  /** Per internal user; null entries when the catalog never answered. */
  users: (UserInfo | null)[];
  /** Per internal item: 1 when the catalog flags it adult. */
  adult: Uint8Array;
  /** Highest rating on the scale (5, or 10 in one term). */
  ratingMax: number;
  /** Where it came from: the window, a content hash, counts. */
  meta: { source: string; from: number; to: number; hash: string };
}

/** Choices from shown lists, one row per list: row r shows items[indptr[r]..indptr[r+1]) and chose chosen[r]. */
export interface Choices {
  user: Uint32Array;
  time: Float64Array;
  indptr: Uint32Array;
  items: Uint32Array;
  chosen: Uint32Array;
}

/** The rows of `c` that `keep` accepts (by row index). */
export function choicesWhere(c: Choices, keep: (row: number) => boolean): Choices {
  const rows: number[] = [];
  for (let r = 0; r < c.user.length; r++) if (keep(r)) rows.push(r);
  const indptr = new Uint32Array(rows.length + 1);
  rows.forEach((r, j) => {
    indptr[j + 1] = indptr[j]! + c.indptr[r + 1]! - c.indptr[r]!;
  });
  const items = new Uint32Array(indptr[rows.length]!);
  rows.forEach((r, j) => {
    items.set(c.items.subarray(c.indptr[r]!, c.indptr[r + 1]!), indptr[j]!);
  });
  return {
    user: Uint32Array.from(rows, (r) => c.user[r]!),
    time: Float64Array.from(rows, (r) => c.time[r]!),
    indptr,
    items,
    chosen: Uint32Array.from(rows, (r) => c.chosen[r]!),
  };
}

/** Age bands used for segments and per-group reports. */
export function ageBand(age: number | null): string {
  if (age === null || !Number.isFinite(age)) return 'unknown';
  if (age < 18) return '<18';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  return '55+';
}

/** The cold-start segment key of a user: gender × age band (unknown parts kept as `unknown`). */
export function segmentKey(info: UserInfo | null): string {
  return `${info?.gender ?? 'unknown'}|${ageBand(info?.age ?? null)}`;
}

/** A user under 18, or of unknown age when unknown ages count as minors. */
export function isMinor(info: UserInfo | null, unknownAgeIsMinor: boolean): boolean {
  const age = info?.age;
  if (age === null || age === undefined || !Number.isFinite(age)) return unknownAgeIsMinor;
  return age < 18;
}
