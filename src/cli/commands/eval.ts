// movrec eval: evaluate models offline: RMSE, ranking metrics, per-group report
import { type Command, WINDOW_OPTION } from '../command';
import { Errors } from '../../errors';
import { readMovieLens } from '../../eval/movielens';
import { formatEval, runEval } from '../../eval/run';
import { openStore } from '../../store/store';
import { requireStore } from '../../store/require-store';
import type { Dataset } from '../../domain/dataset';
import { ALL_KINDS, type Kind } from '../../model/candidates';
import { progressHook } from '../../train/progress';
import { parseCount } from './train';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate models offline: RMSE, ranking metrics, per-group report',
  usage: '[options]',
  details: `Every model and the baselines (global mean, popularity) on two splits: by time (train on the first
80% of event time, test on the rest) with a per-group report (gender, age band, occupation and their
pairs, with counts), and a random k-fold. Ranking metrics count a test item as relevant when the user
watched or rated it after the split and had not before; seen items, and adult titles for minors, are
filtered as serving does.`,
  state: true,
  reports: true,
  options: {
    ...WINDOW_OPTION,
    folds: { type: 'string', valueName: 'K', description: 'random k-fold (0 or 1: skip)', default: '5' },
    kinds: {
      type: 'string',
      valueName: 'LIST',
      description: `models, comma-separated (default ${ALL_KINDS.join(',')})`,
    },
    movielens: {
      type: 'string',
      valueName: 'DIR',
      description: 'evaluate on a MovieLens-100k directory instead of the store',
    },
    'eval-users': {
      type: 'string',
      valueName: 'N',
      description: 'test users sampled for ranking metrics (0: all)',
      default: '2000',
    },
  },
  async run(ctx) {
    const config = ctx.config();
    const windowDays = parseCount(ctx.values.window as string | undefined, '--window') ?? config.train.windowDays;
    const folds = Math.floor(parseCount(ctx.values.folds as string, '--folds') ?? 5);
    const maxUsers = Math.floor(parseCount(ctx.values['eval-users'] as string, '--eval-users') ?? 2000);
    const rawKinds = ctx.values.kinds as string | undefined;
    let kinds: Kind[] | undefined;
    if (rawKinds !== undefined) {
      kinds = rawKinds
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as Kind[];
      for (const k of kinds)
        if (!(ALL_KINDS as readonly string[]).includes(k))
          throw Errors.usage(`--kinds: unknown model kind "${k.slice(0, 40)}" (one of ${ALL_KINDS.join(', ')})`);
    }
    const dir = ctx.values.movielens as string | undefined;
    let dataset: Dataset;
    if (dir) dataset = readMovieLens(dir).all;
    else {
      requireStore(config.dataDir);
      const store = openStore(config.dataDir, { readOnly: true });
      try {
        dataset = store.readSnapshot({ windowDays, ratingMax: config.ingest.ratingMax });
      } finally {
        await store.close();
      }
      if (dataset.ratings.value.length + dataset.watches.fraction.length === 0)
        throw Errors.usage(`no events in the store under ${config.dataDir}: ingest first (movrec ingest)`);
    }
    const report = runEval({
      dataset,
      train: config.train,
      unknownAgeIsMinor: config.serve.unknownAgeIsMinor,
      folds,
      maxUsers,
      onEpoch: progressHook(),
      ...(kinds ? { kinds } : {}),
    });
    ctx.out(ctx.json ? JSON.stringify(report, null, 2) : formatEval(report));
  },
};
