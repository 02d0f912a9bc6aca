// `movrec report online`: the joined outcomes kept in LMDB (sub-db `online`)
// and the answer log, summed per model and arm since a time.
import type { Database, RootDatabase } from 'lmdb';
import { DB, openTables, type RequestKey } from '../store/tables';
import { readAnswers, readRefused } from './answer-log';
import type { OnlineRow } from './online-join';

export interface OnlineGroup {
  model: string;
  arm: string;
  /** Answers with a list the server recorded (its answer log). */
  answers: number;
  /** Request lines of the stream attributed here, and how many the client saw succeed. */
  requests: number;
  ok: number;
  successRate: number;
  clientLatencyMs: { p50: number; p99: number };
  /** Client-seen lists whose window has closed. */
  lists: number;
  users: number;
  /** The first title started within the window was listed. */
  watchFromListRate: number;
  /** A 95% Wilson interval around the rate. */
  watchFromListInterval: [number, number];
  /** Some listed title was started within the window (own choices included). */
  anyListedRate: number;
  mrr: number;
  ratedTitles: number;
  meanRating: number | null;
  catalogShare: number;
  listPopularity: number;
}

export interface OnlineReport {
  since: string | null;
  catalogTitles: number;
  groups: OnlineGroup[];
  /** Refusals counted per arm, source and status (never written one by one). */
  refused: { arm: string; source: string; status: number; count: number }[];
}

/** A 95% Wilson score interval for k of n. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

interface Acc {
  model: string;
  arm: string;
  answers: number;
  requests: number;
  ok: number;
  latencies: number[];
  lists: number;
  hits: number;
  any: number;
  rr: number;
  rated: number;
  ratingSum: number;
  pop: number;
  users: Set<number>;
  served: Set<string>;
}

export function onlineReport(root: RootDatabase, sinceMs?: number): OnlineReport {
  // Opened read-only before any serving run wrote it (`models ls` after `train`), the sub-db does not exist: no rows.
  const online = root.openDB<OnlineRow, RequestKey>({ name: DB.online }) as Database<OnlineRow, RequestKey> | undefined;
  const tables = openTables(root);
  const requests = tables.requests;
  const accs = new Map<string, Acc>();
  const acc = (model: string, arm: string): Acc => {
    const k = `${model}\t${arm}`;
    let a = accs.get(k);
    if (!a)
      accs.set(
        k,
        (a = {
          model,
          arm,
          answers: 0,
          requests: 0,
          ok: 0,
          latencies: [],
          lists: 0,
          hits: 0,
          any: 0,
          rr: 0,
          rated: 0,
          ratingSum: 0,
          pop: 0,
          users: new Set(),
          served: new Set(),
        }),
      );
    return a;
  };
  const rows = online ? online.getRange(sinceMs === undefined ? {} : { start: [sinceMs] }) : [];
  for (const { key, value: v } of rows) {
    const a = acc(v[2], v[3]);
    a.requests++;
    a.latencies.push(v[1]);
    if (v[0] !== 200) continue;
    a.ok++;
    if (v[5] === 0) continue;
    a.lists++;
    a.users.add(key[1]);
    if (v[6] > 0) {
      a.hits++;
      a.rr += 1 / v[6];
    }
    a.any += v[10] ?? 0;
    a.rated += v[7];
    a.ratingSum += v[8];
    a.pop += v[9];
    const r = requests.get(key);
    if (r) for (const m of r[3].split(',')) a.served.add(m);
  }
  for (const ans of readAnswers(root, sinceMs ?? 0)) acc(ans.model, ans.arm).answers++;
  const catalogTitles = (tables.seenMovies.getStats() as { entryCount: number }).entryCount;
  const groups: OnlineGroup[] = [...accs.values()]
    .map((a) => ({
      model: a.model,
      arm: a.arm,
      answers: a.answers,
      requests: a.requests,
      ok: a.ok,
      successRate: a.requests === 0 ? 0 : a.ok / a.requests,
      clientLatencyMs: { p50: quantile(a.latencies, 0.5), p99: quantile(a.latencies, 0.99) },
      lists: a.lists,
      users: a.users.size,
      watchFromListRate: a.lists === 0 ? 0 : a.hits / a.lists,
      watchFromListInterval: wilson(a.hits, a.lists),
      anyListedRate: a.lists === 0 ? 0 : a.any / a.lists,
      mrr: a.lists === 0 ? 0 : a.rr / a.lists,
      ratedTitles: a.rated,
      meanRating: a.rated === 0 ? null : a.ratingSum / a.rated,
      catalogShare: catalogTitles === 0 ? 0 : a.served.size / catalogTitles,
      listPopularity: a.lists === 0 ? 0 : a.pop / a.lists,
    }))
    .sort((x, y) => (x.model === y.model ? (x.arm < y.arm ? -1 : 1) : x.model < y.model ? -1 : 1));
  const refused = [...readRefused(root, sinceMs ?? 0)].map(([k, count]) => {
    const [arm, source, status] = k.split('\t') as [string, string, string];
    return { arm, source, status: Number(status), count };
  });
  return {
    since: sinceMs === undefined ? null : new Date(sinceMs).toISOString(),
    catalogTitles,
    groups,
    refused,
  };
}

/** Online figures per model (every arm summed), for `movrec models ls`. */
export function onlineByModel(r: OnlineReport): Map<string, { lists: number; rate: number }> {
  const out = new Map<string, { lists: number; hits: number; rate: number }>();
  for (const g of r.groups) {
    const o = out.get(g.model) ?? { lists: 0, hits: 0, rate: 0 };
    o.lists += g.lists;
    o.hits += g.watchFromListRate * g.lists;
    o.rate = o.lists === 0 ? 0 : o.hits / o.lists;
    out.set(g.model, o);
  }
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function formatOnlineReport(r: OnlineReport): string {
  const head = [
    'MODEL',
    'ARM',
    'ANSWERS',
    'REQ',
    'OK',
    'P50/P99 MS',
    'LISTS',
    'USERS',
    'WATCH-FROM-LIST (95% CI)',
    'ANY-LISTED',
    'MRR',
    'RATING',
    'CATALOG',
    'POP',
  ];
  const rows = r.groups.map((g) => [
    g.model,
    g.arm,
    String(g.answers),
    String(g.requests),
    pct(g.successRate),
    `${g.clientLatencyMs.p50}/${g.clientLatencyMs.p99}`,
    String(g.lists),
    String(g.users),
    `${pct(g.watchFromListRate)} (${pct(g.watchFromListInterval[0])}-${pct(g.watchFromListInterval[1])})`,
    pct(g.anyListedRate),
    g.mrr.toFixed(3),
    g.meanRating === null ? '-' : g.meanRating.toFixed(2),
    pct(g.catalogShare),
    g.listPopularity.toFixed(2),
  ]);
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((x) => x[c]!.length)));
  const table = [head, ...rows].map((x) =>
    x
      .map((s, c) => s.padEnd(width[c]!))
      .join('  ')
      .trimEnd(),
  );
  const lines = [
    `online outcomes${r.since ? ` since ${r.since}` : ''} (model "none": a request line no answer ` +
      `matched; ${r.catalogTitles} titles in the stream)`,
    ...(rows.length === 0 ? ['no joined answers yet'] : table),
  ];
  if (r.refused.length > 0)
    lines.push(
      `refused (counted, not logged): ${r.refused
        .map((x) => `${x.count} x ${x.status} ${x.source} (${x.arm})`)
        .join(', ')}`,
    );
  return lines.join('\n');
}
