// An OutcomeReader built from what this process already has: the lists it
// served (list hash per user and arm, remembered here while a release is
// live) and the stream lines ingest keeps in the store (the client's request
// lines with event time and the list received, and later watches). A request
// line is attributed to the arm whose answer to that user had the same list;
// it is a hit when the user starts watching a listed title within the join
// window (event time), and its window closes once the stream has moved that
// far past it. Matching on event time means a replay gives the same figures.
// Lines are read in key (event time) order from a cursor: a line ingested
// after the cursor has passed its time is not counted.
import type { Database } from 'lmdb';
import type { RequestKey, RequestValue, WatchValue } from '../store/tables';
import type { ArmOutcomes, OutcomeReader, UserOutcome } from '../telemetry/outcomes';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Lists remembered per user: a request line is matched within the user's last few answers. */
const PER_USER = 8;

/** FNV-1a of a list's bytes, skipping spaces and line ends (so `a, b` and `a,b\n` agree). */
export function listHashBytes(b: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c <= 0x20) continue;
    h ^= c;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** The same over a string of ASCII ids. */
export function listHash(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20) continue;
    h ^= c & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

interface Served {
  hash: number;
  arm: string;
  model: string;
}

interface Pending {
  t: number;
  user: number;
  items: string[];
  arm: string;
}

interface ArmAcc {
  models: string[];
  answers: number;
  errors: number;
  perUser: Map<number, UserOutcome>;
}

export interface StreamOutcomes extends OutcomeReader {
  /** Called per answer on the main thread while a release is live. */
  served(userId: number, arm: string, model: string, body: string | Uint8Array): void;
  /** Reads the request lines ingested since the last call and closes the windows that have passed. */
  poll(): void;
  /** Forgets what these arms have served and gathered (a new canary or experiment starts from nothing). */
  reset(arms: readonly string[]): void;
  /** Event time of the newest request line read (0 before any). */
  eventNow(): number;
}

export function createStreamOutcomes(o: {
  requests: Database<RequestValue, RequestKey>;
  watches: Database<WatchValue, [number, string]>;
  windowMs: number;
  /** Users remembered at most (oldest forgotten first). */
  maxUsers?: number;
}): StreamOutcomes {
  const maxUsers = o.maxUsers ?? 1_000_000;
  const servedBy = new Map<number, Served[]>();
  let pending: Pending[] = [];
  const arms = new Map<string, ArmAcc>();
  let cursor: RequestKey | null = null;
  let now = 0;
  // Lines already in the store answered before this process: reading starts after them.
  for (const k of o.requests.getKeys({ reverse: true, limit: 1 })) {
    cursor = k as RequestKey;
    now = cursor[0];
  }

  const accOf = (arm: string): ArmAcc => {
    let a = arms.get(arm);
    if (!a) arms.set(arm, (a = { models: [], answers: 0, errors: 0, perUser: new Map() }));
    return a;
  };

  const hit = (p: Pending): boolean => {
    for (const m of p.items) {
      const w = o.watches.get([p.user, m]);
      if (w && w[0] >= p.t && w[0] <= p.t + o.windowMs) return true;
    }
    return false;
  };

  return {
    served(userId, arm, model, body) {
      const hash = typeof body === 'string' ? listHash(body) : listHashBytes(body);
      let list = servedBy.get(userId);
      if (!list) {
        if (servedBy.size >= maxUsers) {
          const oldest = servedBy.keys().next().value;
          if (oldest !== undefined) servedBy.delete(oldest);
        }
        servedBy.set(userId, (list = []));
      }
      list.push({ hash, arm, model });
      if (list.length > PER_USER) list.shift();
    },
    poll() {
      const range = cursor ? o.requests.getRange({ start: cursor }) : o.requests.getRange({});
      let last: RequestKey | null = null;
      for (const { key, value } of range) {
        if (cursor && key[0] === cursor[0] && key[1] === cursor[1] && key[2] === cursor[2]) continue;
        last = key;
        const [t, user] = key;
        if (t > now) now = t;
        const list = servedBy.get(user);
        if (!list || list.length === 0) continue;
        const [status, , , result] = value;
        if (status !== 200) {
          // No list to match: the user's latest arm is the one the router gave them.
          const s = list[list.length - 1]!;
          const acc = accOf(s.arm);
          acc.answers++;
          acc.errors++;
          continue;
        }
        const h = listHash(result);
        const s = list.find((x) => x.hash === h);
        if (!s) continue;
        const acc = accOf(s.arm);
        acc.answers++;
        if (acc.models[acc.models.length - 1] !== s.model) acc.models.push(s.model);
        pending.push({ t, user, items: result.split(','), arm: s.arm });
      }
      if (last) cursor = last;
      // Request lines arrive in event-time order within the stream; a window closes once the stream is past it.
      let closed = 0;
      while (closed < pending.length && pending[closed]!.t + o.windowMs <= now) {
        const p = pending[closed]!;
        const acc = accOf(p.arm);
        let u = acc.perUser.get(p.user);
        if (!u) acc.perUser.set(p.user, (u = { answers: 0, hits: 0 }));
        u.answers++;
        if (hit(p)) u.hits++;
        closed++;
      }
      if (closed > 0) pending = pending.slice(closed);
    },
    reset(names) {
      const drop = new Set(names);
      for (const a of drop) arms.delete(a);
      pending = pending.filter((p) => !drop.has(p.arm));
      for (const [user, list] of servedBy) {
        const kept = list.filter((x) => !drop.has(x.arm));
        if (kept.length === 0) servedBy.delete(user);
        else if (kept.length !== list.length) servedBy.set(user, kept);
      }
    },
    eventNow: () => now,
    // Outcomes count from the last reset (the start of the canary or experiment): that is the arm's start.
    arm(arm) {
      const a = arms.get(arm);
      if (!a) return undefined;
      const out: ArmOutcomes = { arm, models: a.models, answers: a.answers, errors: a.errors, perUser: a.perUser };
      return out;
    },
  };
}
