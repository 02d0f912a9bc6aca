// Reduces a batch of lines to what the store needs: one aggregate per
// (user, movie) for watches and ratings, request telemetry, counts.
import { DAY_MS } from '../store/tables';
import type { LineObserver } from './line-observer';
import { parseLine, type LineKind, type RejectReason } from './parse-line';

export interface WatchAgg {
  first: number;
  last: number;
  maxMinute: number;
  /** Bit m set when minute m was seen. */
  bits: Uint8Array;
  days: number[];
}

export interface RatingAgg {
  /** Events in stream order as t0, v0, t1, v1, ... */
  events: number[];
  days: number[];
}

export interface RequestRow {
  time: number;
  user: number;
  status: number;
  latencyMs: number;
  server: string;
  result: string;
}

export class BatchDelta {
  lines = 0;
  readonly kinds: Record<LineKind, number> = { watch: 0, rate: 0, request: 0, account: 0 };
  readonly rejectCounts = new Map<RejectReason, number>();
  /** The last `keep` rejected lines per reason. */
  readonly rejectLines = new Map<RejectReason, string[]>();
  private readonly dayCounts = new Map<number, number>();
  // Lines come in time order almost always: count a run of one day, touch the map when the day changes.
  private runDay = -1;
  private runCount = 0;
  readonly ratingValues = new Map<number, number>();
  minTime = Infinity;
  maxTime = -Infinity;
  readonly watches = new Map<number, Map<string, WatchAgg>>();
  readonly ratings = new Map<number, Map<string, RatingAgg>>();
  readonly requests: RequestRow[] = [];
  /** Earliest time per user of lines that have no (user, movie) aggregate: requests, sign-ups. */
  private readonly otherUsers = new Map<number, number>();

  constructor(
    private readonly ratingMax: number,
    private readonly keep: number,
    /** Sees every accepted line in stream order (the online join). */
    private readonly observer: LineObserver | null = null,
  ) {}

  add(line: string): void {
    this.lines++;
    const p = parseLine(line, this.ratingMax);
    if (p.kind === 'reject') {
      this.rejectCounts.set(p.reason, (this.rejectCounts.get(p.reason) ?? 0) + 1);
      if (this.keep > 0) {
        let kept = this.rejectLines.get(p.reason);
        if (!kept) this.rejectLines.set(p.reason, (kept = []));
        kept.push(line.length > 500 ? line.slice(0, 500) : line);
        if (kept.length > this.keep) kept.shift();
      }
      return;
    }
    this.kinds[p.kind]++;
    if (this.observer !== null) this.observer.line(p);
    const t = p.time;
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    const day = Math.floor(t / DAY_MS);
    if (day === this.runDay) this.runCount++;
    else {
      this.flushDay();
      this.runDay = day;
      this.runCount = 1;
    }

    if (p.kind === 'watch') {
      let byMovie = this.watches.get(p.user);
      if (!byMovie) this.watches.set(p.user, (byMovie = new Map()));
      let a = byMovie.get(p.movie);
      if (!a)
        byMovie.set(
          p.movie,
          (a = { first: t, last: t, maxMinute: p.minute, bits: new Uint8Array((p.minute >> 3) + 1), days: [day] }),
        );
      else {
        if (t < a.first) a.first = t;
        if (t > a.last) a.last = t;
        if (p.minute > a.maxMinute) a.maxMinute = p.minute;
        if (a.days[a.days.length - 1] !== day && !a.days.includes(day)) a.days.push(day);
      }
      a.bits = setBit(a.bits, p.minute);
    } else if (p.kind === 'rate') {
      this.ratingValues.set(p.rating, (this.ratingValues.get(p.rating) ?? 0) + 1);
      let byMovie = this.ratings.get(p.user);
      if (!byMovie) this.ratings.set(p.user, (byMovie = new Map()));
      const a = byMovie.get(p.movie);
      if (!a) byMovie.set(p.movie, { events: [t, p.rating], days: [day] });
      else {
        a.events.push(t, p.rating);
        if (!a.days.includes(day)) a.days.push(day);
      }
    } else {
      const u = this.otherUsers.get(p.user);
      if (u === undefined || t < u) this.otherUsers.set(p.user, t);
      if (p.kind === 'request') {
        this.requests.push({
          time: t,
          user: p.user,
          status: p.status,
          latencyMs: p.latencyMs,
          server: p.server,
          result: p.items ? p.items.join(',') : (p.error ?? ''),
        });
      }
    }
  }

  private flushDay(): void {
    if (this.runCount > 0) this.dayCounts.set(this.runDay, (this.dayCounts.get(this.runDay) ?? 0) + this.runCount);
    this.runCount = 0;
  }

  /** Accepted lines per UTC day number. */
  perDay(): Map<number, number> {
    this.flushDay();
    return this.dayCounts;
  }

  /** Earliest event time per user in this batch. */
  users(): Map<number, number> {
    const out = new Map(this.otherUsers);
    const see = (user: number, t: number) => {
      const u = out.get(user);
      if (u === undefined || t < u) out.set(user, t);
    };
    for (const [user, byMovie] of this.watches) for (const a of byMovie.values()) see(user, a.first);
    for (const [user, byMovie] of this.ratings) for (const a of byMovie.values()) see(user, minTime(a.events));
    return out;
  }

  /** Earliest event time per movie in this batch, from the (user, movie) aggregates rather than per line. */
  movies(): Map<string, number> {
    const out = new Map<string, number>();
    const see = (movie: string, t: number) => {
      const m = out.get(movie);
      if (m === undefined || t < m) out.set(movie, t);
    };
    for (const byMovie of this.watches.values()) for (const [movie, a] of byMovie) see(movie, a.first);
    for (const byMovie of this.ratings.values()) for (const [movie, a] of byMovie) see(movie, minTime(a.events));
    return out;
  }
}

/** Earliest time in a flattened t0, v0, t1, v1, ... list. */
function minTime(events: number[]): number {
  let first = events[0]!;
  for (let i = 2; i < events.length; i += 2) if (events[i]! < first) first = events[i]!;
  return first;
}

/** Sets bit `i`, growing the bitmap when needed (returns the bitmap that holds it). */
export function setBit(bits: Uint8Array, i: number): Uint8Array {
  const byte = i >> 3;
  let out = bits;
  if (byte >= bits.length) {
    out = new Uint8Array(byte + 1);
    out.set(bits);
  }
  out[byte]! |= 1 << (i & 7);
  return out;
}

/** Bitwise OR of two bitmaps of any lengths. */
export function orBits(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  const out = Uint8Array.from(long);
  for (let i = 0; i < short.length; i++) out[i]! |= short[i]!;
  return out;
}
