// Runs the built `movrec` executable as a user would.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
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
