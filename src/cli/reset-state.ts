// --reset: wipes a data directory's store and models (what another stream left
// there), and says so, before a writer starts afresh.
import { existsSync, rmSync } from 'node:fs';
import type { Logger } from '../log';
import { modelsDir } from '../model/registry';
import { lmdbPath } from '../store/store';
import type { OptionSpec } from './command';

export const RESET_OPTION: Record<string, OptionSpec> = {
  reset: {
    type: 'boolean',
    description: 'wipe the store and models under --data-dir first (e.g. to switch to another topic or world)',
  },
};

export function resetState(dataDir: string, log: Logger): void {
  const wiped = [lmdbPath(dataDir), modelsDir(dataDir)].filter((p) => existsSync(p));
  for (const p of wiped) rmSync(p, { recursive: true, force: true });
  log.warn({ dataDir, wiped }, `--reset: wiped the store and models under ${dataDir}`);
}
