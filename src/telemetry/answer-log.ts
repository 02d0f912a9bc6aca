// The answer log: every /recommend answer (request id → user, time, model,
// arm, source, status, latency, the ids served) kept in LMDB sub-db `answers`
// (not `requests`: the store keeps the simulator's own request lines under that
// name), bounded by age (`serve.requestLogDays`) AND by bytes
// (`telemetry.answerLogMaxBytes`), oldest dropped first. Refused requests
// (4xx, 429, 503) are counted per second and arm, never written one by one: a
// flood from one address costs a few counters, not a row per request.
//
// Cost on the hot path is a few typed-array stores and one reference to the
// body already written to the client: records are buffered in columns and
// written once a second as ONE value per batch. The lists are hashed and
// dictionary-coded there (movie-dictionary.ts), off the request path. A batch is keyed by the
// request id of its first record; request ids sort by time (see
// request-id.ts), so the batch holding an id is the last key at or before it.
import { DB } from '../store/tables';
import type { Database, RootDatabase } from 'lmdb';
import { requestId, type RequestIds } from './request-id';
import type { Logger } from '../log';
import { onlineAnswers, onlineRefused } from './metrics';
import { freshTitles, listHash, MovieDictionary, scanList, titleReader } from './movie-dictionary';

/**
 * The arm of an answer no arm was chosen for (a request whose user id did not
 * parse), and of a stream line no answer matched.
 */
export const NO_ARM = 'none';

export const SOURCES = ['model', 'cold-start', 'degraded', 'bad-request', 'rate-limited', 'unavailable'] as const;
export type AnswerSource = (typeof SOURCES)[number];

/**
 * One stored batch: n answers as columns packed in one byte string (copied,
 * not encoded element by element): f64 seq, t, user; f32 ms; u32 generation,
 * list hash; u16 model, arm (indices into `models`, `arms`); u8 source (index
 * into SOURCES), list length. `items` holds every list back to back as
 * indices of the title dictionary (sub-db `answer-movies`; u16 unless an
 * index exceeds 65,535, then u32: `wide`). `refused`: [arm, source, status, count] per kind of refusal in the
 * batch's second. `bytes`: this value's size as counted for the cap;
 * `upTo`: bytes of every batch written so far, this one included (the log's
 * size is last.upTo - first.upTo + first.bytes: two reads, no scan).
 */
interface Batch {
  boot: string;
  n: number;
  models: string[];
  arms: string[];
  columns: Uint8Array;
  items: Uint8Array;
  wide: boolean;
  refused: [string, string, number, number][];
  t0: number;
  t1: number;
  bytes: number;
  upTo: number;
}

const BYTES_PER_RECORD = 8 * 3 + 4 * 3 + 2 * 2 + 1 * 2;

function columnsOf(b: Batch) {
  const n = b.n;
  // A fresh copy starts at offset 0 of its own buffer: aligned for every view below.
  const buf = Uint8Array.from(b.columns).buffer;
  let off = 0;
  const take = <T>(make: new (buf: ArrayBuffer, off: number, n: number) => T, width: number): T => {
    const v = new make(buf, off, n);
    off += width * n;
    return v;
  };
  return {
    seq: take(Float64Array, 8),
    t: take(Float64Array, 8),
    user: take(Float64Array, 8),
    ms: take(Float32Array, 4),
    generation: take(Uint32Array, 4),
    hash: take(Uint32Array, 4),
    model: take(Uint16Array, 2),
    arm: take(Uint16Array, 2),
    source: take(Uint8Array, 1),
    length: take(Uint8Array, 1),
  };
}

function itemsOf(b: Batch): Uint16Array | Uint32Array {
  const buf = Uint8Array.from(b.items).buffer;
  return b.wide ? new Uint32Array(buf) : new Uint16Array(buf);
}

export interface StoredAnswer {
  requestId: string;
  t: number;
  user: number;
  model: string;
  arm: string;
  generation: number;
  source: AnswerSource;
  status: number;
  ms: number;
  items: string[];
}

/** What the online join needs to attribute a request line of the stream to an answer. */
export interface AnswerMatch {
  requestId: string;
  model: string;
  arm: string;
}

/** Server-side counts of one arm: answers with a list, and refusals or failures (status >= 500). */
export interface ArmServed {
  models: string[];
  answers: number;
  errors: number;
}

export interface AnswerLog {
  /**
   * seq: the request id's counter; user -1 when the id did not parse; model
   * '' when none answered; body: the list as written to the client (string
   * or UTF-8 bytes), '' when refused; arm: `stable`, `canary` or
   * `<experiment>/<arm>`.
   */
  record(
    seq: number,
    user: number,
    model: string,
    generation: number,
    source: AnswerSource,
    status: number,
    ms: number,
    body: string | Uint8Array,
    arm: string,
  ): void;
  /** The newest answer to `user` whose list hashes to `listHash` (see listHash), within the recent horizon. */
  match(user: number, listHash: number): AnswerMatch | undefined;
  /** Per arm, what the server answered since `sinceMs` (wall clock), for the outcome reader. */
  served(arm: string, sinceMs?: number): ArmServed | undefined;
  /** Writes what is buffered; resolves once committed (and the cap enforced). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export { listHash };

const FLUSH_MS = 1000;
const FIRST_CAPACITY = 1024;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCHES = 10_000;
const SOURCE_INDEX = new Map<string, number>(SOURCES.map((s, i) => [s, i]));
/** Request lines come back seconds after their answer: keep this long of answers in memory to match them. */
const MATCH_HORIZON_MS = 120_000;
/** Most answers per user kept for matching (a user asks again within the horizon rarely more than this). */
const MATCH_PER_USER = 8;
/** Per-second server counts kept per arm for the outcome reader. */
const SERVED_SECONDS = 7 * 86_400;
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Record i of a batch, whose list starts at `from` in the batch's items (the lengths of the records before it). */
function decodeBatch(
  b: Batch,
  i: number,
  from: number,
  c: ReturnType<typeof columnsOf>,
  items: Uint16Array | Uint32Array,
  title: (index: number) => string,
): StoredAnswer {
  const ids: string[] = [];
  for (let j = 0; j < c.length[i]!; j++) ids.push(title(items[from + j]!));
  return {
    requestId: requestId(b.boot, c.seq[i]!),
    t: c.t[i]!,
    user: c.user[i]!,
    model: b.models[c.model[i]!]!,
    arm: b.arms[c.arm[i]!]!,
    generation: c.generation[i]!,
    source: SOURCES[c.source[i]!]!,
    status: 200,
    ms: c.ms[i]!,
    items: ids,
  };
}

/** The recorded answer for a request id, or undefined (refused requests are counted, not kept). */
export function findAnswer(root: RootDatabase, id: string): StoredAnswer | undefined {
  const db = root.openDB<Batch, string>({ name: DB.answers });
  // The batch is taken out and the range run to its end before anything else touches the store: opening
  // the title sub-db while the range's cursor was open, then leaving the loop by `return`, closed that
  // cursor after its read transaction had been renewed, and lmdb crashed the process (SIGSEGV in
  // mdb_cursor_close, about one `movrec explain` in eight).
  let b: Batch | undefined;
  for (const { value } of db.getRange({ start: id, reverse: true, limit: 1 })) b = value;
  if (b === undefined || b.arms === undefined) return undefined;
  const c = columnsOf(b);
  let from = 0;
  for (let i = 0; i < b.n; i++) {
    if (requestId(b.boot, c.seq[i]!) === id) return decodeBatch(b, i, from, c, itemsOf(b), titleReader(root));
    from += c.length[i]!;
  }
  return undefined;
}

/** Every kept answer with a list, oldest first, and the refusals counted per second, for reports. */
export function* readAnswers(root: RootDatabase, sinceMs = 0): Generator<StoredAnswer> {
  // Read-only before any serving run wrote it, the sub-db does not exist: nothing to read.
  const db = root.openDB<Batch, string>({ name: DB.answers }) as Database<Batch, string> | undefined;
  if (!db) return;
  const title = titleReader(root);
  for (const { value: b } of db.getRange({})) {
    // Batches written before lists were kept (no `arms`) are skipped; the next prune drops them.
    if (b.arms === undefined || b.t1 < sinceMs) continue;
    const c = columnsOf(b);
    const items = itemsOf(b);
    let from = 0;
    for (let i = 0; i < b.n; i++) {
      if (c.t[i]! >= sinceMs) yield decodeBatch(b, i, from, c, items, title);
      from += c.length[i]!;
    }
  }
}

/** Refusals counted per arm, source and status since `sinceMs`. */
export function readRefused(root: RootDatabase, sinceMs = 0): Map<string, number> {
  const db = root.openDB<Batch, string>({ name: DB.answers }) as Database<Batch, string> | undefined;
  const out = new Map<string, number>();
  if (!db) return out;
  for (const { value: b } of db.getRange({})) {
    if (b.arms === undefined || b.t1 < sinceMs) continue;
    for (const [arm, source, status, count] of b.refused) {
      const k = `${arm}\t${source}\t${status}`;
      out.set(k, (out.get(k) ?? 0) + count);
    }
  }
  return out;
}

/** Bytes the answer log holds, as counted for its cap, and all it has written (two reads). */
export function answerLogBytes(root: RootDatabase): { held: number; written: number } {
  const db = root.openDB<Batch, string>({ name: DB.answers });
  let first: Batch | undefined;
  let last: Batch | undefined;
  for (const { value } of db.getRange({ limit: 1 })) first = value;
  for (const { value } of db.getRange({ reverse: true, limit: 1 })) last = value;
  if (!first || !last) return { held: 0, written: 0 };
  return { held: (last.upTo ?? 0) - (first.upTo ?? 0) + (first.bytes ?? 0), written: last.upTo ?? 0 };
}

interface Recent {
  wall: number;
  hash: number;
  seq: number;
  model: string;
  arm: string;
}

export function createAnswerLog(opts: {
  root?: RootDatabase | undefined;
  ids: RequestIds;
  retentionDays: number;
  maxBytes: number;
  log: Logger;
}): AnswerLog {
  const { log, ids } = opts;
  const db: Database<Batch, string> | null =
    opts.root && opts.retentionDays > 0 ? opts.root.openDB<Batch, string>({ name: DB.answers }) : null;
  const root = opts.root;
  const dictionary = root && db ? new MovieDictionary(root) : null;
  const noTitles = new Map<number, number>();
  const retentionMs = opts.retentionDays * 86_400_000;

  let cap = FIRST_CAPACITY;
  let n = 0;
  let seq = new Float64Array(cap);
  let t = new Float64Array(cap);
  let user = new Float64Array(cap);
  let ms = new Float32Array(cap);
  let generation = new Uint32Array(cap);
  let model = new Uint16Array(cap);
  let arm = new Uint16Array(cap);
  let source = new Uint8Array(cap);
  const bodies: (string | Uint8Array)[] = new Array(cap);
  let models: string[] = [];
  let modelIndex = new Map<string, number>();
  let arms: string[] = [];
  let armIndex = new Map<string, number>();
  // Refusals of this second: per source index, per arm, per status.
  let refused = new Map<string, number>();
  // The first request id recorded in this batch, answered or refused: the batch's key.
  let firstSeq = -1;

  const recent = new Map<number, Recent[]>();
  const recentOrder: { user: number; wall: number }[] = [];
  let recentHead = 0;
  // Per arm: per-second [wall second, answers, errors], and the models seen.
  const servedByArm = new Map<string, { seconds: number[]; models: string[] }>();

  const indexOf = (list: string[], index: Map<string, number>, x: string): number => {
    let i = index.get(x);
    if (i === undefined) {
      i = list.push(x) - 1;
      index.set(x, i);
    }
    return i;
  };

  const grow = (): void => {
    cap *= 2;
    const more = <T extends Float64Array | Float32Array | Uint16Array | Uint32Array | Uint8Array>(
      a: T,
      make: new (n: number) => T,
    ): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    seq = more(seq, Float64Array);
    t = more(t, Float64Array);
    user = more(user, Float64Array);
    ms = more(ms, Float32Array);
    generation = more(generation, Uint32Array);
    model = more(model, Uint16Array);
    arm = more(arm, Uint16Array);
    source = more(source, Uint8Array);
    bodies.length = cap;
  };

  const countServed = (a: string, wall: number, answersN: number, errorsN: number, m: string | null): void => {
    let s = servedByArm.get(a);
    if (!s) servedByArm.set(a, (s = { seconds: [], models: [] }));
    if (m !== null && m !== '' && !s.models.includes(m)) s.models.push(m);
    const sec = Math.floor(wall / 1000);
    const k = s.seconds.length;
    if (k >= 3 && s.seconds[k - 3] === sec) {
      s.seconds[k - 2]! += answersN;
      s.seconds[k - 1]! += errorsN;
    } else s.seconds.push(sec, answersN, errorsN);
    // Bounded: drop the oldest seconds in one splice once the list is twice what is kept.
    if (s.seconds.length > 6 * SERVED_SECONDS) s.seconds.splice(0, s.seconds.length - 3 * SERVED_SECONDS);
  };

  const remember = (u: number, r: Recent): void => {
    let list = recent.get(u);
    if (!list) recent.set(u, (list = []));
    list.push(r);
    if (list.length > MATCH_PER_USER) list.shift();
    recentOrder.push({ user: u, wall: r.wall });
  };
  const forgetOld = (now: number): void => {
    const cutoff = now - MATCH_HORIZON_MS;
    while (recentHead < recentOrder.length && recentOrder[recentHead]!.wall < cutoff) {
      const { user: u } = recentOrder[recentHead++]!;
      const list = recent.get(u);
      if (!list) continue;
      while (list.length > 0 && list[0]!.wall < cutoff) list.shift();
      if (list.length === 0) recent.delete(u);
    }
    if (recentHead > 65_536 && recentHead * 2 > recentOrder.length) {
      recentOrder.splice(0, recentHead);
      recentHead = 0;
    }
  };

  let writing: Promise<void> = Promise.resolve();
  let lastPrune = Date.now();
  // Bytes held, as the batches count them; read once at open from the oldest and newest batch.
  let held = opts.root && db ? answerLogBytes(opts.root).held : 0;
  let upTo = 0;
  if (db) for (const { value } of db.getRange({ reverse: true, limit: 1 })) upTo = value.upTo ?? 0;

  const dropOldest = async (keepBelow: number, cutoffT: number): Promise<void> => {
    if (!db) return;
    let removed = 0;
    for (const { key, value } of db.getRange({ limit: PRUNE_BATCHES })) {
      if (held <= keepBelow && value.t1 >= cutoffT) break;
      await db.remove(key);
      held -= value.bytes ?? 0;
      removed++;
    }
    if (removed > 0) log.debug({ batches: removed, bytes: held }, 'answer log pruned');
  };

  const flush = (): Promise<void> => {
    const now = Date.now();
    forgetOld(now);
    if (n === 0 && refused.size === 0) return writing;
    const hashes = new Uint32Array(n);
    const lengths = new Uint8Array(n);
    const keys: number[] = [];
    const fresh = dictionary ? freshTitles() : null;
    const known = dictionary?.known ?? noTitles;
    // Counted per (model, arm) here, added to the metrics and the per-arm seconds once per flush.
    const perModelArm = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const [h, len] = scanList(bodies[i]!, keys, known, fresh);
      bodies[i] = '';
      hashes[i] = h;
      lengths[i] = len;
      const a = arms[arm[i]!]!;
      const m = models[model[i]!]!;
      remember(user[i]!, { wall: t[i]!, hash: h, seq: seq[i]!, model: m, arm: a });
      const k = model[i]! * 65_536 + arm[i]!;
      perModelArm.set(k, (perModelArm.get(k) ?? 0) + 1);
    }
    for (const [k, count] of perModelArm) {
      const m = models[Math.floor(k / 65_536)]!;
      const a = arms[k % 65_536]!;
      countServed(a, now, count, 0, m);
      onlineAnswers.labels(m, a).inc(count);
    }
    const refusedRows: [string, string, number, number][] = [];
    for (const [k, count] of refused) {
      const [a, src, st] = k.split('\t') as [string, string, string];
      refusedRows.push([a, src, Number(st), count]);
      onlineRefused.labels(src, st).inc(count);
      countServed(a, now, 0, Number(st) >= 500 ? count : 0, null);
    }
    refused = new Map();
    const batchModels = models;
    const batchArms = arms;
    const count = n;
    const first = firstSeq;
    n = 0;
    firstSeq = -1;
    models = [];
    modelIndex = new Map();
    arms = [];
    armIndex = new Map();
    if (!db) return writing;
    const columns = new Uint8Array(count * BYTES_PER_RECORD);
    let off = 0;
    for (const a of [seq, t, user, ms, generation, hashes, model, arm, source, lengths]) {
      const bytes = new Uint8Array(a.buffer, 0, count * a.BYTES_PER_ELEMENT);
      columns.set(bytes, off);
      off += bytes.byteLength;
    }
    // Decided here so the batch's size is known before it is written (another writer's titles could only add a few).
    const wide = known.size + (fresh?.keys.length ?? 0) > 65_535;
    let bytes = columns.byteLength + keys.length * (wide ? 4 : 2) + 64 + 24 * refusedRows.length;
    for (const m of batchModels) bytes += m.length + 1;
    upTo += bytes;
    const batch: Batch = {
      boot: ids.bootId,
      n: count,
      models: batchModels,
      arms: batchArms,
      columns,
      items: new Uint8Array(0),
      wide,
      refused: refusedRows,
      t0: count > 0 ? t[0]! : now,
      t1: count > 0 ? t[count - 1]! : now,
      bytes,
      upTo,
    };
    // Keyed by the first request id recorded in the batch, answered or refused: keys stay in time order.
    const key = requestId(batch.boot, first);
    const due = now - lastPrune > PRUNE_EVERY_MS;
    if (due) lastPrune = now;
    writing = writing
      .then(async () => {
        // Titles get their index inside the write transaction: a second writer on the store never reuses one.
        await root!.transaction(() => {
          const assigned = dictionary!.assign(fresh!);
          const index = wide ? new Uint32Array(keys.length) : new Uint16Array(keys.length);
          for (let j = 0; j < keys.length; j++) {
            const x = keys[j]!;
            index[j] = x >= 0 ? x : assigned[-x - 1]!;
          }
          batch.items = new Uint8Array(index.buffer);
          void db.put(key, batch);
        });
        held += bytes;
        if (held > opts.maxBytes || due) await dropOldest(opts.maxBytes, now - retentionMs);
      })
      .catch((e: unknown) => log.error({ err: e, records: batch.n }, 'answer log write failed'));
    return writing;
  };

  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  return {
    record(sq, u, m, g, src, st, latency, body, a) {
      if (firstSeq < 0) firstSeq = sq;
      if (st !== 200) {
        const k = `${a}\t${src}\t${st}`;
        refused.set(k, (refused.get(k) ?? 0) + 1);
        return;
      }
      if (n === cap) grow();
      seq[n] = sq;
      t[n] = Date.now();
      user[n] = u;
      ms[n] = latency;
      generation[n] = g;
      model[n] = indexOf(models, modelIndex, m);
      arm[n] = indexOf(arms, armIndex, a);
      source[n] = SOURCE_INDEX.get(src)!;
      bodies[n] = body;
      n++;
    },
    match(u, h) {
      // Answers of this second are not indexed yet: look through them first, newest first.
      for (let i = n - 1; i >= 0; i--) {
        if (user[i] !== u) continue;
        const b = bodies[i]!;
        if (listHash(typeof b === 'string' ? b : latin1(b)) === h)
          return { requestId: requestId(ids.bootId, seq[i]!), model: models[model[i]!]!, arm: arms[arm[i]!]! };
      }
      const list = recent.get(u);
      if (list)
        for (let i = list.length - 1; i >= 0; i--) {
          const r = list[i]!;
          if (r.hash === h) return { requestId: requestId(ids.bootId, r.seq), model: r.model, arm: r.arm };
        }
      return undefined;
    },
    served(a, sinceMs = 0) {
      const s = servedByArm.get(a);
      if (!s) return undefined;
      const since = Math.floor(sinceMs / 1000);
      let answersN = 0;
      let errorsN = 0;
      for (let i = 0; i < s.seconds.length; i += 3) {
        if (s.seconds[i]! < since) continue;
        answersN += s.seconds[i + 1]!;
        errorsN += s.seconds[i + 2]!;
      }
      return { models: [...s.models], answers: answersN, errors: errorsN };
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
