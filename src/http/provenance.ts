// Every /recommend answer's provenance (request id → user, model, generation,
// source, status, latency) kept in LMDB sub-db `answers` (not `requests`: the
// store keeps the simulator's own request lines under that name), pruned to
// `serve.requestLogDays`. Without a store, or with 0 days, each record goes to
// the log at debug level instead.
//
// Cost on the hot path is a few typed-array stores: records are buffered in
// columns and written once a second as ONE value per batch, so no LMDB work
// or per-record allocation happens between requests. A batch is keyed by the request id of its first record;
// request ids sort by time (see request-id.ts), so the batch holding an id is
// the last key at or before it.
import type { Database, RootDatabase } from 'lmdb';
import type { Logger } from '../log';
import { DB } from '../store/tables';
import { requestId, type RequestIds } from './request-id';

export const SOURCES = ['model', 'cold-start', 'degraded', 'bad-request', 'rate-limited', 'unavailable'] as const;
export type AnswerSource = (typeof SOURCES)[number];

/**
 * One stored batch: n records as columns packed in one byte string (copied,
 * not encoded element by element): f64 seq, t, user; f32 ms; u32 generation;
 * u16 status, model (index into `models`); u8 source (index into SOURCES).
 */
interface Batch {
  boot: string;
  n: number;
  models: string[];
  columns: Uint8Array;
}

const BYTES_PER_RECORD = 8 * 3 + 4 * 2 + 2 * 2 + 1;

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
    status: take(Uint16Array, 2),
    model: take(Uint16Array, 2),
    source: take(Uint8Array, 1),
  };
}

export interface StoredAnswer {
  requestId: string;
  t: number;
  /** null for a request whose user id did not parse. */
  user: number | null;
  model: string;
  generation: number;
  source: AnswerSource;
  status: number;
  ms: number;
}

export interface Provenance {
  /** seq: the request id's counter; user -1 when the id did not parse; model '' when none answered. */
  record(
    seq: number,
    user: number,
    model: string,
    generation: number,
    source: AnswerSource,
    status: number,
    ms: number,
  ): void;
  /** Writes what is buffered; resolves once committed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const FLUSH_MS = 1000;
const FIRST_CAPACITY = 1024;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCHES = 10_000;
const SOURCE_INDEX = new Map<string, number>(SOURCES.map((s, i) => [s, i]));

/** The recorded answer for a request id, or undefined. */
export function findAnswer(root: RootDatabase, id: string): StoredAnswer | undefined {
  const db = root.openDB<Batch, string>({ name: DB.answers });
  for (const { value: b } of db.getRange({ start: id, reverse: true, limit: 1 })) {
    const c = columnsOf(b);
    for (let i = 0; i < b.n; i++) {
      if (requestId(b.boot, c.seq[i]!) !== id) continue;
      return {
        requestId: id,
        t: c.t[i]!,
        user: c.user[i]! < 0 ? null : c.user[i]!,
        model: b.models[c.model[i]!]!,
        generation: c.generation[i]!,
        source: SOURCES[c.source[i]!]!,
        status: c.status[i]!,
        ms: c.ms[i]!,
      };
    }
  }
  return undefined;
}

export function createProvenance(opts: {
  root?: RootDatabase | undefined;
  ids: RequestIds;
  retentionDays: number;
  log: Logger;
}): Provenance {
  const { log, ids } = opts;
  if (!opts.root || opts.retentionDays <= 0) {
    return {
      record: (seq, user, model, generation, source, status, ms) =>
        log.debug(
          {
            requestId: requestId(ids.bootId, seq),
            userId: user < 0 ? null : user,
            modelId: model,
            generation,
            source,
            status,
            ms,
          },
          'answer',
        ),
      flush: async () => undefined,
      close: async () => undefined,
    };
  }
  const db: Database<Batch, string> = opts.root.openDB<Batch, string>({ name: DB.answers });
  const retentionMs = opts.retentionDays * 86_400_000;

  let cap = FIRST_CAPACITY;
  let n = 0;
  let seq = new Float64Array(cap);
  let t = new Float64Array(cap);
  let user = new Float64Array(cap);
  let ms = new Float32Array(cap);
  let status = new Uint16Array(cap);
  let generation = new Uint32Array(cap);
  let model = new Uint16Array(cap);
  let source = new Uint8Array(cap);
  let models: string[] = [];
  let modelIndex = new Map<string, number>();

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
    status = more(status, Uint16Array);
    generation = more(generation, Uint32Array);
    model = more(model, Uint16Array);
    source = more(source, Uint8Array);
  };

  let writing: Promise<void> = Promise.resolve();
  let lastPrune = Date.now();

  const prune = async (now: number): Promise<void> => {
    const cutoff = now - retentionMs;
    let removed = 0;
    for (const { key, value } of db.getRange({ limit: PRUNE_BATCHES })) {
      if (columnsOf(value).t[value.n - 1]! >= cutoff) break;
      await db.remove(key);
      removed++;
    }
    if (removed > 0) log.debug({ batches: removed }, 'answer log pruned');
  };

  const flush = (): Promise<void> => {
    if (n === 0) return writing;
    const columns = new Uint8Array(n * BYTES_PER_RECORD);
    let off = 0;
    for (const a of [seq, t, user, ms, generation, status, model, source]) {
      const bytes = new Uint8Array(a.buffer, 0, n * a.BYTES_PER_ELEMENT);
      columns.set(bytes, off);
      off += bytes.byteLength;
    }
    const batch: Batch = { boot: ids.bootId, n, models, columns };
    const first = seq[0]!;
    n = 0;
    models = [];
    modelIndex = new Map();
    const now = Date.now();
    const due = now - lastPrune > PRUNE_EVERY_MS;
    if (due) lastPrune = now;
    writing = writing
      .then(async () => {
        await db.put(requestId(batch.boot, first), batch);
        if (due) await prune(now);
      })
      .catch((e: unknown) => log.error({ err: e, records: batch.n }, 'answer log write failed'));
    return writing;
  };

  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  return {
    record(sq, u, m, g, src, st, latency) {
      if (n === cap) grow();
      let mi = modelIndex.get(m);
      if (mi === undefined) {
        mi = models.push(m) - 1;
        modelIndex.set(m, mi);
      }
      seq[n] = sq;
      t[n] = Date.now();
      user[n] = u;
      ms[n] = latency;
      status[n] = st;
      generation[n] = g;
      model[n] = mi;
      source[n] = SOURCE_INDEX.get(src)!;
      n++;
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
