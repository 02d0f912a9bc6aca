// movrec bench: benchmarks (movrec bench movielens --dir DIR)
import type { Command } from '../command';
import { Errors } from '../../errors';
import { benchMovieLens } from '../../eval/movielens-bench';

function parseFolds(raw: string): number[] {
  const folds = raw.split(',').map((s) => Number(s.trim()));
  if (folds.length === 0 || folds.some((n) => !Number.isInteger(n) || n < 1 || n > 5))
    throw Errors.usage(`--folds must list fold numbers from 1 to 5, got "${raw.slice(0, 40)}"`);
  return [...new Set(folds)];
}

export const bench: Command = {
  name: 'bench',
  summary: 'benchmarks (movrec bench movielens --dir DIR)',
  usage: 'movielens --dir DIR [--folds 1,2,3,4,5] [--repeats N] [--json]',
  details: `movielens: fits our biased matrix factorization on each u<N>.base of a MovieLens-100k directory and
prints RMSE on u<N>.test and fit seconds, per fold and on average (JSON fields rmse and fit_seconds);
with --repeats N each fold is fitted N times from the same seed and the fit time is the median.
scripts/bench/movielens-vs-surprise.py runs Surprise's SVD on the same folds beside it.`,
  state: false,
  reports: true,
  positionals: 1,
  options: {
    dir: {
      type: 'string',
      valueName: 'DIR',
      description: 'MovieLens-100k directory (u.data, u.user, u.item, u1.base ... u5.test)',
    },
    folds: { type: 'string', valueName: 'LIST', description: 'folds to run', default: '1,2,3,4,5' },
    repeats: { type: 'string', valueName: 'N', description: 'fits per fold; fit time is their median', default: '1' },
  },
  async run(ctx) {
    const [what] = ctx.positionals;
    if (what !== 'movielens')
      throw Errors.usage(`movrec bench: unknown benchmark "${(what ?? '').slice(0, 40)}" (movielens)`);
    const dir = ctx.values.dir as string | undefined;
    if (!dir) throw Errors.usage('movrec bench movielens: --dir DIR is required');
    const folds = parseFolds(ctx.values.folds as string);
    const repeats = Number(ctx.values.repeats);
    if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100)
      throw Errors.usage(
        `--repeats must be a whole number from 1 to 100, got "${String(ctx.values.repeats).slice(0, 40)}"`,
      );
    const res = benchMovieLens(
      dir,
      folds,
      undefined,
      ctx.json
        ? undefined
        : (r) =>
            ctx.out(
              `fold ${r.fold}: RMSE ${r.rmse.toFixed(4)}  MAE ${r.mae.toFixed(4)}  fit ${r.fit_seconds.toFixed(3)} s`,
            ),
      repeats,
    );
    if (ctx.json) ctx.out(JSON.stringify(res, null, 2));
    else
      ctx.out(
        `average over ${res.folds.length} fold(s): RMSE ${res.rmse.toFixed(4)}  MAE ` +
          `${res.mae.toFixed(4)}  fit ${res.fit_seconds.toFixed(3)} s`,
      );
  },
};
