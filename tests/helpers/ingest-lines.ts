// Simulator history as an array of lines, for ingest tests: same seed, same lines.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { createWorld, historyLines as simHistoryLines } from '../../src/sim';
import { openStore, type Store } from '../../src/store/store';

export function historyLines(
  n: number,
  opts: { seed?: number; users?: number; movies?: number; spuriousRate?: number } = {},
): Promise<string[]> {
  const world = createWorld({ seed: opts.seed ?? 3, users: opts.users ?? 300, movies: opts.movies ?? 200 });
  return simHistoryLines(world, { lines: n, spuriousRate: opts.spuriousRate ?? 0.02 });
}

/**
 * The simulator's history rates rarely (15 ratings in 44,000 lines) and the gate needs held-out ratings:
 * every 10th watch line is followed by a rating of that movie by that user, as the stream writes them.
 */
export function withRatings(lines: string[]): string[] {
  const out: string[] = [];
  lines.forEach((line, n) => {
    out.push(line);
    const m = /^([^,]+),(\d+),GET \/data\/m\/([^/]+)\//.exec(line);
    if (m && n % 10 === 0) out.push(`${m[1]},${m[2]},GET /rate/${m[3]}=${1 + ((Number(m[2]) + m[3]!.length) % 5)}`);
  });
  return out;
}

/**
 * `lines` written to `dir`/stream.lines and ingested into a store under `dir`/data with the default config;
 * the store is closed when the test ends.
 */
export async function ingestLines(t: Test, dir: string, lines: string[]): Promise<Store> {
  const file = join(dir, 'stream.lines');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const config = loadConfig({ env: {}, overrides: { dataDir: join(dir, 'data') } });
  const store = openStore(config.dataDir);
  t.teardown(() => store.close());
  await startIngest({ config, store, source: fileSource({ path: file, batchLines: 500 }) }).done;
  return store;
}
