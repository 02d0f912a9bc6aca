// The people in the world: sessions on a simulated clock that ask for recommendations, choose, stream minute by minute,
// and rate.
import {
  createAccountLine,
  rateLine,
  requestLine,
  TimeFormatter,
  watchLine,
  type ListStyle,
  type Outcome,
  type ServerName,
  type TimeDigits,
} from './lines';
import { Rng, searchCumulative } from './rng';
import { isMinorUser, observedRating, popularityCumulative, utility5 } from './truth';
import type { World } from './world';

/**
 * The choice model: a list item attracts by a logistic of its utility above `bar` (bounded, so one
 * lucky item cannot dominate), decaying with position, against the weight of looking elsewhere.
 */
export const CHOICE = { beta: 3, bar: 4.7, positionDecay: 0.9, outside: 4, ownCandidates: 6 } as const;

export function attraction(x: number): number {
  return 1 / (1 + Math.exp(-CHOICE.beta * (x - CHOICE.bar)));
}

export interface ScenarioOptions {
  /** A burst of 1-star ratings for one movie from fresh accounts. */
  reviewBomb?: { at: number; count: number; movie?: string } | null;
  /** A burst of recommendation requests for one user. */
  flood?: { at: number; requests: number; user?: number } | null;
}

export interface BehaviourOptions extends ScenarioOptions {
  /** Seed of the behaviour's own randomness (default: the world's). */
  seed?: number;
  /** Simulated start (ms since epoch; default the world's). */
  start?: number;
  /** Sessions in progress at once: the stream's density in simulated time. */
  sessions?: number;
  /** Whether sign-ups write `GET /create_account` lines (one term only had them). */
  createAccount?: boolean;
  /** Chance that choosing a movie starts with a recommendation request. */
  recommendShare?: number;
  /** Share of arrivals that are new users signing up. */
  newUserShare?: number;
  server: ServerName;
  listStyle?: ListStyle;
  /** Fractional digits of line times: 0, 3, 6 (default) or 9. */
  timeDigits?: TimeDigits;
}

/** A recommendation request the engine wants made: the caller answers it with resolve(). */
export interface RecNeed {
  readonly userId: number;
  /** Simulated time of the request. */
  readonly t: number;
  readonly flood: boolean;
  readonly session: Session;
}

enum Kind {
  Normal,
  Bomb,
  Flood,
  BombStart,
}
enum Phase {
  Arrive,
  Pick,
  Waiting,
  Watch,
  After,
  Rate,
  Account,
  BombRate,
}

interface Session {
  t: number;
  seq: number;
  kind: Kind;
  phase: Phase;
  user: number;
  movie: number;
  minute: number;
  minutes: number;
  fraction: number;
  left: number;
  isNew: boolean;
}

export interface BehaviourCounts {
  watch: number;
  rate: number;
  account: number;
  request: number;
  /** Answers with at least one item. */
  lists: number;
  /** Lists from which the user then chose a movie. */
  listsWatchedFrom: number;
}

const MINUTE = 60_000;

export class Behaviour {
  readonly counts: BehaviourCounts = { watch: 0, rate: 0, account: 0, request: 0, lists: 0, listsWatchedFrom: 0 };
  /**
   * Called for every answered list (user index, movie indices with -1 for unknown ids, time, whether the user chose
   * from it).
   */
  onList: ((userIndex: number, items: number[], t: number, chosen: boolean) => void) | null = null;
  private readonly rng: Rng;
  private readonly fmt: TimeFormatter;
  private readonly heap: Session[] = [];
  private seq = 0;
  private clock: number;
  private readonly popCum: Float64Array;
  private readonly popTotal: number;
  private readonly activeCum: Float64Array;
  private readonly initialUsers: number;
  private nextNewUser: number;
  private readonly joined: number[] = [];
  private readonly watched = new Map<number, Set<number>>();
  private readonly style: ListStyle;
  private readonly createAccount: boolean;
  private readonly recommendShare: number;
  private readonly newUserShare: number;
  private readonly server: ServerName;
  private readonly bombMovie: number;
  private readonly floodUser: number;

  constructor(
    readonly world: World,
    private readonly opts: BehaviourOptions,
  ) {
    const p = world.params;
    this.rng = new Rng(opts.seed ?? p.seed, 7);
    this.clock = opts.start ?? p.start;
    this.style = opts.listStyle ?? 'spaced';
    this.fmt = new TimeFormatter(opts.timeDigits ?? 6);
    this.createAccount = opts.createAccount ?? true;
    this.recommendShare = opts.recommendShare ?? 0.5;
    this.newUserShare = opts.newUserShare ?? 0.03;
    this.server = opts.server;
    this.popCum = popularityCumulative(world);
    this.popTotal = this.popCum[this.popCum.length - 1]!;
    this.initialUsers = Math.max(1, Math.min(p.users, Math.round(p.users * p.initialShare)));
    this.nextNewUser = this.initialUsers;
    this.activeCum = new Float64Array(this.initialUsers);
    let total = 0;
    for (let u = 0; u < this.initialUsers; u++) this.activeCum[u] = total += world.userActivity[u]!;
    let bombMovie = 0;
    for (let m = 1; m < p.movies; m++) if (world.moviePopularity[m]! > world.moviePopularity[bombMovie]!) bombMovie = m;
    if (opts.reviewBomb?.movie !== undefined) {
      const m = world.movieIndex.get(opts.reviewBomb.movie);
      if (m === undefined) throw new RangeError(`review bomb: unknown movie ${opts.reviewBomb.movie}`);
      bombMovie = m;
    }
    this.bombMovie = bombMovie;
    this.floodUser = opts.flood?.user !== undefined ? opts.flood.user - 1 : this.drawActiveUser();
    const n = opts.sessions ?? 1000;
    for (let i = 0; i < n; i++) this.push(this.arrival(this.clock + this.rng.next() * 10 * MINUTE));
    if (opts.reviewBomb) this.push(this.session(opts.reviewBomb.at, Kind.BombStart, Phase.Arrive, 0, false));
    if (opts.flood) {
      const f = this.session(opts.flood.at, Kind.Flood, Phase.Pick, this.floodUser, false);
      f.left = opts.flood.requests;
      this.push(f);
    }
  }

  /** Simulated time of the newest line. */
  now(): number {
    return this.clock;
  }

  /** Movie id of the review bomb's target. */
  bombTarget(): string {
    return this.world.movieIds[this.bombMovie]!;
  }

  /** Movies the user has watched so far (indices). */
  watchedBy(userIndex: number): ReadonlySet<number> | undefined {
    return this.watched.get(userIndex);
  }

  /** The next line, or a request to make (answer it with resolve), or null when every session waits on a request. */
  next(): string | RecNeed | null {
    for (;;) {
      const s = this.pop();
      if (!s) return null;
      if (s.t > this.clock) this.clock = s.t;
      const out = this.advance(s);
      if (out !== undefined) return out;
    }
  }

  /** Writes the request line for an answered (or failed) request and lets the session go on. */
  resolve(need: RecNeed, o: Outcome): string {
    const t = Math.max(need.t, this.clock);
    this.counts.request++;
    const line = requestLine(this.fmt.format(t), need.userId, this.server, o, this.style);
    const s = need.session;
    if (need.flood) return line;
    const items = o.kind === 'ok' ? o.items.map((id) => this.world.movieIndex.get(id) ?? -1) : [];
    let chosen = -1;
    if (items.length > 0) {
      this.counts.lists++;
      chosen = this.chooseFromList(s.user, items, t);
      if (chosen >= 0) this.counts.listsWatchedFrom++;
      this.onList?.(s.user, items, t, chosen >= 0);
    }
    // A user who looked at the list and chose none of it looks elsewhere: none of its titles. Without this,
    // an observer of the stream could not tell "chose from the list" from "found a listed title alone".
    this.startWatching(s, chosen >= 0 ? chosen : this.chooseOwn(s.user, t, items), t + o.ms + this.rng.exp(15_000));
    this.push(s);
    return line;
  }

  private advance(s: Session): string | RecNeed | undefined {
    const rng = this.rng;
    switch (s.phase) {
      case Phase.Arrive: {
        if (s.kind === Kind.BombStart) {
          const rb = this.opts.reviewBomb!;
          for (let i = 0; i < rb.count; i++) {
            const b = this.session(
              s.t + rng.next() * 10 * MINUTE,
              Kind.Bomb,
              this.createAccount ? Phase.Account : Phase.BombRate,
              this.freshUser(),
              true,
            );
            this.push(b);
          }
          return undefined;
        }
        s.phase = Phase.Pick;
        if (s.isNew && this.createAccount) {
          s.t += 5_000 + rng.exp(30_000);
          this.push(s);
          return this.line(createAccountLine(this.fmt.format(this.clock), s.user + 1), 'account');
        }
        return this.advance(s);
      }
      case Phase.Account:
        s.phase = Phase.BombRate;
        s.t += 2_000 + rng.exp(20_000);
        this.push(s);
        return this.line(createAccountLine(this.fmt.format(this.clock), s.user + 1), 'account');
      case Phase.BombRate:
        this.seen(s.user).add(this.bombMovie);
        return this.line(
          rateLine(this.fmt.format(this.clock), s.user + 1, this.world.movieIds[this.bombMovie]!, 1),
          'rate',
        );
      case Phase.Pick: {
        if (s.kind === Kind.Flood) {
          if (s.left-- <= 0) return undefined;
          s.t += 5 + rng.next() * 10;
          this.push(s);
          return { userId: s.user + 1, t: this.clock, flood: true, session: s };
        }
        if (rng.chance(this.recommendShare)) {
          s.phase = Phase.Waiting;
          return { userId: s.user + 1, t: this.clock, flood: false, session: s };
        }
        this.startWatching(s, this.chooseOwn(s.user, this.clock), this.clock + rng.exp(20_000));
        this.push(s);
        return undefined;
      }
      case Phase.Watch: {
        if (s.movie < 0) {
          s.phase = Phase.After;
          return this.advance(s);
        }
        const line = watchLine(this.fmt.format(this.clock), s.user + 1, this.world.movieIds[s.movie]!, s.minute);
        s.minute++;
        if (s.minute >= s.minutes) s.phase = Phase.After;
        s.t += MINUTE + rng.next() * 40;
        this.push(s);
        return this.line(line, 'watch');
      }
      case Phase.After: {
        if (s.movie >= 0 && rng.chance(0.2 + 0.4 * s.fraction)) {
          s.phase = Phase.Rate;
          s.t += 5_000 + rng.exp(40_000);
          this.push(s);
          return undefined;
        }
        return this.endOrContinue(s);
      }
      case Phase.Rate: {
        const r = observedRating(this.world, s.user, s.movie, this.clock, rng);
        const line = rateLine(this.fmt.format(this.clock), s.user + 1, this.world.movieIds[s.movie]!, r);
        this.endOrContinue(s);
        return this.line(line, 'rate');
      }
      case Phase.Waiting:
        return undefined;
    }
  }

  private line(l: string, kind: 'watch' | 'rate' | 'account'): string {
    this.counts[kind]++;
    return l;
  }

  private endOrContinue(s: Session): undefined {
    if (this.rng.chance(0.35)) {
      s.phase = Phase.Pick;
      s.t += 10_000 + this.rng.exp(60_000);
      this.push(s);
    } else {
      this.push(this.arrival(s.t + this.rng.exp(5 * MINUTE)));
    }
    return undefined;
  }

  private startWatching(s: Session, movie: number, t: number): void {
    s.phase = Phase.Watch;
    s.t = t;
    s.movie = movie;
    s.minute = 0;
    if (movie < 0) return;
    this.seen(s.user).add(movie);
    const x = utility5(this.world, s.user, movie, t);
    const f = 1 / (1 + Math.exp(-(2 * (x - 3) + this.rng.normal() * 0.8)));
    const runtime = this.world.movieRuntime[movie] || 90;
    s.fraction = f;
    s.minutes = Math.max(1, Math.min(runtime, Math.round(f * runtime)));
  }

  private seen(user: number): Set<number> {
    let w = this.watched.get(user);
    if (!w) this.watched.set(user, (w = new Set()));
    return w;
  }

  /** Index of the list item chosen (a movie index), or -1 when the user looks elsewhere. */
  private chooseFromList(user: number, items: number[], t: number): number {
    const weights = listWeights(this.world, user, items, this.watched.get(user), t);
    let total = CHOICE.outside;
    for (const w of weights) total += w;
    let x = this.rng.next() * total;
    for (let j = 0; j < weights.length; j++) {
      x -= weights[j]!;
      if (x < 0) return items[j]!;
    }
    return -1;
  }

  /** A movie found on one's own: a few popular candidates, the best liked most likely (none of `declined`). */
  private chooseOwn(user: number, t: number, declined: readonly number[] = []): number {
    const w = this.world;
    const minor = isMinorUser(w, user);
    const seen = this.watched.get(user);
    const cands: number[] = [];
    const scores: number[] = [];
    for (let tries = 0; cands.length < CHOICE.ownCandidates && tries < 4 * CHOICE.ownCandidates; tries++) {
      const m = searchCumulative(this.popCum, this.rng.next() * this.popTotal);
      if ((minor && w.movieAdult[m]) || seen?.has(m) || declined.includes(m)) continue;
      cands.push(m);
      scores.push(Math.exp(CHOICE.beta * (utility5(w, user, m, t) - CHOICE.bar)));
    }
    return cands.length === 0 ? -1 : cands[this.rng.weighted(scores)]!;
  }

  private drawActiveUser(): number {
    return searchCumulative(this.activeCum, this.rng.next() * this.activeCum[this.activeCum.length - 1]!);
  }

  /**
   * A user who has not been seen yet: the next id of the world's sign-up pool (review bombers may run past the world's
   * users: the catalog does not know them).
   */
  private freshUser(): number {
    return this.nextNewUser++;
  }

  private arrival(t: number): Session {
    const rng = this.rng;
    if (rng.chance(this.newUserShare) && this.nextNewUser < this.world.params.users) {
      const u = this.freshUser();
      this.joined.push(u);
      return this.session(t, Kind.Normal, Phase.Arrive, u, true);
    }
    const j = this.joined.length;
    const u =
      j > 0 && rng.chance(Math.min(0.5, (3 * j) / this.initialUsers))
        ? this.joined[rng.int(j)]!
        : this.drawActiveUser();
    return this.session(t, Kind.Normal, Phase.Arrive, u, false);
  }

  private session(t: number, kind: Kind, phase: Phase, user: number, isNew: boolean): Session {
    return { t, seq: 0, kind, phase, user, movie: -1, minute: 0, minutes: 0, fraction: 0, left: 0, isNew };
  }

  private push(s: Session): void {
    s.seq = this.seq++;
    const h = this.heap;
    let i = h.length;
    h.push(s);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(s, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = s;
  }

  private pop(): Session | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

function before(a: Session, b: Session): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** Attraction of each list item (0 for unknown, already watched, or adult for a minor). */
export function listWeights(
  world: World,
  user: number,
  items: number[],
  seen: ReadonlySet<number> | undefined,
  t: number,
): number[] {
  const minor = isMinorUser(world, user);
  const out = new Array<number>(items.length);
  let decay = 1;
  for (let j = 0; j < items.length; j++) {
    const m = items[j]!;
    out[j] =
      m < 0 || seen?.has(m) || (minor && world.movieAdult[m]) ? 0 : decay * attraction(utility5(world, user, m, t));
    decay *= CHOICE.positionDecay;
  }
  return out;
}

/** The choice model's chance that the user watches something from this list. */
export function pickProbability(
  world: World,
  user: number,
  items: number[],
  seen: ReadonlySet<number> | undefined,
  t: number,
): number {
  let total = 0;
  for (const w of listWeights(world, user, items, seen, t)) total += w;
  return total / (total + CHOICE.outside);
}
