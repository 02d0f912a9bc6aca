// movrec train: train a model from an LMDB snapshot and register it
import { type Command, type CommandContext, WINDOW_OPTION } from '../command';
import type { Config } from '../../config/load';
import { Errors } from '../../errors';
import { readMovieLens } from '../../eval/movielens';
import { openStore, type Store } from '../../store/store';
import { requireStore } from '../../store/require-store';
import { DEFAULT_KINDS, SERVABLE_KINDS, type ServableKind } from '../../model/candidates';
import { progressHook } from '../../train/progress';
import { formatOutcome } from '../../train/report';
import { trainAndRegister } from '../../train/train';
import { formatReproduction, reproduceModel } from '../../train/reproduce';
import { acquireTrainLock, TRAIN_OWNER_ENV } from '../../store/train-lock';

export function parseKinds(raw: string | undefined): ServableKind[] | undefined {
  if (raw === undefined) return undefined;
  const kinds = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const k of kinds)
    if (!(SERVABLE_KINDS as readonly string[]).includes(k))
      throw Errors.usage(`--kinds: unknown model kind "${k.slice(0, 40)}" (one of ${SERVABLE_KINDS.join(', ')})`);
  if (kinds.length === 0) throw Errors.usage('--kinds must name at least one model kind');
  return kinds as ServableKind[];
}

export function parseCount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw Errors.usage(`${flag} must be a non-negative number, got "${raw.slice(0, 40)}"`);
  return n;
}

export const train: Command = {
  name: 'train',
  summary: 'train a model from an LMDB snapshot and register it',
  usage: '[options]',
  details: `Compares the candidate kinds on a time split of the snapshot (last 20% of event time held out),
picks the best by NDCG@20, refits it on the whole snapshot, runs the gate (RMSE under gate.maxRmse,
NDCG@20 within gate.ndcgTolerance of the approved model) and registers artifact + manifest under
<data-dir>/models. A rejected model is registered with approved: false and the reasons; the exit code is 0 either way.
The events trained on are kept in <data-dir>/snapshots (sha256 in the manifest) as long as a model trained on
them is (movrec models rm / gc remove both); --reproduce MODEL_ID trains
again from them with the recorded settings and seed and compares the artifact's sha256 (exit 0 equal, 1 not).
One training at a time per data dir: while another holds <data-dir>/train.lock (serve's scheduled retrain,
the systemd timer's run, an operator's), this one says whose and since when and exits 75; the lock of a
training that died is taken over.`,
  state: true,
  reports: true,
  options: {
    ...WINDOW_OPTION,
    kinds: {
      type: 'string',
      valueName: 'LIST',
      description: `candidate kinds, comma-separated (default ${DEFAULT_KINDS.join(',')}; also mf-demographic)`,
    },
    movielens: {
      type: 'string',
      valueName: 'DIR',
      description: 'train from a MovieLens-100k directory (u.data, u.user, u.item) instead of the store',
    },
    reproduce: {
      type: 'string',
      valueName: 'MODEL_ID',
      description:
        'rebuild that model from its recorded snapshot, settings and seed and say whether its sha256 ' +
        'equals the recorded one (exit 1 if not); registers nothing',
    },
    'eval-users': {
      type: 'string',
      valueName: 'N',
      description: 'test users sampled for the ranking metrics (default 2000)',
    },
  },
  // Through the config, so the manifest's hyperparameters.windowDays is the window actually used.
  configOverrides: (ctx) => ({ 'train.windowDays': parseCount(ctx.values.window as string | undefined, '--window') }),
  async run(ctx) {
    const config = ctx.config();
    // Refused before the lock file would create the directory.
    if (ctx.values.movielens === undefined)
      requireStore(config.dataDir, { orModels: ctx.values.reproduce !== undefined });
    // Opened before the lock: opening writes (it creates any missing sub-db), and a training that holds the lock
    // should then only read until it registers its model, so that nothing queues behind its write transaction
    // while it trains (a stopped or slow training would otherwise stall serve's writes).
    const fromStore = ctx.values.movielens === undefined && ctx.values.reproduce === undefined;
    const store = fromStore ? openStore(config.dataDir) : undefined;
    try {
      const lock = acquireTrainLock(config.dataDir, process.env[TRAIN_OWNER_ENV] || 'movrec train', (previous) =>
        ctx.log.warn(
          { previous },
          'train: the lock of a training that is no longer running was left behind; taking it over',
        ),
      );
      try {
        return await trainLocked(ctx, config, store);
      } finally {
        lock.release();
      }
    } finally {
      await store?.close();
    }
  },
};

/** The training itself, run while the lock is held. */
async function trainLocked(ctx: CommandContext, config: Readonly<Config>, store?: Store): Promise<number> {
  const again = ctx.values.reproduce as string | undefined;
  if (again !== undefined) {
    for (const f of ['window', 'kinds', 'movielens', 'eval-users'])
      if (ctx.values[f] !== undefined)
        throw Errors.usage(`movrec train: --${f} does not apply to --reproduce (the recorded settings are used)`);
    const r = reproduceModel(config.dataDir, again, progressHook());
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : formatReproduction(r));
    return r.equal ? 0 : 1;
  }
  const windowDays = config.train.windowDays;
  const kinds = parseKinds(ctx.values.kinds as string | undefined);
  const evalMaxUsers = parseCount(ctx.values['eval-users'] as string | undefined, '--eval-users');
  const onEpoch = progressHook();
  const common = {
    dataDir: config.dataDir,
    config,
    onEpoch,
    ...(kinds ? { kinds } : {}),
    ...(evalMaxUsers !== undefined ? { evalMaxUsers } : {}),
  };
  const dir = ctx.values.movielens as string | undefined;
  let outcome: ReturnType<typeof trainAndRegister>;
  if (dir) {
    if (ctx.values.window !== undefined)
      throw Errors.usage('movrec train: --window selects events of the store; it does not apply to --movielens');
    outcome = trainAndRegister({ ...common, dataset: readMovieLens(dir).all });
  } else {
    if (!store) throw new Error('movrec train: the store was not opened');
    const dataset = store.readSnapshot({ windowDays, ratingMax: config.ingest.ratingMax });
    if (dataset.ratings.value.length + dataset.watches.fraction.length === 0)
      throw Errors.usage(`no events in the store under ${config.dataDir}: ingest first (movrec ingest)`);
    outcome = trainAndRegister({ ...common, dataset, root: store.root });
  }
  ctx.out(ctx.json ? JSON.stringify(outcome.manifest, null, 2) : formatOutcome(outcome));
  return 0;
}
