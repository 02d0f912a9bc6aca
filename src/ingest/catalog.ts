// Looks up users and movies in the catalog API (docs/contract.md §3) the first time they
// are seen: queued off the ingest path, paced, retried with backoff and jitter,
// tolerant of the mixed types, cached in LMDB; a 404 is recorded as unknown.
import { Errors, isMovrecError } from '../errors';
import { logger } from '../log';
import type { CatalogEntry, CatalogMovie, CatalogUser, Tables } from '../store/tables';
import { catalogFetches, catalogQueue } from './metrics';

export interface CatalogOptions {
  baseUrl: string;
  ratePerSecond: number;
  /** Attempts after the first before an id is left for the next start. */
  retries: number;
  timeoutMs: number;
  /** Ids per request when the catalog takes comma-separated lists (1: one id per request). */
  bulkSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

type Kind = 'user' | 'movie';

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== 'null' ? v : null);

/** A number given as a number or as a numeric string; anything else is null. */
function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function parseUserRecord(v: unknown): CatalogUser | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  if (r.user_id === undefined && r.age === undefined) return null;
  const age = num(r.age);
  const g = typeof r.gender === 'string' ? r.gender.trim().toUpperCase() : '';
  return {
    age: age !== null && age >= 0 && age < 150 ? age : null,
    gender: g === 'M' || g === 'F' ? g : null,
    occupation: str(r.occupation),
  };
}

export function parseMovieRecord(v: unknown): CatalogMovie | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  // An error object ({"message": ..., "id": ...}) stands in for an unknown id in bulk answers.
  if (r.title === undefined && r.tmdb_id === undefined && r.imdb_id === undefined) return null;
  const adult = r.adult === true || (typeof r.adult === 'string' && r.adult.trim().toLowerCase() === 'true');
  const runtime = num(r.runtime);
  const genres = Array.isArray(r.genres)
    ? r.genres
        .map((g) => (typeof g === 'string' ? g : str((g as Record<string, unknown> | null)?.name)))
        .filter((g): g is string => g !== null)
    : [];
  return { title: str(r.title), adult, runtime: runtime !== null && runtime > 0 ? runtime : null, genres };
}

export class CatalogFetcher {
  private readonly queues: Record<Kind, (number | string)[]> = { user: [], movie: [] };
  private readonly queued = new Set<string>();
  private inFlight = 0;
  private nextSlot = 0;
  /**
   * Requests per second actually used: cut on a 429, regrown step by step on success, never above the configured rate.
   */
  private rate: number;
  private lastCut = 0;
  private stopped = false;
  private pumping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly log = logger().child({ name: 'catalog' });
  readonly counts = { known: 0, unknown: 0, failed: 0 };

  constructor(
    private readonly t: Tables,
    private readonly opts: CatalogOptions,
  ) {
    this.rate = opts.ratePerSecond;
  }

  enqueue(kind: Kind, ids: Iterable<number | string>): void {
    for (const id of ids) {
      const key = `${kind}:${id}`;
      if (this.queued.has(key)) continue;
      this.queued.add(key);
      this.queues[kind].push(id);
    }
    catalogQueue.set(this.queued.size);
    this.pump();
  }

  /** Ids seen before but never answered (a previous run stopped first): ask again. */
  resumePending(): void {
    const users: number[] = [];
    for (const u of this.t.seenUsers.getKeys()) if (!this.t.catalogUsers.doesExist(u)) users.push(u);
    const movies: string[] = [];
    for (const m of this.t.seenMovies.getKeys()) if (!this.t.catalogMovies.doesExist(m)) movies.push(m);
    this.enqueue('user', users);
    this.enqueue('movie', movies);
  }

  pending(): number {
    return this.queued.size;
  }

  /** Resolves when nothing is queued or in flight and every answer is committed. */
  async idle(): Promise<void> {
    if (this.queued.size > 0 || this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.t.root.committed;
  }

  stop(): void {
    this.stopped = true;
    this.settle();
  }

  private settle(): void {
    if ((this.queued.size === 0 && this.inFlight === 0) || this.stopped)
      for (const w of this.idleWaiters.splice(0)) w();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      // Ids enqueued after drain() saw empty queues but before this ran would otherwise wait for the next enqueue.
      if (!this.stopped && this.queues.user.length + this.queues.movie.length > 0) this.pump();
      else this.settle();
    });
  }

  /** Waits for the next request slot: requests are spaced 1/ratePerSecond apart. */
  private async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + 1000 / this.rate;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  private async drain(): Promise<void> {
    const concurrency = this.opts.concurrency ?? 4;
    const bulk = Math.max(1, this.opts.bulkSize ?? 1);
    while (!this.stopped) {
      const kind: Kind | null = this.queues.user.length > 0 ? 'user' : this.queues.movie.length > 0 ? 'movie' : null;
      if (kind === null) return;
      if (this.inFlight >= concurrency) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const ids = this.queues[kind].splice(0, bulk);
      this.inFlight++;
      void this.fetchIds(kind, ids).finally(() => {
        this.inFlight--;
        for (const id of ids) this.queued.delete(`${kind}:${id}`);
        catalogQueue.set(this.queued.size);
        this.settle();
      });
    }
  }

  private async fetchIds(kind: Kind, ids: (number | string)[]): Promise<void> {
    const path = ids.map((id) => encodeURIComponent(String(id)).replace(/%2B/g, '+')).join(',');
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/${kind}/${path}`;
    for (let attempt = 0; attempt <= this.opts.retries && !this.stopped; attempt++) {
      await this.slot();
      try {
        const answers = await this.request(url, ids.length);
        this.rate = Math.min(this.opts.ratePerSecond, this.rate + this.opts.ratePerSecond / 20);
        for (const [i, id] of ids.entries()) this.record(kind, id, answers[i]!);
        return;
      } catch (caught) {
        const e = isMovrecError(caught) ? caught : Errors.catalog(String(caught), undefined, caught);
        if (!e.retriable) break;
        const limited = e.code === 'MOVREC_ERR_CATALOG_LIMITED';
        const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
        let wait = backoff;
        if (limited) {
          // The catalog says we are too fast: slow every request down, not just this one, and wait as told.
          // Requests in flight together meet the same limit: cut once per second, not once per answer.
          const now = Date.now();
          if (now - this.lastCut > 1000) {
            this.rate = Math.max(this.opts.ratePerSecond / 20, this.rate * 0.7);
            this.lastCut = now;
          }
          wait = Math.max(e.retryAfterMs ?? 0, 1000 / this.rate) * (1 + Math.random() / 2);
          this.nextSlot = Math.max(this.nextSlot, Date.now() + wait);
        }
        catalogFetches.inc({ kind, outcome: 'retry' }, ids.length);
        this.log.debug(
          { kind, ids: ids.length, attempt, err: e.message, waitMs: Math.round(wait) },
          'catalog lookup retried',
        );
        if (attempt < this.opts.retries) await new Promise((r) => setTimeout(r, wait));
      }
    }
    // Left without an entry: the next start asks again (resumePending).
    this.counts.failed += ids.length;
    catalogFetches.inc({ kind, outcome: 'failed' }, ids.length);
    this.log.warn({ kind, ids: ids.length }, 'catalog lookup gave up after retries');
  }

  /** One answer per id: the parsed JSON, or a status for an id the catalog does not know. */
  private async request(url: string, n: number): Promise<({ status: 200; body: unknown } | { status: number })[]> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: { accept: 'application/json' },
      });
      text = await res.text();
    } catch (e) {
      throw Errors.catalog(`catalog did not answer: ${(e as Error).message}`, undefined, e);
    }
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      const afterMs = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, BACKOFF_MAX_MS) : undefined;
      throw res.status === 429
        ? Errors.catalogLimited(afterMs)
        : Errors.catalog(`catalog answered ${res.status}`, afterMs);
    }
    if (res.status !== 200) {
      if (n === 1) return [{ status: res.status }];
      throw Errors.catalog(`catalog answered ${res.status}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw Errors.catalog('catalog answered 200 with a body that is not JSON');
    }
    if (n === 1) return [{ status: 200, body }];
    if (!Array.isArray(body) || body.length !== n) throw Errors.catalog(`catalog answered 200 without ${n} records`);
    return body.map((b) => ({ status: 200 as const, body: b }));
  }

  private record(kind: Kind, id: number | string, answer: { status: number; body?: unknown }): void {
    const fetched = Date.now();
    const record =
      answer.status === 200 ? (kind === 'user' ? parseUserRecord(answer.body) : parseMovieRecord(answer.body)) : null;
    // 404, or a 200 carrying an error object instead of a record: the catalog does not know the id.
    const status = answer.status === 200 ? 404 : answer.status;
    const outcome = record ? 'known' : 'unknown';
    this.counts[outcome]++;
    catalogFetches.inc({ kind, outcome });
    if (kind === 'user') {
      const entry: CatalogEntry<CatalogUser> = record
        ? { known: true, record: record as CatalogUser, fetched }
        : { known: false, status, fetched };
      void this.t.catalogUsers.put(id as number, entry);
    } else {
      const entry: CatalogEntry<CatalogMovie> = record
        ? { known: true, record: record as CatalogMovie, fetched }
        : { known: false, status, fetched };
      void this.t.catalogMovies.put(id as string, entry);
    }
  }
}
