// A data dir ingested from simulator history with ratings added, as the retrain and gate tests start from.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from './cli';
import { historyLines, withRatings } from './ingest-lines';

/** Ingests `n` history lines (plus their ratings) into `<dir>/data` and returns that data dir. */
export async function ratedStore(
  dir: string,
  n: number,
  world: { users: number; movies: number } = { users: 200, movies: 100 },
): Promise<string> {
  const dataDir = join(dir, 'data');
  const file = join(dir, 'history.txt');
  writeFileSync(file, `${withRatings(await historyLines(n, { ...world, spuriousRate: 0 })).join('\n')}\n`);
  const r = movrec(['ingest', '--from-file', file, '--data-dir', dataDir]);
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  return dataDir;
}

/**
 * Simulator history with ratings, to be ingested into `<dir>/data` slice by slice (a training between slices
 * gives models trained on different snapshots).
 */
export async function ratedSlices(
  dir: string,
  n: number,
  world: { users: number; movies: number } = { users: 300, movies: 150 },
): Promise<{ dataDir: string; lines: string[]; ingest(from: number, to: number): void }> {
  const dataDir = join(dir, 'data');
  const lines = withRatings(await historyLines(n, { ...world, spuriousRate: 0 }));
  const ingest = (from: number, to: number): void => {
    const file = join(dir, `lines-${from}.txt`);
    writeFileSync(file, `${lines.slice(from, to).join('\n')}\n`);
    const r = movrec(['ingest', '--from-file', file, '--data-dir', dataDir]);
    if (r.status !== 0) throw new Error(`ingest of lines ${from}-${to} failed: ${r.stderr}`);
  };
  return { dataDir, lines, ingest };
}

/** Writes `settings` as `<dir>/<name>.json` and returns its path, for `--config`. */
export function configFile(dir: string, name: string, settings: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}
