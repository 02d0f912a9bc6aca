// Train/test splits over one index space: both halves keep every user and
// item index of the source, so test rows address the trained factors directly.
import { choicesWhere, type Dataset } from '../domain/dataset';
import { rng } from '../model/rng';

export interface Split {
  train: Dataset;
  test: Dataset;
  label: string;
}

/**
 * The rows kept by a predicate over ratings and watches, same users and items; choices from shown lists only
 * when given in `extra`.
 */
export function subset(
  ds: Dataset,
  keepRating: (n: number) => boolean,
  keepWatch: (n: number) => boolean,
  source: string,
  extra: Pick<Dataset, 'choices'> = {},
): Dataset {
  const pick = <T extends Uint32Array | Float32Array | Float64Array>(a: T, idx: number[]): T => {
    const out = new (a.constructor as new (n: number) => T)(idx.length);
    idx.forEach((n, j) => {
      out[j] = a[n]!;
    });
    return out;
  };
  const r = ds.ratings;
  const w = ds.watches;
  const ri: number[] = [];
  for (let n = 0; n < r.user.length; n++) if (keepRating(n)) ri.push(n);
  const wi: number[] = [];
  for (let n = 0; n < w.user.length; n++) if (keepWatch(n)) wi.push(n);
  let from = Infinity;
  let to = -Infinity;
  for (const n of ri) (from = Math.min(from, r.time[n]!)), (to = Math.max(to, r.time[n]!));
  for (const n of wi) (from = Math.min(from, w.time[n]!)), (to = Math.max(to, w.time[n]!));
  const { choices: _all, ...rest } = ds;
  return {
    ...rest,
    ...extra,
    ratings: { user: pick(r.user, ri), item: pick(r.item, ri), value: pick(r.value, ri), time: pick(r.time, ri) },
    watches: { user: pick(w.user, wi), item: pick(w.item, wi), fraction: pick(w.fraction, wi), time: pick(w.time, wi) },
    meta: {
      ...ds.meta,
      source,
      from: Number.isFinite(from) ? from : ds.meta.from,
      to: Number.isFinite(to) ? to : ds.meta.to,
    },
  };
}

/**
 * Train on events before the `trainShare` quantile of event time, test on the rest: the honest split for a stream.
 * Choices from shown lists go to the side their answer's time falls on.
 */
export function timeSplit(ds: Dataset, trainShare = 0.8): Split {
  const times = Float64Array.from([...ds.ratings.time, ...ds.watches.time]).sort();
  const cut = times.length ? times[Math.min(times.length - 1, Math.floor(times.length * trainShare))]! : 0;
  const choices = ds.choices;
  const side = (before: boolean): Pick<Dataset, 'choices'> =>
    choices ? { choices: choicesWhere(choices, (r) => choices.time[r]! < cut === before) } : {};
  return {
    label: `time split at ${new Date(cut).toISOString()}`,
    train: subset(
      ds,
      (n) => ds.ratings.time[n]! < cut,
      (n) => ds.watches.time[n]! < cut,
      `${ds.meta.source} before ${cut}`,
      side(true),
    ),
    test: subset(
      ds,
      (n) => ds.ratings.time[n]! >= cut,
      (n) => ds.watches.time[n]! >= cut,
      `${ds.meta.source} from ${cut}`,
      side(false),
    ),
  };
}

/** Random k-fold over rows (ratings and watches independently), seeded. */
export function kFold(ds: Dataset, folds: number, seed: number): Split[] {
  const next = rng(seed);
  const rf = Uint8Array.from(ds.ratings.user, () => Math.floor(next() * folds));
  const wf = Uint8Array.from(ds.watches.user, () => Math.floor(next() * folds));
  return Array.from({ length: folds }, (_, f) => ({
    label: `fold ${f + 1}/${folds}`,
    train: subset(
      ds,
      (n) => rf[n] !== f,
      (n) => wf[n] !== f,
      `${ds.meta.source} fold ${f + 1} train`,
    ),
    test: subset(
      ds,
      (n) => rf[n] === f,
      (n) => wf[n] === f,
      `${ds.meta.source} fold ${f + 1} test`,
    ),
  }));
}
