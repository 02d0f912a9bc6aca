// Every /recommend answer's provenance (request id → user, model, generation,
// source, status, latency), batched into LMDB sub-db `answers` a few times a
// second and pruned to `serve.requestLogDays`; without a store (or with 0
// days) each record goes to the log at debug level instead.
import type { Database, RootDatabase } from 'lmdb';
import type { Logger } from '../log';

export interface AnswerRecord {
  id: string;
  user: number | null;
  model: string;
  generation: number;
  source: string;
  status: number;
  ms: number;
}

/** What the `answers` sub-db holds under a request id (ids sort by time, see request-id.ts). */
export interface StoredAnswer {
  t: number;
  user: number | null;
  model: string;
  generation: number;
  source: string;
  status: number;
  ms: number;
}

export interface Provenance {
  record(r: AnswerRecord): void;
  /** Writes what is buffered; resolves once committed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const FLUSH_MS = 250;
const FLUSH_RECORDS = 5000;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 50_000;

// Not `requests`: the store keeps the simulator's own request lines from the stream under that name.
export const ANSWERS_DB = 'answers';

export function createProvenance(opts: { root?: RootDatabase | undefined; retentionDays: number; log: Logger }): Provenance {
  const { log } = opts;
  if (!opts.root || opts.retentionDays <= 0) {
    return {
      record: (r) => log.debug({ requestId: r.id, userId: r.user, modelId: r.model, generation: r.generation, source: r.source, status: r.status, ms: r.ms }, 'answer'),
      flush: async () => undefined,
      close: async () => undefined,
    };
  }
  const db: Database<StoredAnswer, string> = opts.root.openDB<StoredAnswer, string>({ name: ANSWERS_DB });
  const retentionMs = opts.retentionDays * 86_400_000;
  let buffer: AnswerRecord[] = [];
  let times: number[] = [];
  let writing: Promise<void> = Promise.resolve();
  let lastPrune = 0;

  const prune = (now: number): void => {
    const cutoff = now - retentionMs;
    let n = 0;
    for (const { key, value } of db.getRange({ limit: PRUNE_BATCH })) {
      if (value.t >= cutoff) break;
      db.removeSync(key);
      n++;
    }
    if (n > 0) log.debug({ removed: n }, 'request log pruned');
  };

  const flush = (): Promise<void> => {
    if (buffer.length === 0) return writing;
    const batch = buffer;
    const at = times;
    buffer = [];
    times = [];
    const now = Date.now();
    const due = now - lastPrune > PRUNE_EVERY_MS;
    if (due) lastPrune = now;
    writing = writing
      .then(() =>
        db.transaction(() => {
          for (let i = 0; i < batch.length; i++) {
            const r = batch[i]!;
            db.put(r.id, { t: at[i]!, user: r.user, model: r.model, generation: r.generation, source: r.source, status: r.status, ms: r.ms });
          }
          if (due) prune(now);
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => log.error({ err: e, records: batch.length }, 'request log write failed'),
      );
    return writing;
  };

  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();
  return {
    record(r) {
      buffer.push(r);
      times.push(Date.now());
      if (buffer.length >= FLUSH_RECORDS) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
