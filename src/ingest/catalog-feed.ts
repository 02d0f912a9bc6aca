// The catalog fetcher an ingest run feeds with the users and movies each commit saw first.
import type { Config } from '../config/load';
import type { Tables } from '../store/tables';
import { CatalogFetcher } from './catalog';

/** The fetcher for config.catalog, or null when no catalog is configured; ids left from the last run resume first. */
export function catalogFeed(t: Tables, config: Readonly<Config>): CatalogFetcher | null {
  if (!config.catalog.baseUrl) return null;
  const catalog = new CatalogFetcher(t, {
    baseUrl: config.catalog.baseUrl,
    ratePerSecond: config.catalog.ratePerSecond,
    retries: config.catalog.retries,
    timeoutMs: config.catalog.timeoutMs,
    bulkSize: config.catalog.bulkSize,
  });
  setImmediate(() => catalog.resumePending());
  return catalog;
}
