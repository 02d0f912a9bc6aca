// Simulator history as an array of lines, for ingest tests: same seed, same lines.
import { Writable } from 'node:stream';
import { createWorld, writeHistory } from '../../src/sim';

export async function historyLines(n: number, opts: { seed?: number; users?: number; movies?: number; spuriousRate?: number } = {}): Promise<string[]> {
  const world = createWorld({ seed: opts.seed ?? 3, users: opts.users ?? 300, movies: opts.movies ?? 200 });
  const lines: string[] = [];
  let rest = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const p of parts) lines.push(p);
      cb();
    },
  });
  await writeHistory(world, { lines: n, out, spuriousRate: opts.spuriousRate ?? 0.02 });
  if (rest) lines.push(rest);
  return lines;
}
