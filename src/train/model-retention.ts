// Which models and training snapshots are kept. `movrec models rm` and
// `movrec models gc` remove models; a training snapshot is kept exactly as
// long as a model that references it, so it goes with the last such model,
// and a snapshot no model references (a training that died before
// registering, a manifest deleted by hand) goes at the next clean-up.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { Errors } from '../errors';
import { type Manifest, listManifests, modelsDir, removeModel } from '../model/registry';
import { snapshotsDir } from './training-snapshot';

export interface Removal {
  /** Models removed (manifest, artifact, LMDB mirror). */
  models: string[];
  /** Snapshot files removed: the removed models' own, unless a kept model shares them, and orphans. */
  snapshots: string[];
  bytes: number;
  /** Models kept. */
  kept: number;
  /** Set when orphan snapshots were left alone, and why. */
  snapshotsKept?: string;
}

/**
 * The models `gc` removes: all but the `keep` newest, never one in `protect`
 * (the release's stable, canary and experiment arms, the model a restart would load).
 */
export function modelsPastRetention(models: readonly Manifest[], keep: number, protect: ReadonlySet<string>): string[] {
  return models
    .slice(keep)
    .filter((m) => !protect.has(m.id))
    .map((m) => m.id);
}

/** Manifest files that do not parse: their snapshots cannot be told from orphans. */
function unreadableManifests(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(modelsDir(dataDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.filter((n) => {
    try {
      const m = JSON.parse(readFileSync(join(modelsDir(dataDir), n), 'utf8')) as Manifest;
      return typeof m.id !== 'string' || typeof m.created !== 'string';
    } catch {
      return true;
    }
  });
}

/** Removes every file under <dataDir>/snapshots that no listed manifest references (half-written ones too). */
export function pruneSnapshots(dataDir: string): Pick<Removal, 'snapshots' | 'bytes' | 'snapshotsKept'> {
  const bad = unreadableManifests(dataDir);
  if (bad.length > 0)
    return {
      snapshots: [],
      bytes: 0,
      snapshotsKept: `unreadable manifest(s) ${bad.slice(0, 3).join(', ')}: their snapshots look like orphans`,
    };
  const referenced = new Set(listManifests(dataDir).flatMap((m) => (m.data.snapshot ? [m.data.snapshot.file] : [])));
  let files: string[];
  try {
    files = readdirSync(snapshotsDir(dataDir));
  } catch {
    return { snapshots: [], bytes: 0 };
  }
  const removed: string[] = [];
  let bytes = 0;
  for (const f of files) {
    if (referenced.has(f)) continue;
    const path = join(snapshotsDir(dataDir), f);
    bytes += statSync(path).size;
    rmSync(path, { force: true });
    removed.push(f);
  }
  return { snapshots: removed, bytes };
}

/**
 * Removes the models named, then every snapshot no kept model references.
 * The caller holds the training lock: no training is between writing its
 * snapshot and registering the model that references it.
 */
export function removeModels(
  dataDir: string,
  ids: readonly string[],
  protect: ReadonlySet<string>,
  root?: RootDatabase,
): Removal {
  for (const id of ids) if (protect.has(id)) throw Errors.modelInUse(id);
  for (const id of ids) removeModel(dataDir, id, root);
  const pruned = pruneSnapshots(dataDir);
  return { models: [...ids], ...pruned, kept: listManifests(dataDir).length };
}

export function formatRemoval(r: Removal): string {
  const mb = (r.bytes / 1e6).toFixed(1);
  const lines = [
    `removed ${r.models.length} model(s), ${r.snapshots.length} training snapshot(s) (${mb} MB); ` +
      `${r.kept} model(s) kept`,
    ...r.models.map((id) => `  model ${id}`),
    ...r.snapshots.map((f) => `  snapshot ${f}`),
  ];
  if (r.snapshotsKept) lines.push(`orphan snapshots left alone: ${r.snapshotsKept}`);
  return lines.join('\n');
}
