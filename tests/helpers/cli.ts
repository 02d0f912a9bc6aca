// Runs the built `movrec` executable as a user would.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MOVREC = join(__dirname, '..', '..', 'scripts', 'movrec.js');

export function movrec(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MOVREC, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MOVREC_LOG_LEVEL: 'warn', ...opts.env },
    input: opts.input,
    cwd: opts.cwd,
    timeout: 120_000,
  });
}

/** What `movrec report data --json` says of a data dir; a failed report throws with its stderr. */
export function dataReport(dir: string): { lines: number; users: number; digest: string } {
  const r = movrec(['report', 'data', '--json', '--data-dir', dir]);
  if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Writes `lines` to `<root>/stream.lines` and ingests that file into `<root>/clean`: the state any other way of
 * reading the same lines must reach.
 */
export function cleanRun(root: string, lines: string[]): { file: string; want: ReturnType<typeof dataReport> } {
  const file = join(root, 'stream.lines');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = movrec(['ingest', '--data-dir', join(root, 'clean'), '--from-file', file]);
  if (r.status !== 0) throw new Error(`clean ingest failed: ${r.stderr}`);
  return { file, want: dataReport(join(root, 'clean')) };
}
