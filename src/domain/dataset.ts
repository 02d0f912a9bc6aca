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
  /** Per internal user; null entries when the catalog never answered. */
  users: (UserInfo | null)[];
  /** Per internal item: 1 when the catalog flags it adult. */
  adult: Uint8Array;
  /** Highest rating on the scale (5, or 10 in one term). */
  ratingMax: number;
  /** Where it came from: the window, a content hash, counts. */
  meta: { source: string; from: number; to: number; hash: string };
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
