// Simulator history as an array of lines, for ingest tests: same seed, same lines.
import { createWorld, historyLines as simHistoryLines } from '../../src/sim';

export function historyLines(
  n: number,
  opts: { seed?: number; users?: number; movies?: number; spuriousRate?: number } = {},
): Promise<string[]> {
  const world = createWorld({ seed: opts.seed ?? 3, users: opts.users ?? 300, movies: opts.movies ?? 200 });
  return simHistoryLines(world, { lines: n, spuriousRate: opts.spuriousRate ?? 0.02 });
}
