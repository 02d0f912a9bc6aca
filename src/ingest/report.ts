// `movrec report data`: what the stream brought in, from the store.
import { stateDigest } from '../store/digest';
import { storeTables, type Store } from '../store/store';
import { META_TOTALS, emptyTotals, metaRejectsKey, type Totals } from '../store/tables';
import { REJECT_REASONS } from './parse-line';

export interface CatalogCounts {
  known: number;
  unknown: number;
  pending: number;
}

export interface DataReport {
  /** Lines read and applied, rejects included. */
  lines: number;
  kinds: Totals['kinds'];
  rejected: number;
  rejects: Record<string, { count: number; examples: string[] }>;
  /** Watch lines against the (user, movie) records they collapsed into; ratio is the share of lines absorbed. */
  collapse: { watchLines: number; watchRecords: number; ratio: number };
  users: number;
  movies: number;
  catalog: { users: CatalogCounts; movies: CatalogCounts };
  /** Watch and rating records whose user or movie the catalog does not know: kept, flagged, left out of training. */
  flaggedRecords: number;
  ratings: { events: Record<string, number>; latest: Record<string, number>; pairs: number };
  requests: { count: number; byStatus: Record<string, number> };
  timeRange: { from: string | null; to: string | null };
  perDay: Record<string, number>;
  digest: string;
}

export function dataReport(store: Store): DataReport {
  const t = storeTables(store);
  const tot = (t.meta.get(META_TOTALS) as Totals | undefined) ?? emptyTotals();
  const rejects: DataReport['rejects'] = {};
  for (const reason of REJECT_REASONS) {
    const count = tot.rejects[reason] ?? 0;
    if (count > 0)
      rejects[reason] = { count, examples: (t.meta.get(metaRejectsKey(reason)) as string[] | undefined) ?? [] };
  }
  const catalogCounts = <K extends number | string>(
    seen: Iterable<K>,
    get: (k: K) => { known: boolean } | undefined,
  ): [CatalogCounts, Set<K>] => {
    const c: CatalogCounts = { known: 0, unknown: 0, pending: 0 };
    const unknown = new Set<K>();
    for (const k of seen) {
      const e = get(k);
      if (!e) c.pending++;
      else if (e.known) c.known++;
      else c.unknown++, unknown.add(k);
    }
    return [c, unknown];
  };
  const [users, unknownUsers] = catalogCounts(t.seenUsers.getKeys(), (k) => t.catalogUsers.get(k));
  const [movies, unknownMovies] = catalogCounts(t.seenMovies.getKeys(), (k) => t.catalogMovies.get(k));

  let watchRecords = 0;
  let flagged = 0;
  for (const [u, m] of t.watches.getKeys()) {
    watchRecords++;
    if (unknownUsers.has(u) || unknownMovies.has(m)) flagged++;
  }
  const latest: Record<string, number> = {};
  let pairs = 0;
  for (const { key, value } of t.ratings.getRange()) {
    pairs++;
    latest[value[0]] = (latest[value[0]] ?? 0) + 1;
    if (unknownUsers.has(key[0]) || unknownMovies.has(key[1])) flagged++;
  }
  const byStatus: Record<string, number> = {};
  let requests = 0;
  for (const { value: v } of t.requests.getRange()) {
    requests++;
    byStatus[v[0]] = (byStatus[v[0]] ?? 0) + 1;
  }
  const watchLines = tot.kinds.watch;
  return {
    lines: tot.lines,
    kinds: tot.kinds,
    rejected: Object.values(tot.rejects).reduce((a, b) => a + b, 0),
    rejects,
    collapse: { watchLines, watchRecords, ratio: watchLines > 0 ? 1 - watchRecords / watchLines : 0 },
    users: t.seenUsers.getKeysCount(),
    movies: t.seenMovies.getKeysCount(),
    catalog: { users, movies },
    flaggedRecords: flagged,
    ratings: { events: tot.ratingValues, latest, pairs },
    requests: { count: requests, byStatus },
    timeRange: {
      from: tot.minTime === null ? null : new Date(tot.minTime).toISOString(),
      to: tot.maxTime === null ? null : new Date(tot.maxTime).toISOString(),
    },
    perDay: Object.fromEntries(Object.entries(tot.perDay).sort(([a], [b]) => (a < b ? -1 : 1))),
    digest: stateDigest(t),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatDataReport(r: DataReport): string {
  const out: string[] = [];
  out.push(`lines            ${r.lines}`);
  out.push(
    `  watch          ${r.kinds.watch}`,
    `  rate           ${r.kinds.rate}`,
    `  request        ${r.kinds.request}`,
    `  account        ${r.kinds.account}`,
  );
  out.push(`  rejected       ${r.rejected}`);
  for (const [reason, x] of Object.entries(r.rejects)) {
    out.push(`    ${reason.padEnd(20)} ${x.count}`);
    for (const e of x.examples.slice(-3)) out.push(`      e.g. ${e.length > 120 ? `${e.slice(0, 117)}...` : e}`);
  }
  out.push(
    `collapse         ${r.collapse.watchLines} watch lines -> ${r.collapse.watchRecords} (user, ` +
      `movie) records (${pct(r.collapse.ratio)} absorbed)`,
  );
  out.push(
    `users seen       ${r.users} (catalog: ${r.catalog.users.known} known, ` +
      `${r.catalog.users.unknown} unknown, ${r.catalog.users.pending} not asked yet)`,
  );
  out.push(
    `movies seen      ${r.movies} (catalog: ${r.catalog.movies.known} known, ` +
      `${r.catalog.movies.unknown} unknown, ${r.catalog.movies.pending} not asked yet)`,
  );
  out.push(`flagged records  ${r.flaggedRecords} (user or movie unknown to the catalog)`);
  const dist = (d: Record<string, number>) =>
    Object.entries(d)
      .map(([v, n]) => `${v}:${n}`)
      .join(' ') || '-';
  out.push(
    `ratings          ${r.ratings.pairs} (user, movie) pairs; latest ${dist(r.ratings.latest)}; ` +
      `every event ${dist(r.ratings.events)}`,
  );
  out.push(`requests         ${r.requests.count}; by status ${dist(r.requests.byStatus)}`);
  out.push(`time range       ${r.timeRange.from ?? '-'} .. ${r.timeRange.to ?? '-'}`);
  out.push('lines per day');
  for (const [day, n] of Object.entries(r.perDay)) out.push(`  ${day}  ${n}`);
  out.push(`digest           ${r.digest}`);
  return out.join('\n');
}
