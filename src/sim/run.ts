// What `movrec sim` does with its flags: build or load the world, answer ground-truth queries, write history, or serve
// and drive.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseLine } from '../ingest/parse-line';
import { createWorld, resolveParams, type CreateWorldOptions, type World } from './world';
import { loadWorld, saveWorld, worldExists } from './world-store';
import { noiseFloorRmse, oracleTopK, trueRating } from './truth';
import { writeHistory } from './history';
import { startCatalogApi } from './catalog-api';
import { drive } from './driver';
import { fileSink, kafkaSink, type LineSink } from './sinks';
import { formatScoreboard, type Scoreboard } from './scoreboard';
import type { ListStyle, TimeDigits } from './lines';
import type { ScenarioOptions } from './behaviour';

export interface SimRunOptions {
  world: CreateWorldOptions;
  worldDir?: string;
  query?: {
    oracle?: number;
    seenFrom?: string;
    trueRating?: { user: number; movie: string };
    noiseFloor?: boolean;
    at?: number;
  };
  history?: number;
  out?: string;
  kafka?: { brokers: string[]; topic: string };
  rate?: number;
  target: string;
  deadlineMs: number;
  concurrency: number;
  durationMs?: number;
  maxRequests?: number;
  api?: { port: number; host: string; ratePerSecond: number };
  listStyle: ListStyle;
  timeDigits: TimeDigits;
  createAccount: boolean;
  sessions: number;
  spuriousRate: number;
  scenarios: ScenarioOptions;
  scoreboardEveryMs: number;
  signal?: AbortSignal;
  log(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Writes a report line (scoreboard, query answers) to stdout. */
  print(text: string): void;
}

export type SimRunResult =
  | { mode: 'query'; oracle?: string[]; trueRating?: number; noiseFloorRmse?: number }
  | { mode: 'history'; lines: number; seconds: number }
  | { mode: 'drive'; scoreboard: Scoreboard };

/** Movies the user watched or rated in a stream file (other users' lines and malformed ones are passed over). */
async function seenIn(file: string, userId: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const prefix = `,${userId},`;
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.includes(prefix)) continue;
    const p = parseLine(line, 10);
    if ((p.kind === 'watch' || p.kind === 'rate') && p.user === userId) seen.add(p.movie);
  }
  return seen;
}

/** The world-defining settings in which a reloaded world differs from what the flags (or their defaults) ask for. */
export function differingSettings(
  saved: World['params'],
  asked: CreateWorldOptions,
): Record<string, { saved: unknown; asked: unknown }> {
  const want = resolveParams(asked);
  const out: Record<string, { saved: unknown; asked: unknown }> = {};
  for (const key of ['seed', 'users', 'movies', 'ratingMax', 'start', 'drift'] as const) {
    if (JSON.stringify(saved[key]) !== JSON.stringify(want[key])) out[key] = { saved: saved[key], asked: want[key] };
  }
  return out;
}

function obtainWorld(o: SimRunOptions): World {
  if (o.worldDir && worldExists(o.worldDir)) {
    const w = loadWorld(o.worldDir);
    // A saved world is the ground truth of the runs made with it: it wins, but never silently.
    const diff = differingSettings(w.params, o.world);
    if (Object.keys(diff).length > 0)
      o.warn(`world ${o.worldDir} exists: its saved settings are used, not these flags (or defaults)`, {
        differing: diff,
      });
    return w;
  }
  const w = createWorld(o.world);
  if (o.worldDir) saveWorld(w, o.worldDir);
  return w;
}

async function openSink(o: SimRunOptions): Promise<LineSink | undefined> {
  if (o.kafka) return kafkaSink({ brokers: o.kafka.brokers, topic: o.kafka.topic });
  if (o.out) return fileSink(o.out);
  return undefined;
}

export async function runSim(o: SimRunOptions): Promise<SimRunResult> {
  const t0 = performance.now();
  const world = obtainWorld(o);
  o.log('world ready', {
    users: world.params.users,
    movies: world.params.movies,
    seconds: +((performance.now() - t0) / 1000).toFixed(2),
  });
  const q = o.query;
  if (q && (q.oracle !== undefined || q.trueRating || q.noiseFloor)) {
    const res: SimRunResult = { mode: 'query' };
    if (q.oracle !== undefined)
      res.oracle = oracleTopK(world, q.oracle, 20, q.seenFrom ? await seenIn(q.seenFrom, q.oracle) : undefined, q.at);
    if (q.trueRating) res.trueRating = trueRating(world, q.trueRating.user, q.trueRating.movie, q.at);
    if (q.noiseFloor) res.noiseFloorRmse = noiseFloorRmse(world);
    return res;
  }
  const behaviour = {
    listStyle: o.listStyle,
    timeDigits: o.timeDigits,
    createAccount: o.createAccount,
    sessions: o.sessions,
    ...o.scenarios,
  };
  if (o.history !== undefined) {
    const sink = await openSink(o);
    const t1 = performance.now();
    const r = await writeHistory(world, {
      ...behaviour,
      lines: o.history,
      out: sink ?? fileSink('-'),
      target: o.target,
      deadlineMs: o.deadlineMs,
      spuriousRate: o.spuriousRate,
    });
    return { mode: 'history', lines: r.lines, seconds: (performance.now() - t1) / 1000 };
  }
  const api = o.api ? await startCatalogApi(world, o.api) : null;
  if (api) o.log('catalog API listening', { port: api.port });
  try {
    const sink = await openSink(o);
    if (!sink) o.log('no --out or --kafka: stream lines are not written, only the scoreboard');
    const scoreboard = await drive(world, {
      ...behaviour,
      target: o.target,
      deadlineMs: o.deadlineMs,
      concurrency: o.concurrency,
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
      ...(o.maxRequests !== undefined ? { maxRequests: o.maxRequests } : {}),
      ...(sink ? { out: sink } : {}),
      spuriousRate: o.spuriousRate,
      ...(o.signal ? { signal: o.signal } : {}),
      tickMs: o.scoreboardEveryMs,
      onTick: (s) => o.print(formatScoreboard(s)),
    });
    return { mode: 'drive', scoreboard };
  } finally {
    await api?.close();
  }
}
