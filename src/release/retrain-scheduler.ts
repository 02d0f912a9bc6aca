// Scheduled retraining inside `movrec serve`: every retrain.everyMinutes or
// retrain.everyEvents new lines, one training child at a time (train-child.ts);
// a model the offline gates approve is handed to `onApproved`, a rejected or
// failed run is logged and counted, and the schedule simply comes round again.
// While another training holds the data dir's lock (the systemd timer's, an
// operator's), the round is skipped: logged and counted, never run beside it.
import type { Config } from '../config/load';
import type { Logger } from '../log';
import type { Manifest } from '../model/registry';
import { lastDuration, lastEnd, lastModel, type RetrainOutcome, running, runs } from './retrain-metrics';
import { startTrainChild, type TrainChild, type TrainChildResult } from './train-child';
import { type LockOwner, trainLockOwner } from '../store/train-lock';

export interface RetrainScheduler {
  /** Stops the schedule and the running child, if any, and waits for it. */
  stop(): Promise<void>;
}

const SKIPPED = 'retrain: skipped, a training is already running on this data dir; the next period tries again';

export function retrainEnabled(r: Readonly<Config['retrain']>): boolean {
  return r.everyMinutes > 0 || r.everyEvents > 0;
}

/** The log record of one run: what was trained, on what, its gate figures and the verdict's reasons. */
function describe(m: Manifest, gate: Readonly<Config['gate']>): Record<string, unknown> {
  const x = m.metrics as Record<string, unknown>;
  return {
    modelId: m.id,
    kind: m.kind,
    data: {
      from: new Date(m.data.from).toISOString(),
      to: new Date(m.data.to).toISOString(),
      ratings: m.data.ratings,
      watches: m.data.watches,
      users: m.data.users,
      items: m.data.items,
    },
    gate: { rmse: x.rmse, ndcg20: x.ndcg20, recall20: x.recall20, adultToMinors: x.adultToMinors },
    // Passed: every figure within these limits (NDCG@20 against the approved model's); rejected: the reasons say which
    // not.
    limits: { maxRmse: gate.maxRmse, ndcgTolerance: gate.ndcgTolerance, adultToMinors: 0 },
    reasons: m.gate.reasons,
  };
}

export function startRetrainScheduler(opts: {
  config: Readonly<Config>;
  log: Logger;
  /** Lines this process has ingested so far; undefined when it ingests none (another process fills the store). */
  linesApplied: () => number | undefined;
  /** Where an approved model goes: today a hot swap to stable, later the canary. */
  onApproved: (modelId: string) => Promise<void>;
  /** Told of every run that ended by itself (not by `stop`): the demo reports each one. */
  onResult?: (res: TrainChildResult) => void;
  /** After a run that registered a model, once it was handed on: the place for retention (retrain.keepModels). */
  afterRun?: () => void;
}): RetrainScheduler {
  const { config, log } = opts;
  const r = config.retrain;
  let lastStart = Date.now();
  let linesAtStart = opts.linesApplied() ?? 0;
  let lastFailed = false;
  let current: { child: TrainChild; done: Promise<void> } | undefined;
  let stopped = false;

  const finish = async (child: TrainChild): Promise<void> => {
    const res = await child.result;
    let outcome: RetrainOutcome;
    let modelId: string | null = null;
    if (res.kind === 'busy') {
      // The lock was taken between our look and the child's start.
      if (!stopped) log.warn({ why: res.why }, SKIPPED);
      runs.inc({ outcome: 'skipped' });
      return;
    }
    if (res.kind === 'failed') {
      outcome = 'failed';
      if (!stopped)
        log.warn(
          { why: res.why, seconds: res.seconds },
          'retrain failed; the current model keeps serving, the next period retries',
        );
    } else {
      const m = res.manifest;
      modelId = m.id;
      outcome = m.approved ? 'approved' : 'rejected';
      log.info(
        { ...describe(m, config.gate), seconds: res.seconds },
        m.approved ? 'retrain: gates passed; handing the model on' : 'retrain: gate rejected the model; not served',
      );
    }
    lastFailed = outcome === 'failed';
    // A child ended by our own stop is no outcome of training.
    if (stopped && outcome === 'failed') return;
    opts.onResult?.(res);
    runs.inc({ outcome });
    lastDuration.set(res.seconds);
    lastEnd.set(Date.now() / 1000);
    if (modelId) {
      lastModel.reset();
      lastModel.set({ model: modelId, outcome }, 1);
    }
    if (outcome === 'approved' && modelId && !stopped) {
      try {
        await opts.onApproved(modelId);
      } catch (e) {
        log.error(
          { err: e, modelId },
          'retrain: the approved model was refused on hand-off; the current model keeps serving',
        );
      }
    }
    if (modelId && !stopped) opts.afterRun?.();
  };

  const skip = (holder: LockOwner): void => {
    log.warn({ holder: { pid: holder.pid, by: holder.by, since: holder.since } }, SKIPPED);
    runs.inc({ outcome: 'skipped' });
  };

  const start = (): void => {
    lastStart = Date.now();
    linesAtStart = opts.linesApplied() ?? 0;
    const holder = trainLockOwner(config.dataDir);
    if (holder) return skip(holder);
    const child = startTrainChild({ config });
    void child.started.then((pid) =>
      log.info({ pid, command: child.command.join(' ') }, 'retrain: training child started'),
    );
    running.set(1);
    const done = finish(child).finally(() => {
      running.set(0);
      current = undefined;
    });
    current = { child, done };
  };

  const due = (): boolean => {
    const lines = opts.linesApplied();
    const fresh = lines === undefined ? Number.POSITIVE_INFINITY : lines - linesAtStart;
    if (r.everyEvents > 0 && fresh >= r.everyEvents) return true;
    // A time schedule with nothing new to learn from would train the same model again: wait for events, unless the last
    // run failed.
    return r.everyMinutes > 0 && Date.now() - lastStart >= r.everyMinutes * 60_000 && (fresh > 0 || lastFailed);
  };

  const timer = setInterval(
    () => {
      if (!stopped && !current && due()) start();
    },
    // Often enough that a short test period is kept to within a quarter; at most once a second.
    Math.max(50, Math.min(1000, (r.everyMinutes * 60_000) / 4 || 1000)),
  );
  timer.unref();
  log.info(
    { everyMinutes: r.everyMinutes, everyEvents: r.everyEvents, nice: r.nice, schedIdle: r.schedIdle },
    'retrain: scheduled',
  );

  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      const c = current;
      if (c) {
        c.child.kill();
        await c.done;
      }
    },
  };
}
