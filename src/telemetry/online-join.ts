// The online join: the stream's own request lines (the list the client
// received, with event time) are matched to the server's answer log (user +
// list) for model and arm, then joined with the user's later watch and rate
// lines by EVENT time. The first watch the user STARTS (a minute-0 line)
// within the window decides: a listed title is a hit at its position (for the
// reciprocal rank), another title means the user chose elsewhere. Any listed
// title started within the window is counted beside it (`any`), and ratings
// of listed titles within the window are averaged. Why the first start
// decides: on a catalog of a few hundred titles a user's own next choices
// land on a 20-title list of good guesses so often that "any listed title
// within the hour" read 77% where users chose from the list 37% of the time
// (the simulator's scoreboard, which knows). An answer is counted once the
// stream's clock (its newest event time) has passed the end of its window, so
// a replay of the same lines gives the same figures as live.
import type { Database, RootDatabase } from 'lmdb';
import type { AcceptedLine, LineObserver } from '../ingest/line-observer';
import type { RequestLine } from '../ingest/parse-line';
import { DB, openTables, requestContentHash, type RequestKey } from '../store/tables';
import { listHash, NO_ARM, type AnswerLog } from './answer-log';
import {
  onlineCatalog,
  onlineClientLatency,
  onlineClientRequests,
  onlineHits,
  onlineJoined,
  onlineMrr,
  onlinePopularity,
  onlineRating,
  onlineUsers,
  onlineWatchRate,
} from './metrics';
import type { ArmOutcomes, OutcomeReader, UserOutcome } from './outcomes';

/** Model and arm of a request line that matched no answer in the log. */
export const UNMATCHED = NO_ARM;

/**
 * One row per request line of the stream, keyed like its row in `requests`
 * ([time, user, content hash]), written when its window closes (at once for
 * a failed request): [status, client latency ms, model, arm, request id or
 * null, list length, position of the first title started if listed (0: none
 * or not listed), listed titles rated, sum of those ratings, list popularity,
 * 1 when any listed title was started within the window].
 */
export type OnlineRow = [number, number, string, string, string | null, number, number, number, number, number, number];

interface Pending {
  t: number;
  end: number;
  user: number;
  items: string[];
  model: string;
  arm: string;
  requestId: string | null;
  status: number;
  latencyMs: number;
  key: RequestKey;
  firstPos: number;
  /** The first start has been seen: later ones no longer decide. */
  decided: boolean;
  any: boolean;
  rated: number;
  ratingSum: number;
  done: boolean;
}

/** Running figures of one (model, arm). */
interface Agg {
  model: string;
  arm: string;
  joined: number;
  hits: number;
  rrSum: number;
  rated: number;
  ratingSum: number;
  popSum: number;
  users: Set<number>;
  served: Set<string>;
}

/** Per arm, every joined answer in event-time order: the outcome reader's source. */
interface ArmLog {
  models: string[];
  t: number[];
  user: number[];
  hit: number[];
  closedOrOpen: number;
  errors: number;
  /** Entries dropped from the front so far: an entry's absolute index is dropped + its index. */
  dropped: number;
  /** Per-user sums kept per `sinceMs` asked for, with the absolute index they have read up to. */
  views: Map<number, { next: number; perUser: Map<number, UserOutcome> }>;
}

export interface OnlineJoin extends LineObserver, OutcomeReader {
  /** The answer log to attribute request lines with (the serving process's); without one every line is unmatched. */
  attach(answers: Pick<AnswerLog, 'match' | 'served'>): void;
  /** The stream's clock: the newest event time seen (ms), or -Infinity. */
  clock(): number;
  /** Answers waiting for their window to close. */
  pending(): number;
}

const PRUNE_EVERY_TAKES = 200;
const PRUNE_ROWS = 5_000;
const CATALOG_EVERY_TAKES = 50;
const ARM_LOG_MAX = 4_000_000;
/** Distinct `sinceMs` views kept per arm (the guard and experiments ask with one each; the oldest goes first). */
const VIEWS_PER_ARM = 4;

export function createOnlineJoin(opts: { windowMs: number; retentionDays: number }): OnlineJoin {
  const windowMs = opts.windowMs;
  let answers: Pick<AnswerLog, 'match' | 'served'> | null = null;
  let clock = -Infinity;
  const byUser = new Map<number, Pending[]>();
  const queue: Pending[] = [];
  let head = 0;
  let rows: [RequestKey, OnlineRow][] = [];
  const aggs = new Map<string, Agg>();
  const arms = new Map<string, ArmLog>();
  // Watch starts (minute 0 lines) per title: the popularity a served list is compared with.
  const starts = new Map<string, number>();
  let totalStarts = 0;
  let catalogSize = 0;
  let takes = 0;
  let onlineRoot: RootDatabase | undefined;
  let onlineDb: Database<OnlineRow, RequestKey> | undefined;
  let seenMovies: ReturnType<typeof openTables>['seenMovies'] | undefined;

  const armLog = (arm: string): ArmLog => {
    let a = arms.get(arm);
    if (!a)
      arms.set(
        arm,
        (a = { models: [], t: [], user: [], hit: [], closedOrOpen: 0, errors: 0, dropped: 0, views: new Map() }),
      );
    return a;
  };

  const aggOf = (model: string, arm: string): Agg => {
    const k = `${model}\t${arm}`;
    let a = aggs.get(k);
    if (!a)
      aggs.set(
        k,
        (a = {
          model,
          arm,
          joined: 0,
          hits: 0,
          rrSum: 0,
          rated: 0,
          ratingSum: 0,
          popSum: 0,
          users: new Set(),
          served: new Set(),
        }),
      );
    return a;
  };

  const popularity = (items: string[]): number => {
    if (totalStarts === 0 || starts.size === 0 || items.length === 0) return 0;
    const mean = totalStarts / starts.size;
    let s = 0;
    for (const m of items) s += starts.get(m) ?? 0;
    return s / items.length / mean;
  };

  const finalize = (p: Pending): void => {
    p.done = true;
    const list = byUser.get(p.user);
    if (list) {
      const i = list.indexOf(p);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) byUser.delete(p.user);
    }
    const pop = popularity(p.items);
    rows.push([
      p.key,
      [
        p.status,
        p.latencyMs,
        p.model,
        p.arm,
        p.requestId,
        p.items.length,
        p.firstPos,
        p.rated,
        p.ratingSum,
        pop,
        p.any ? 1 : 0,
      ],
    ]);
    const a = aggOf(p.model, p.arm);
    a.joined++;
    if (p.firstPos > 0) {
      a.hits++;
      a.rrSum += 1 / p.firstPos;
    }
    a.rated += p.rated;
    a.ratingSum += p.ratingSum;
    a.popSum += pop;
    a.users.add(p.user);
    for (const m of p.items) a.served.add(m);
    const l = { model: p.model, arm: p.arm };
    onlineJoined.inc(l);
    if (p.firstPos > 0) onlineHits.inc(l);
    onlineUsers.set(l, a.users.size);
    onlineWatchRate.set(l, a.hits / a.joined);
    onlineMrr.set(l, a.rrSum / a.joined);
    if (a.rated > 0) onlineRating.set(l, a.ratingSum / a.rated);
    if (catalogSize > 0) onlineCatalog.set(l, a.served.size / catalogSize);
    onlinePopularity.set(l, a.popSum / a.joined);
    const log = armLog(p.arm);
    log.t.push(p.t);
    log.user.push(p.user);
    log.hit.push(p.firstPos > 0 ? 1 : 0);
    // Bounded memory: the oldest half goes once an arm holds this many (the reader's `sinceMs` looks back less far).
    if (log.t.length > ARM_LOG_MAX) {
      const drop = log.t.length >> 1;
      log.t.splice(0, drop);
      log.user.splice(0, drop);
      log.hit.splice(0, drop);
      log.dropped += drop;
    }
  };

  const expire = (): void => {
    while (head < queue.length) {
      const p = queue[head]!;
      if (!p.done) {
        if (p.end >= clock) break;
        finalize(p);
      }
      head++;
    }
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  };

  const request = (p: RequestLine): void => {
    const items = p.items ?? [];
    const result = p.items ? p.items.join(',') : (p.error ?? '');
    const key: RequestKey = [p.time, p.user, requestContentHash([p.status, p.latencyMs, p.server, result])];
    const m = p.status === 200 && items.length > 0 ? answers?.match(p.user, listHash(result)) : undefined;
    const model = m?.model ?? UNMATCHED;
    const arm = m?.arm ?? UNMATCHED;
    onlineClientRequests.inc({ model, arm, status: String(p.status) });
    onlineClientLatency.observe({ model }, p.latencyMs / 1000);
    const pend: Pending = {
      t: p.time,
      end: p.time + windowMs,
      user: p.user,
      items,
      model,
      arm,
      requestId: m?.requestId ?? null,
      status: p.status,
      latencyMs: p.latencyMs,
      key,
      firstPos: 0,
      decided: false,
      any: false,
      rated: 0,
      ratingSum: 0,
      done: false,
    };
    const log = armLog(arm);
    if (m && !log.models.includes(model)) log.models.push(model);
    if (p.status !== 200 || items.length === 0) {
      if (p.status !== 200) log.errors++;
      pend.done = true;
      rows.push([key, [p.status, p.latencyMs, model, arm, pend.requestId, 0, 0, 0, 0, 0, 0]]);
      return;
    }
    log.closedOrOpen++;
    let list = byUser.get(p.user);
    if (!list) byUser.set(p.user, (list = []));
    list.push(pend);
    queue.push(pend);
  };

  const reader: OutcomeReader = {
    arm(arm, sinceMs): ArmOutcomes | undefined {
      const log = arms.get(arm);
      const served = answers?.served(arm, sinceMs);
      if (!log && !served) return undefined;
      let perUser = new Map<number, UserOutcome>();
      if (log) {
        // Each call reads only what was joined since the last one with the same sinceMs: the guard asks every few
        // seconds, and a full pass over an arm's millions of answers each time would stall the main thread.
        const key = sinceMs ?? -Infinity;
        let view = log.views.get(key);
        if (!view) {
          if (log.views.size >= VIEWS_PER_ARM) log.views.delete(log.views.keys().next().value!);
          log.views.set(key, (view = { next: log.dropped, perUser: new Map() }));
        }
        for (let i = Math.max(0, view.next - log.dropped); i < log.t.length; i++) {
          if (log.t[i]! < key) continue;
          const u = log.user[i]!;
          let o = view.perUser.get(u);
          if (!o) view.perUser.set(u, (o = { answers: 0, hits: 0 }));
          o.answers++;
          o.hits += log.hit[i]!;
        }
        view.next = log.dropped + log.t.length;
        perUser = view.perUser;
      }
      const models = [...(served?.models ?? [])];
      for (const m of log?.models ?? []) if (!models.includes(m)) models.push(m);
      return {
        arm,
        models,
        answers: served ? served.answers : (log?.closedOrOpen ?? 0),
        errors: served ? served.errors : (log?.errors ?? 0),
        perUser,
      };
    },
  };

  return {
    ...reader,
    attach(a) {
      answers = a;
    },
    clock: () => clock,
    pending: () => queue.length - head,
    line(p: AcceptedLine): void {
      const t = p.time;
      if (t > clock) clock = t;
      if (p.kind === 'watch') {
        // Only starts matter: the minutes after the first are most of the stream and cost one comparison here.
        if (p.minute === 0) {
          starts.set(p.movie, (starts.get(p.movie) ?? 0) + 1);
          totalStarts++;
          const list = byUser.get(p.user);
          if (list !== undefined)
            for (const q of list) {
              if (t < q.t || t > q.end || (q.decided && q.any)) continue;
              const i = q.items.indexOf(p.movie);
              if (i >= 0) q.any = true;
              if (!q.decided) {
                q.decided = true;
                if (i >= 0) q.firstPos = i + 1;
              }
            }
        }
      } else if (p.kind === 'rate') {
        const list = byUser.get(p.user);
        if (list !== undefined)
          for (const q of list) {
            if (t < q.t || t > q.end || !q.items.includes(p.movie)) continue;
            q.rated++;
            q.ratingSum += p.rating;
          }
      } else if (p.kind === 'request') request(p);
      if (head < queue.length && queue[head]!.end < clock) expire();
    },
    take() {
      takes++;
      const out = rows;
      rows = [];
      const cutoff = clock - opts.retentionDays * 86_400_000;
      const prune = takes % PRUNE_EVERY_TAKES === 0 && Number.isFinite(cutoff);
      const countCatalog = takes % CATALOG_EVERY_TAKES === 1;
      if (out.length === 0 && !prune && !countCatalog) return null;
      return (root: RootDatabase) => {
        // Opened once: each openDB on a writable environment is a write transaction of its own.
        if (!onlineDb || onlineRoot !== root) {
          onlineRoot = root;
          onlineDb = root.openDB({ name: DB.online });
          seenMovies = openTables(root).seenMovies;
        }
        const db = onlineDb;
        for (const [k, v] of out) db.put(k, v);
        if (prune) {
          let removed = 0;
          for (const k of db.getKeys({ end: [cutoff], limit: PRUNE_ROWS })) {
            db.remove(k);
            removed++;
          }
          if (removed === PRUNE_ROWS) takes = PRUNE_EVERY_TAKES - 1;
        }
        if (countCatalog) catalogSize = (seenMovies!.getStats() as { entryCount: number }).entryCount;
      };
    },
  };
}
