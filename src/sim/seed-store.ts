// A store seeded from a simulated world: its past stream written to a file, ingested the way
// `movrec ingest --from-file` ingests it, and a first model trained on it.
import type { Config } from '../config/load';
import { type IngestStats, startIngest } from '../ingest/loop';
import { fileSource } from '../ingest/source-file';
import { broughtIdentity } from '../ingest/source-identity';
import { claimIdentity } from '../store/identity';
import { openStore } from '../store/store';
import { type TrainOutcome, type TrainRequest, trainAndRegister } from '../train/train';
import { writeHistory } from './history';
import type { World } from './world';

/** Where seeding has got to: the first run of a large world takes minutes. */
export type SeedStep = { kind: 'written'; lines: number; file: string } | { kind: 'ingested'; stats: IngestStats };

export interface SeedOptions {
  /** The store is `config.dataDir`; the catalog it fetches from and waits for is `config.catalog`. */
  config: Readonly<Config>;
  lines: number;
  historyFile: string;
  /** The service the history's request lines name. */
  target: string;
  /** The first model's candidates (default: every servable kind, with blends). */
  train?: Pick<TrainRequest, 'kinds' | 'blends'>;
  onStep?(step: SeedStep): void;
}

export interface Seeded {
  /** The simulated clock where the history ends: live driving goes on from there. */
  simNow: number;
  trained: TrainOutcome;
}

export async function seedStore(world: World, o: SeedOptions): Promise<Seeded> {
  const { config } = o;
  const dataDir = config.dataDir;
  const hist = await writeHistory(world, { lines: o.lines, out: o.historyFile, target: o.target });
  o.onStep?.({ kind: 'written', lines: hist.lines, file: o.historyFile });
  const store = openStore(dataDir);
  try {
    await claimIdentity(store, dataDir, await broughtIdentity(config, false));
    const ingest = startIngest({
      config,
      store,
      source: fileSource({ path: o.historyFile, batchLines: config.ingest.batchLines }),
      waitForCatalog: true,
    });
    await ingest.done;
    o.onStep?.({ kind: 'ingested', stats: ingest.stats() });
    const trained = trainAndRegister({
      dataDir,
      config,
      dataset: store.readSnapshot({ ratingMax: config.ingest.ratingMax }),
      root: store.root,
      ...o.train,
    });
    return { simNow: hist.behaviour.now(), trained };
  } finally {
    await store.close();
  }
}
