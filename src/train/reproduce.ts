// `movrec train --reproduce`: rebuilds a registered model from its recorded
// training snapshot, settings and seed, under its own id, and compares the
// artifact's sha256 with the one its manifest records. Nothing is registered.
import { createHash } from 'node:crypto';
import { Errors } from '../errors';
import type { EpochHook } from '../model/recommender';
import { readManifest } from '../model/registry';
import { buildEnvironment, environmentDifferences } from './build-environment';
import { buildModel, type TrainSettings } from './train';
import { readSnapshotFile } from './training-snapshot';

export interface Reproduction {
  modelId: string;
  snapshot: string;
  ratings: number;
  watches: number;
  seed: number;
  recorded: string;
  rebuilt: string;
  equal: boolean;
  /** Where this machine differs from the one the model was built on: a digest may differ for that reason alone. */
  environment: string[];
  seconds: number;
}

export function reproduceModel(dataDir: string, modelId: string, onEpoch?: EpochHook): Reproduction {
  const started = process.hrtime.bigint();
  const m = readManifest(dataDir, modelId);
  const snap = m.data.snapshot;
  if (!snap) throw Errors.snapshotMissing(`of model ${modelId} (trained before snapshots were kept)`);
  const settings = m.settings as TrainSettings | undefined;
  if (!settings) throw Errors.snapshotMissing(`settings of model ${modelId} (trained before they were recorded)`);
  const ds = readSnapshotFile(dataDir, snap);
  // The rows' content hash is the one the manifest was trained on: a file swapped whole for another window is refused
  // too.
  if (ds.meta.hash !== m.data.hash)
    throw Errors.snapshotChecksum(
      snap.file,
      `holds data ${ds.meta.hash}, model ${modelId} was trained on ${m.data.hash}`,
    );
  const built = buildModel(ds, settings, () => m.id, onEpoch);
  const rebuilt = createHash('sha256').update(built.encoded).digest('hex');
  return {
    modelId: m.id,
    snapshot: snap.file,
    ratings: ds.ratings.value.length,
    watches: ds.watches.fraction.length,
    seed: settings.train.seed,
    recorded: m.sha256,
    rebuilt,
    equal: rebuilt === m.sha256,
    environment: environmentDifferences(m.build, buildEnvironment()),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

export function formatReproduction(r: Reproduction): string {
  const head =
    `model ${r.modelId}: rebuilt from snapshot ${r.snapshot} (${r.ratings} ratings, ` +
    `${r.watches} watches, seed ${r.seed}) in ${r.seconds.toFixed(1)} s`;
  const verdict = r.equal
    ? `artifact sha256 ${r.rebuilt} equals the recorded one: reproduced`
    : `artifact sha256 ${r.rebuilt} differs from the recorded ${r.recorded}: NOT reproduced`;
  const env = !r.equal && r.environment.length > 0 ? `\nbuilt elsewhere: ${r.environment.join('; ')}` : '';
  return `${head}\n${verdict}${env}`;
}
