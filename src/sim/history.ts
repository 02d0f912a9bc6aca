// --history: N lines of past behaviour as fast as possible, byte-identical for a seed, to pre-fill a deployment.
import { Behaviour, type BehaviourOptions } from './behaviour';
import { serverOf } from './lines';
import { PastService } from './past-service';
import { fileSink, streamSink, type LineSink } from './sinks';
import { SpuriousInjector } from './spurious';
import type { World } from './world';

export interface HistoryOptions extends Omit<BehaviourOptions, 'server'> {
  lines: number;
  /** A path (`-` for stdout), a writable stream, or a sink; a stream or sink is ended/closed at the end. */
  out: NodeJS.WritableStream | string | LineSink;
  /** Service named in request lines (default http://127.0.0.1:8082). */
  target?: string;
  deadlineMs?: number;
  /** Chance per line of a spurious event (0: none). */
  spuriousRate?: number;
}

export function toSink(out: NodeJS.WritableStream | string | LineSink): LineSink {
  if (typeof out === 'string') return fileSink(out);
  if ('close' in out && typeof (out as LineSink).close === 'function' && !('writable' in out)) return out as LineSink;
  return streamSink(out as NodeJS.WritableStream);
}

const BATCH = 16384;

export async function writeHistory(
  world: World,
  opts: HistoryOptions,
): Promise<{ lines: number; behaviour: Behaviour; spurious: SpuriousInjector | null }> {
  const seed = opts.seed ?? world.params.seed;
  const beh = new Behaviour(world, { ...opts, server: serverOf(opts.target ?? 'http://127.0.0.1:8082') });
  const past = new PastService(world, seed, opts.deadlineMs ?? 600);
  const spurious = opts.spuriousRate ? new SpuriousInjector(seed, opts.spuriousRate, world.params.ratingMax) : null;
  const sink = toSink(opts.out);
  let written = 0;
  let batch: string[] = [];
  try {
    while (written + batch.length < opts.lines) {
      const x = beh.next();
      if (x === null) throw new Error('simulation stalled: no session left');
      const line = typeof x === 'string' ? x : beh.resolve(x, past.answer(x.userId, x.t));
      if (spurious) spurious.apply(line, batch);
      else batch.push(line);
      if (batch.length >= BATCH) {
        const done = sink.write(batch);
        if (done) await done;
        written += batch.length;
        batch = [];
      }
    }
    if (spurious && written + batch.length < opts.lines) spurious.flush(batch);
    const take = Math.min(batch.length, opts.lines - written);
    if (take > 0) {
      const done = sink.write(batch.slice(0, take));
      if (done) await done;
      written += take;
    }
  } finally {
    await sink.close();
  }
  return { lines: written, behaviour: beh, spurious };
}

/** The same history kept in memory as an array of lines (tests and benchmarks). */
export async function historyLines(world: World, opts: Omit<HistoryOptions, 'out'>): Promise<string[]> {
  const lines: string[] = [];
  const sink: LineSink = {
    write(batch) {
      for (const l of batch) lines.push(l);
    },
    async close() {},
  };
  await writeHistory(world, { ...opts, out: sink });
  return lines;
}
