// The serving process as one unit: store, scorer, the newest approved model,
// the ingest loop when a source is configured, and the HTTP front; reload
// (SIGHUP) and an orderly stop (SIGTERM) over them.
import type { Config } from '../config/load';
import { isMovrecError } from '../errors';
import { startIngest, type IngestHandle, type Source } from '../ingest/loop';
import type { Logger } from '../log';
import { artifactPath, listManifests, newestApproved, wasRolledBack } from '../model/registry';
import { createReleaseController, modelsInRelease, type ReleaseController } from '../release/controller';
import { acquireTrainLock } from '../store/train-lock';
import { modelsPastRetention, removeModels } from '../train/model-retention';
import { int8Path, nativeAvailable, nativeStatus } from '../../native/index';
import { createScorer, type Scorer } from '../scoring/scorer';
import { openStore } from '../store/store';
import { claimIdentity, type StoreIdentity } from '../store/identity';
import { activateArtifact } from '../scoring/activation';
import { startServer } from '../http/server';
import { retrainEnabled, startRetrainScheduler } from '../release/retrain-scheduler';
import type { TrainChildResult } from '../release/train-child';
import { createOnlineJoin, type OnlineJoin } from '../telemetry/online-join';
import { ingestedPopularity } from './ingested-popularity';

/** How often the no-model popularity list is recounted from the store while no model serves. */
const NO_MODEL_REFRESH_MS = 2000;

export interface Service {
  port: number;
  /** The online join: per-arm outcomes (the OutcomeReader the canary guard and experiments read). */
  outcomes: OnlineJoin;
  /** Canary, experiments and the router (retraining hands approved models to `release.proposeCanary`). */
  release: ReleaseController;
  /**
   * Loads the newest approved model unless it already serves; a refused artifact rejects and the current model keeps
   * serving.
   */
  reload(): Promise<void>;
  /** Stops accepting, finishes in-flight answers, stops ingest, closes the pool and the store. */
  stop(): Promise<void>;
}

export async function startService(opts: {
  config: Readonly<Config>;
  source: Source | null;
  /** What the source brings, checked against (or recorded in) the store before anything is written. */
  identity?: StoreIdentity | null;
  log: Logger;
  /** Told of each scheduled retrain's result (the demo reports them in its own words). */
  onRetrain?: (res: TrainChildResult) => void;
}): Promise<Service> {
  const { config, log } = opts;
  const dataDir = config.dataDir;
  const store = openStore(dataDir);
  if (opts.identity) {
    try {
      await claimIdentity(store, dataDir, opts.identity);
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  // The kernel decides the server's capacity: say which one runs, and warn when it is the TypeScript fallback.
  if (nativeAvailable) log.info({ kernel: nativeStatus, int8: int8Path() }, 'scoring kernel');
  else
    log.warn(
      { kernel: nativeStatus },
      'scoring with the TypeScript kernels, tens of times slower than the native ones: build them ' +
        'with node native/build.js',
    );
  // Created first, as the scorer's fallback: it asks the scorer (once made) whether a model serves.
  let created: Scorer | undefined;
  const popularity = ingestedPopularity(store, {
    listSize: config.serve.listSize,
    unknownAgeIsMinor: config.serve.unknownAgeIsMinor,
    refreshMs: NO_MODEL_REFRESH_MS,
    modelServing: () => created?.active() != null,
  });
  let scorer: Scorer;
  try {
    scorer = created = await createScorer({
      dataDir,
      threads: config.serve.threads,
      listSize: config.serve.listSize,
      unknownAgeIsMinor: config.serve.unknownAgeIsMinor,
      batchSize: config.serve.batchSize,
      fallback: popularity.answer,
    });
  } catch (e) {
    popularity.stop();
    await store.close();
    throw e;
  }

  // The one online join: ingest feeds it the stream, the answer log attributes it (attach below), and the
  // canary guard and experiments read their per-arm outcomes from it.
  const join = createOnlineJoin({
    windowMs: config.telemetry.joinWindowMinutes * 60_000,
    retentionDays: config.telemetry.onlineDays,
  });
  const release = createReleaseController({ config, scorer, root: store.root, outcomes: join, log });
  // At start: the model the last promotion made stable, else the newest approved one never rolled back,
  // falling back through older ones: serving an older model beats serving none.
  const recorded = release.recordedStable();
  const candidates = listManifests(dataDir).filter((x) => x.approved && !wasRolledBack(x));
  candidates.sort((a, b) => (a.id === recorded ? -1 : b.id === recorded ? 1 : 0));
  for (const m of candidates) {
    try {
      await activateArtifact(scorer, artifactPath(dataDir, m.id), 'stable');
      break;
    } catch {
      log.warn({ modelId: m.id }, 'approved model refused at start; trying an older one');
    }
  }
  release.stableLoaded();
  await release.restore();
  if (!scorer.active())
    log.warn(
      { dataDir },
      'no approved model loaded: /recommend answers from the popularity of what has been ingested (degraded) ' +
        'until one is trained and SIGHUP is sent',
    );
  // A worker's first task opens LMDB and views the model: pay that before listening, not inside a client's deadline.
  else
    await Promise.all(Array.from({ length: config.serve.threads }, () => scorer.recommend(1).catch(() => undefined)));

  // Loads are serialised: two quick SIGHUPs never fill the same idle slot at once.
  let chain: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    const next = chain.then(async () => {
      const m = newestApproved(dataDir);
      if (!m) return void log.warn({ dataDir }, 'reload: no approved model');
      if (scorer.active()?.modelId === m.id)
        return void log.info({ modelId: m.id }, 'reload: already serving the newest approved model');
      await activateArtifact(scorer, artifactPath(dataDir, m.id), 'stable');
      release.stableLoaded();
    });
    chain = next.catch(() => undefined);
    return next;
  };

  let ingest: IngestHandle | undefined;
  if (opts.source) {
    ingest = startIngest({ config, store, source: opts.source, observer: join });
    ingest.done.catch((e: unknown) => log.error({ err: e }, 'ingest stopped with an error; serving continues'));
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      config,
      scorer,
      ingest,
      noModelNote: popularity.note,
      onReload: reload,
      store,
      release,
    });
  } catch (e) {
    // A server that cannot listen must not leave a following ingest or the pool running: the process would never end.
    if (ingest) await ingest.stop();
    popularity.stop();
    await scorer.close();
    await store.close();
    throw e;
  }
  join.attach(server.answers);
  // The hand-off of a retrained, gate-approved model: onto the canary, whose guard promotes or rolls it back.
  // While another canary is being judged, the new model waits for the next retrain.
  const handOff = async (modelId: string): Promise<void> => {
    try {
      await release.proposeCanary(modelId, { reason: 'scheduled retrain' });
      log.info({ modelId }, 'retrained model on canary');
    } catch (e) {
      if (isMovrecError(e) && e.code === 'MOVREC_ERR_RELEASE_CONFLICT')
        return void log.warn({ modelId, reason: e.message }, 'retrained model not canaried: a canary is being judged');
      throw e;
    }
  };
  // retrain.keepModels after each scheduled run: the oldest models go with the snapshots only they used. Under the
  // training lock (a timer's training between its snapshot and its model is never cut short); busy: next run.
  const retain = (): void => {
    const keep = config.retrain.keepModels;
    if (keep === 0) return;
    let lock: ReturnType<typeof acquireTrainLock>;
    try {
      lock = acquireTrainLock(dataDir, `movrec serve's model retention (server pid ${process.pid})`);
    } catch (e) {
      if (isMovrecError(e) && e.code === 'MOVREC_ERR_TRAINING_RUNNING')
        return void log.info({ reason: e.message }, 'retrain: retention waits for the next run');
      throw e;
    }
    try {
      const protect = new Set(modelsInRelease(store.root));
      for (const role of ['stable', 'canary', 'arm-a', 'arm-b'] as const) {
        const id = scorer.active(role)?.modelId;
        if (id) protect.add(id);
      }
      const newest = newestApproved(dataDir);
      if (newest) protect.add(newest.id);
      const r = removeModels(dataDir, modelsPastRetention(listManifests(dataDir), keep, protect), protect, store.root);
      if (r.models.length > 0 || r.snapshots.length > 0)
        log.info(
          { models: r.models, snapshots: r.snapshots, bytes: r.bytes, kept: r.kept, keepModels: keep },
          'retrain: models past retrain.keepModels removed, with the training snapshots no kept model uses',
        );
    } catch (e) {
      log.warn({ err: e }, 'retrain: retention failed; models and snapshots stay until the next run');
    } finally {
      lock.release();
    }
  };
  const retrain = retrainEnabled(config.retrain)
    ? startRetrainScheduler({
        config,
        log,
        linesApplied: () => ingest?.stats().linesApplied,
        onApproved: handOff,
        onResult: opts.onRetrain,
        afterRun: retain,
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    outcomes: join,
    release,
    reload,
    stop: () =>
      (stopping ??= (async () => {
        await retrain?.stop();
        await server.close();
        release.close();
        if (ingest) await ingest.stop();
        await chain;
        popularity.stop();
        await scorer.close();
        await store.close();
      })()),
  };
}
