// Drives a recommendation service over real HTTP: sessions ask for lists with a deadline, every call becomes a stream
// line.
import { Agent, request } from 'node:http';
import { Behaviour, pickProbability, type BehaviourOptions } from './behaviour';
import { toSink } from './history';
import { serverOf, type Outcome } from './lines';
import { Rng } from './rng';
import { ScoreKeeper, type Scoreboard } from './scoreboard';
import { pacedSink, type LineSink } from './sinks';
import { SpuriousInjector } from './spurious';
import { oracleIndices } from './truth';
import type { World } from './world';

export interface DriveOptions extends Omit<BehaviourOptions, 'server'> {
  /** Base URL of the service, e.g. http://127.0.0.1:8082 (GET <target>/recommend/<userid>). */
  target: string;
  /** A later answer is a failure (status 0, timeout). */
  deadlineMs?: number;
  /** Lines per second, steady; omitted: as fast as possible. */
  rate?: number;
  /** Stop after this long (real time). */
  durationMs?: number;
  /** Stop after this many requests have finished. */
  maxRequests?: number;
  /**
   * Where lines go (path, `-`, stream or sink; a stream or sink is ended/closed at the end); omitted: nowhere (only the
   * scoreboard).
   */
  out?: NodeJS.WritableStream | string | LineSink;
  /** Requests in flight at most (the keep-alive agent's socket count). */
  concurrency?: number;
  /** Share of answered lists compared with the oracle's on the scoreboard (each costs a catalog scan). */
  oracleSample?: number;
  spuriousRate?: number;
  onTick?(s: Scoreboard): void;
  tickMs?: number;
  signal?: AbortSignal;
}

/** One GET /recommend/<user> with the deadline; never rejects. */
export function fetchRecommendation(agent: Agent, target: URL, userId: number, deadlineMs: number): Promise<Outcome> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const base = target.pathname.replace(/\/$/, '');
    const req = request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        path: `${base}/recommend/${userId}`,
        agent,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 65536) body += c;
        });
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (ms > deadlineMs) return finish({ kind: 'timeout', status: 0, ms, deadlineMs });
          if (res.statusCode !== 200) return finish({ kind: 'http', status: res.statusCode ?? 0, ms });
          const items = body
            .replace(/[\r\n]+/g, ' ')
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x.length > 0);
          finish({ kind: 'ok', status: 200, items, ms });
        });
        res.on('error', () => finish({ kind: 'reset', status: 0, ms: performance.now() - t0 }));
      },
    );
    const timer = setTimeout(() => {
      // Timers may fire a fraction of a millisecond early by performance.now(); a timeout is never under the deadline.
      finish({ kind: 'timeout', status: 0, ms: Math.max(deadlineMs, performance.now() - t0), deadlineMs });
      req.destroy();
    }, deadlineMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      const ms = performance.now() - t0;
      finish(e.code === 'ECONNREFUSED' ? { kind: 'refused', status: 0, ms } : { kind: 'reset', status: 0, ms });
    });
    req.end();
  });
}

const nullSink: LineSink = { write() {}, close: async () => {} };

export async function drive(world: World, opts: DriveOptions): Promise<Scoreboard> {
  const target = new URL(opts.target);
  const deadlineMs = opts.deadlineMs ?? 600;
  const concurrency = opts.concurrency ?? 64;
  const beh = new Behaviour(world, { ...opts, server: serverOf(opts.target) });
  const seed = opts.seed ?? world.params.seed;
  const spurious = opts.spuriousRate ? new SpuriousInjector(seed, opts.spuriousRate, world.params.ratingMax) : null;
  const baseSink = opts.out === undefined ? nullSink : toSink(opts.out);
  const sink = opts.rate ? pacedSink(baseSink, opts.rate) : baseSink;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const score = new ScoreKeeper();
  const sampler = new Rng(seed, 17);
  const oracleSample = opts.oracleSample ?? 0.02;
  beh.onList = (user, items, t) => {
    if (!sampler.chance(oracleSample)) return;
    const seen = beh.watchedBy(user);
    const oracle = oracleIndices(world, user, 20, seen ? (m) => seen.has(m) : undefined, t);
    score.sample(pickProbability(world, user, items, seen, t), pickProbability(world, user, oracle, seen, t));
  };

  const batchSize = opts.rate ? Math.max(1, Math.min(4096, Math.round(opts.rate / 50))) : 4096;
  const deadline = opts.durationMs === undefined ? Infinity : performance.now() + opts.durationMs;
  let inFlight = 0;
  let issued = 0;
  let lines = 0;
  let done: string[] = [];
  let wake: (() => void) | null = null;
  const snapshot = (): Scoreboard => score.snapshot(beh.counts, lines, beh.now());
  const tick = opts.onTick ? setInterval(() => opts.onTick!(snapshot()), opts.tickMs ?? 1000) : null;
  const stopped = (): boolean =>
    opts.signal?.aborted === true ||
    performance.now() >= deadline ||
    (opts.maxRequests !== undefined && issued >= opts.maxRequests);

  const emit = (line: string, batch: string[]): void => {
    if (spurious) spurious.apply(line, batch);
    else batch.push(line);
  };

  try {
    while (!stopped()) {
      const batch: string[] = [];
      for (const l of done) emit(l, batch);
      done = [];
      while (batch.length < batchSize && inFlight < concurrency && !stopped()) {
        const x = beh.next();
        if (x === null) break;
        if (typeof x === 'string') {
          emit(x, batch);
          continue;
        }
        inFlight++;
        issued++;
        void fetchRecommendation(agent, target, x.userId, deadlineMs).then((o) => {
          inFlight--;
          score.record(o);
          done.push(beh.resolve(x, o));
          wake?.();
        });
      }
      if (batch.length > 0) {
        lines += batch.length;
        const w = sink.write(batch);
        if (w) await w;
      }
      if (batch.length === 0 || inFlight >= concurrency) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
        wake = null;
      } else {
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    while (inFlight > 0) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 20);
      });
    }
    const rest: string[] = [];
    for (const l of done) emit(l, rest);
    spurious?.flush(rest);
    if (rest.length > 0) {
      lines += rest.length;
      const w = sink.write(rest);
      if (w) await w;
    }
  } finally {
    if (tick) clearInterval(tick);
    agent.destroy();
    await sink.close();
  }
  return snapshot();
}
