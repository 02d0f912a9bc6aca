// The embedded demo: a simulated world, its catalog API and stream, ingest,
// training, serving on 8082, and the simulator driving it, on one machine with
// nothing installed but Node. Retraining runs in a child `movrec train` so the
// event loop that serves never blocks on SGD; the new model is hot-swapped.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load';
import { loadConfig } from '../config/load';
import { fileSource } from '../ingest/source-file';
import { startIngest } from '../ingest/loop';
import type { Logger } from '../log';
import { startService, type Service } from '../serve/service';
import { newestApproved } from '../model/registry';
import {
  createWorld,
  drive,
  loadWorld,
  saveWorld,
  startCatalogApi,
  worldExists,
  writeHistory,
  type Scoreboard,
  type World,
} from '../sim';
import { openStore } from '../store/store';
import { trainAndRegister } from '../train/train';
import { appendSink } from './append-sink';
import { releaseProgress } from '../release/progress';

export interface DemoOptions {
  dataDir: string;
  configFile?: string | undefined;
  seed: number;
  users: number;
  movies: number;
  historyLines: number;
  port: number;
  /** Real seconds to drive before stopping; 0: until interrupted. */
  durationS: number;
  /** Real seconds between retrains; 0: never. */
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
  modelId: string | null;
  retrains: number;
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
 * One line of live progress: throughput, latency, success, and how often users watch from our lists beside the
 * oracle's.
 */
export function progressLine(s: Scoreboard, modelId: string | null): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    `req/s ${s.requestsPerSecond.toFixed(0)}  p99 ${s.latencyMs.p99.toFixed(0)} ms  ok ` +
    `${pct(s.successRate)} (${s.ok}/${s.requests})  ` +
    `watched-from-list ${pct(s.watchShare)}  expected ${pct(s.expectedShare)} vs oracle ` +
    `${pct(s.oracleExpectedShare)}  ` +
    `sim ${s.simTime.slice(0, 16)}  model ${modelId ?? '-'}`
  );
}

function runTrainChild(dataDir: string, configFile: string | undefined, log: Logger): Promise<boolean> {
  const cli = process.argv[1]!;
  const args = [cli, 'train', '--data-dir', dataDir, '--json', ...(configFile ? ['--config', configFile] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MOVREC_LOG_LEVEL: 'warn' },
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 4000) err += c.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0)
        log.warn(
          { code, error: err.trim().split('\n').slice(0, 2).join(' | ').slice(0, 500) },
          'retrain failed; the current model keeps serving',
        );
      resolve(code === 0);
    });
  });
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { log } = o;
  mkdirSync(o.dataDir, { recursive: true });
  const demoDir = join(o.dataDir, 'demo');
  mkdirSync(demoDir, { recursive: true });

  log.info({ users: o.users, movies: o.movies, seed: o.seed }, 'demo: building the world');
  const world = loadOrCreateWorld(join(demoDir, 'world'), o);
  const CATALOG_RATE = 2000;
  const catalog = await startCatalogApi(world, { port: 0, host: '127.0.0.1', ratePerSecond: CATALOG_RATE });
  // The demo owns its catalog API: fetch in bulk at half its limit, so the first run is not a
  // minute and a half of one-id requests at the default pace meant for a shared course API.
  const config: Readonly<Config> = loadConfig({
    file: o.configFile,
    overrides: {
      dataDir: o.dataDir,
      'catalog.baseUrl': `http://127.0.0.1:${catalog.port}`,
      'catalog.ratePerSecond': CATALOG_RATE / 2,
      'catalog.bulkSize': 100,
      'serve.port': o.port,
    },
  });

  let service: Service | undefined;
  try {
    const historyFile = join(demoDir, `history-${o.seed}.log`);
    const hist = await writeHistory(world, {
      lines: o.historyLines,
      out: historyFile,
      target: `http://127.0.0.1:${o.port}`,
    });
    log.info({ lines: hist.lines, file: historyFile }, 'demo: history written; ingesting it');

    const store = openStore(o.dataDir);
    try {
      // Offsets live in the store, so a second demo run over the same history applies nothing twice.
      const ingest = startIngest({
        config,
        store,
        source: fileSource({ path: historyFile, batchLines: config.ingest.batchLines }),
        waitForCatalog: true,
      });
      await ingest.done;
      const st = ingest.stats();
      log.info(
        { applied: st.linesApplied, skipped: st.linesSkipped, rejected: st.rejected },
        'demo: history ingested; training',
      );
      if (!newestApproved(o.dataDir)) {
        const outcome = trainAndRegister({
          dataDir: o.dataDir,
          config,
          dataset: store.readSnapshot({ ratingMax: config.ingest.ratingMax }),
          root: store.root,
        });
        log.info(
          { modelId: outcome.manifest.id, approved: outcome.manifest.approved, metrics: outcome.manifest.metrics },
          'demo: model trained',
        );
      }
    } finally {
      await store.close();
    }

    const liveFile = join(demoDir, `live-${o.seed}-${Date.now()}.log`);
    const sink = appendSink(liveFile);
    // drive() closes the sink when it stops.
    service = await startService({
      config,
      source: fileSource({ path: liveFile, follow: true, batchLines: config.ingest.batchLines }),
      log,
    });
    const svc = service;
    log.info(
      { port: svc.port },
      `demo: serving on http://127.0.0.1:${svc.port}/recommend/<userid>; driving it (Ctrl-C stops)`,
    );

    let modelId: string | null = newestApproved(o.dataDir)?.id ?? null;
    let retrains = 0;
    let retraining = false;
    const timer =
      o.retrainEveryS > 0
        ? setInterval(() => {
            if (retraining) return;
            retraining = true;
            void runTrainChild(o.dataDir, o.configFile, log)
              .then(async (ok) => {
                if (!ok) return;
                retrains++;
                await svc.reload();
                modelId = newestApproved(o.dataDir)?.id ?? modelId;
              })
              .catch((e: unknown) => log.warn({ err: e }, 'demo: reload refused; the current model keeps serving'))
              .finally(() => {
                retraining = false;
              });
          }, o.retrainEveryS * 1000)
        : undefined;

    const stopAfter = o.durationS > 0 ? AbortSignal.timeout(o.durationS * 1000) : undefined;
    const signal = stopAfter ? AbortSignal.any([o.signal, stopAfter]) : o.signal;
    const scoreboard = await drive(world, {
      target: `http://127.0.0.1:${svc.port}`,
      out: sink,
      rate: o.rate,
      start: hist.behaviour.now(),
      seed: o.seed + 1,
      oracleSample: 0.1,
      tickMs: 1000,
      onTick: (s) => o.progress(`${progressLine(s, modelId)}  ${releaseProgress(svc.release.status())}`),
      signal,
    });
    if (timer) clearInterval(timer);
    while (retraining) await new Promise((r) => setTimeout(r, 100));
    return { scoreboard, modelId, retrains };
  } finally {
    await service?.stop();
    await catalog.close();
  }
}
