// The embedded demo: a simulated world, its catalog API and stream, ingest,
// training, serving on 8082, and the simulator driving it, on one machine with
// nothing installed but Node. Retraining is `movrec serve`'s own loop (the
// retrain scheduler): a low-priority training child, the offline gates, the
// canary, and the guard promoting or rolling it back; the demo only reports it.
// Its state lives apart from an operator's, under <data-dir>/demo: the world,
// a base (the past stream ingested, the first model) built once per world and
// size, and this run's copy of it, reset at every start so runs do not pile up.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load';
import { loadConfig } from '../config/load';
import { fileSource } from '../ingest/source-file';
import { broughtIdentity } from '../ingest/source-identity';
import type { Logger } from '../log';
import { startService, type Service } from '../serve/service';
import {
  createWorld,
  drive,
  loadWorld,
  saveWorld,
  startCatalogApi,
  worldExists,
  type Scoreboard,
  type World,
} from '../sim';
import { seedStore } from '../sim/seed-store';
import { appendSink } from './append-sink';
import type { ReleaseStatus } from '../release/controller';
import { releaseProgress } from '../release/progress';
import { ensurePortFree } from './port-free';
import { retrainSummary } from './retrain-summary';

export interface DemoOptions {
  dataDir: string;
  configFile?: string | undefined;
  seed: number;
  users: number;
  movies: number;
  historyLines: number;
  port: number;
  /** Address to serve on (the demo is local: 127.0.0.1 unless asked). */
  host: string;
  /** Real seconds to drive before stopping; 0: until interrupted. */
  durationS: number;
  /** Real seconds between scheduled retrains (retrain.everyMinutes); 0: never. */
  retrainEveryS: number;
  /** Stream lines per second while driving. */
  rate: number;
  log: Logger;
  /** One progress line per tick. */
  progress(line: string): void;
  signal: AbortSignal;
}

export interface DemoResult {
  scoreboard: Scoreboard;
  /** The stable model at the end. */
  modelId: string | null;
  /** Training runs that finished (approved or refused). */
  retrains: number;
}

/**
 * The canary's judging sized for the demo's world and pace (tens of requests a
 * second, a few thousand users): with the defaults, sized for a production
 * stream, a canary would wait half an hour for its minimum of answers.
 */
const DEMO_RELEASE: Record<string, unknown> = {
  'release.canaryPercent': 50,
  'release.guardIntervalMs': 1000,
  'release.minAnswers': 300,
  'release.minUsers': 100,
  'release.minHealthAnswers': 100,
};

/** DEMO_RELEASE, less the settings the --config file gives itself: those are the operator's. */
function demoRelease(configFile: string | undefined): Record<string, unknown> {
  let file: unknown = {};
  try {
    if (configFile) file = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    // loadConfig reports an unreadable or malformed file, naming it
  }
  const given = (path: string): boolean => {
    let cur = file;
    for (const k of path.split('.')) {
      if (typeof cur !== 'object' || cur === null || !(k in cur)) return false;
      cur = (cur as Record<string, unknown>)[k];
    }
    return true;
  };
  return Object.fromEntries(Object.entries(DEMO_RELEASE).filter(([path]) => !given(path)));
}

function loadOrCreateWorld(dir: string, o: DemoOptions): World {
  if (worldExists(dir)) {
    const w = loadWorld(dir);
    if (w.params.seed === o.seed && w.params.users === o.users && w.params.movies === o.movies) return w;
  }
  const w = createWorld({ seed: o.seed, users: o.users, movies: o.movies });
  saveWorld(w, dir);
  return w;
}

/**
 * One line of live progress: the last interval's request rate, p99 and
 * success, then the run's totals, how often users watched from our lists
 * beside what the choice model expects for ours and for the oracle's, then
 * the stable and canary models with their online watch-from-list rates.
 */
export function progressLine(s: Scoreboard, release: ReleaseStatus): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const i = s.interval;
  return (
    `req/s ${i.requestsPerSecond.toFixed(0)}  p99 ${i.p99Ms.toFixed(0)} ms  ok ${pct(i.successRate)}  | ` +
    `total ${s.requests} (ok ${pct(s.successRate)})  watched-from-list ${pct(s.watchShare)}  ` +
    `expected ${pct(s.expectedShare)} vs oracle ${pct(s.oracleExpectedShare)}  ` +
    `sim ${s.simTime.slice(0, 16)}  | ${releaseProgress(release)}`
  );
}

/** What the run's totals come to, printed once at the end. */
export function totalsLine(s: Scoreboard, retrains: number, modelId: string | null): string {
  return (
    `demo done: ${s.requests} requests in ${(s.elapsedMs / 1000).toFixed(0)} s ` +
    `(${s.requestsPerSecond.toFixed(1)} req/s), ` +
    `${(100 * s.successRate).toFixed(2)}% ok, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, max ` +
    `${s.latencyMs.max} ms, ` +
    `watched from ${(100 * s.watchShare).toFixed(1)}% of ${s.lists} lists (expected ` +
    `${(100 * s.expectedShare).toFixed(1)}%, ` +
    `oracle ${(100 * s.oracleExpectedShare).toFixed(1)}%), ${retrains} retrains, model ${modelId ?? '-'}`
  );
}

interface BaseParams {
  seed: number;
  users: number;
  movies: number;
  historyLines: number;
}

/** Whether `dir` holds a complete base built for these parameters (params.json is written last). */
function baseMatches(dir: string, want: BaseParams): boolean {
  const file = join(dir, 'params.json');
  if (!existsSync(file)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === JSON.stringify(want);
  } catch {
    return false;
  }
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { log } = o;
  // Before minutes of setup: a busy port ends the demo now (MOVREC_ERR_LISTEN, exit 1).
  await ensurePortFree(o.host, o.port);
  const stateDir = join(o.dataDir, 'demo');
  const baseDir = join(stateDir, 'base');
  const runDir = join(stateDir, 'run');
  mkdirSync(stateDir, { recursive: true });

  log.info({ users: o.users, movies: o.movies, seed: o.seed, stateDir }, 'demo: building the world');
  const world = loadOrCreateWorld(join(stateDir, 'world'), o);
  const CATALOG_RATE = 2000;
  const catalog = await startCatalogApi(world, { port: 0, host: '127.0.0.1', ratePerSecond: CATALOG_RATE });
  // The demo owns its catalog API: fetch in bulk at half its limit, so the first run is not a
  // minute and a half of one-id requests at the default pace meant for a shared course API.
  const configFor = (dataDir: string): Readonly<Config> =>
    loadConfig({
      file: o.configFile,
      overrides: {
        dataDir,
        'catalog.baseUrl': `http://127.0.0.1:${catalog.port}`,
        'catalog.ratePerSecond': CATALOG_RATE / 2,
        'catalog.bulkSize': 100,
        'serve.port': o.port,
        'serve.host': o.host,
        'retrain.everyMinutes': o.retrainEveryS / 60,
        'retrain.everyEvents': 0,
        ...demoRelease(o.configFile),
      },
    });

  let service: Service | undefined;
  let retrains = 0;
  try {
    const params: BaseParams = { seed: o.seed, users: o.users, movies: o.movies, historyLines: o.historyLines };
    const hist = await buildBase(world, baseDir, params, configFor(baseDir), o);
    // Every run starts from the base: the last run's live lines and retrained models go.
    rmSync(runDir, { recursive: true, force: true });
    cpSync(baseDir, runDir, { recursive: true });
    const config = configFor(runDir);
    const liveFile = join(runDir, 'live.log');
    const sink = appendSink(liveFile);
    // drive() closes the sink when it stops.
    service = await startService({
      config,
      source: fileSource({ path: liveFile, follow: true, batchLines: config.ingest.batchLines }),
      identity: await broughtIdentity(config, false),
      log,
      onRetrain: (res) => {
        if (res.kind !== 'registered') return;
        retrains++;
        const said = retrainSummary(res.manifest, config.gate);
        log.info({ ...said.fields, seconds: res.seconds }, said.text);
      },
    });
    const svc = service;
    log.info(
      { host: o.host, port: svc.port, stateDir: runDir },
      `demo: serving on http://${o.host}:${svc.port}/recommend/<userid>; driving it (Ctrl-C stops)`,
    );

    const stopAfter = o.durationS > 0 ? AbortSignal.timeout(o.durationS * 1000) : undefined;
    const signal = stopAfter ? AbortSignal.any([o.signal, stopAfter]) : o.signal;
    const scoreboard = await drive(world, {
      target: `http://127.0.0.1:${svc.port}`,
      out: sink,
      rate: o.rate,
      start: hist.simNow,
      seed: o.seed + 1,
      oracleSample: 0.1,
      tickMs: 1000,
      onTick: (s) => o.progress(progressLine(s, svc.release.status())),
      signal,
    });
    return { scoreboard, modelId: svc.release.status().stable, retrains };
  } finally {
    await service?.stop();
    await catalog.close();
  }
}

/**
 * The past stream ingested and the first model trained, once per world and
 * size: later runs copy it instead of writing and ingesting the history again.
 * The history file goes once ingested (the world regenerates it byte for byte).
 */
async function buildBase(
  world: World,
  baseDir: string,
  params: BaseParams,
  config: Readonly<Config>,
  o: DemoOptions,
): Promise<{ simNow: number }> {
  const { log } = o;
  const stateFile = join(baseDir, 'params.json');
  if (baseMatches(baseDir, params)) {
    const saved = JSON.parse(readFileSync(join(baseDir, 'sim-time.json'), 'utf8')) as { simNow: number };
    log.info({ baseDir }, 'demo: reusing the ingested history and first model');
    return saved;
  }
  rmSync(baseDir, { recursive: true, force: true });
  mkdirSync(baseDir, { recursive: true });
  const historyFile = join(baseDir, 'history.log');
  const { simNow, trained } = await seedStore(world, {
    config,
    lines: o.historyLines,
    historyFile,
    target: `http://${o.host}:${o.port}`,
    onStep: (step) => {
      if (step.kind === 'written')
        log.info({ lines: step.lines, file: step.file }, 'demo: history written; ingesting it');
      else
        log.info(
          { applied: step.stats.linesApplied, skipped: step.stats.linesSkipped, rejected: step.stats.rejected },
          'demo: history ingested; training',
        );
    },
  });
  const said = retrainSummary(trained.manifest, config.gate);
  log.info(said.fields, said.text.replace('demo: retrained', 'demo: trained'));
  rmSync(historyFile, { force: true });
  writeFileSync(join(baseDir, 'sim-time.json'), JSON.stringify({ simNow }));
  writeFileSync(stateFile, JSON.stringify(params));
  return { simNow };
}
