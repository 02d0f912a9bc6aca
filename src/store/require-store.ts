// Read commands on a data directory that holds nothing: a clear refusal (exit
// 2) naming the directory, instead of an empty store created by the reading.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors';
import { lmdbPath } from './store';

/** Whether `dataDir` holds an LMDB store (its data file, not merely the folder). */
export function storeExists(dataDir: string): boolean {
  return existsSync(join(lmdbPath(dataDir), 'data.mdb'));
}

/** Throws MOVREC_ERR_STORE_MISSING unless `dataDir` holds a store (or, with `orModels`, a models folder). */
export function requireStore(dataDir: string, opts: { orModels?: boolean } = {}): void {
  if (storeExists(dataDir)) return;
  if (opts.orModels && existsSync(join(dataDir, 'models'))) return;
  throw Errors.storeMissing(dataDir);
}
