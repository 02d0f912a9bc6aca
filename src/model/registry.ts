// The model registry: <dataDir>/models/<id>.bin (artifact) and <id>.json
// (manifest), mirrored in the LMDB sub-db `models` when a store root is given.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { encodeArtifact, writeArtifact, type ModelParts } from './artifact';
import { Errors } from '../errors';
import { DB } from '../store/tables';

export interface DataSummary {
  from: number;
  to: number;
  hash: string;
  ratings: number;
  watches: number;
  users: number;
  items: number;
  /**
   * The training events, kept as a file under <dataDir>/snapshots (absent for models trained before snapshots were
   * kept).
   */
  snapshot?: { file: string; sha256: string; bytes: number };
}

/** What the release side did with a model, oldest first (`movrec models ls` shows it). */
export interface HistoryEntry {
  /** ISO time. */
  at: string;
  event: 'approved' | 'rejected' | 'canaried' | 'promoted' | 'rolled-back';
  reason: string;
}

export interface Manifest {
  id: string;
  kind: string;
  created: string;
  approved: boolean;
  /** notes: what the gate could not check, and why (see runGate). */
  gate: { passed: boolean; reasons: string[]; notes?: string[] };
  artifact: string;
  sha256: string;
  data: DataSummary;
  codeVersion: string;
  hyperparameters: Record<string, unknown>;
  /**
   * The training request's settings (TrainSettings in src/train/train.ts): what `movrec train --reproduce` runs again.
   */
  settings?: Record<string, unknown>;
  /** Kernel, Node version, CPU: what else can change the bytes (train/build-environment.ts). */
  build?: Record<string, string>;
  metrics: Record<string, unknown>;
  trainSeconds: number;
  peakRssBytes: number;
  history?: HistoryEntry[];
}

export function modelsDir(dataDir: string): string {
  return join(dataDir, 'models');
}

export function artifactPath(dataDir: string, id: string): string {
  return join(modelsDir(dataDir), `${id}.bin`);
}

export function manifestPath(dataDir: string, id: string): string {
  return join(modelsDir(dataDir), `${id}.json`);
}

/** `<kind>-YYYYMMDDTHHMMSSZ-<6 hex>`: sorts by time, unique within a second. */
export function newModelId(kind: string, now: Date = new Date()): string {
  const ts = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${kind}-${ts}-${randomBytes(3).toString('hex')}`;
}

/** Every manifest in the models directory, newest first; unreadable files are skipped with no throw. */
export function listManifests(dataDir: string): Manifest[] {
  let names: string[];
  try {
    names = readdirSync(modelsDir(dataDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Manifest[] = [];
  for (const n of names) {
    try {
      const m = JSON.parse(readFileSync(join(modelsDir(dataDir), n), 'utf8')) as Manifest;
      if (typeof m.id === 'string' && typeof m.created === 'string') out.push(m);
    } catch {
      // a manifest being written elsewhere or damaged: not a model we can list
    }
  }
  return out.sort((a, b) => (a.created === b.created ? (a.id < b.id ? 1 : -1) : a.created < b.created ? 1 : -1));
}

/** True once the release guard (or an operator) rolled the model back: it is not offered again by reload. */
export function wasRolledBack(m: Manifest): boolean {
  return m.history?.some((h) => h.event === 'rolled-back') === true;
}

export function newestApproved(dataDir: string): Manifest | undefined {
  return listManifests(dataDir).find((m) => m.approved === true && !wasRolledBack(m));
}

const ID_SHAPE = /^[a-z][a-z-]*-\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function readManifest(dataDir: string, id: string): Manifest {
  // The id becomes a file name: anything not shaped like an id is simply not a model.
  if (!ID_SHAPE.test(id)) throw Errors.modelNotFound(id.slice(0, 80));
  try {
    return JSON.parse(readFileSync(manifestPath(dataDir, id), 'utf8')) as Manifest;
  } catch {
    throw Errors.modelNotFound(id);
  }
}

/**
 * Writes the artifact, then the manifest (sha256 of the artifact file filled
 * in), each atomically; mirrors the manifest into LMDB when a root is given.
 * The manifest is written last so a listed model always has its artifact.
 */
export function registerModel(
  dataDir: string,
  parts: ModelParts,
  manifest: Omit<Manifest, 'artifact' | 'sha256' | 'id' | 'kind'>,
  root?: RootDatabase,
  /** The parts already encoded (encodeArtifact), when the caller has them. */
  encoded: Uint8Array = encodeArtifact(parts),
): Manifest {
  mkdirSync(modelsDir(dataDir), { recursive: true });
  const bin = artifactPath(dataDir, parts.id);
  writeArtifact(bin, encoded);
  const sha256 = createHash('sha256').update(encoded).digest('hex');
  const full: Manifest = { id: parts.id, kind: parts.kind, ...manifest, artifact: `${parts.id}.bin`, sha256 };
  writeManifest(dataDir, full);
  if (root) root.openDB<Manifest, string>({ name: DB.models }).putSync(full.id, full);
  return full;
}

function writeManifest(dataDir: string, m: Manifest): void {
  const file = manifestPath(dataDir, m.id);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The LMDB mirror of the manifests (sub-db `models`), opened once by a long-lived caller: opening takes the lock. */
export function modelsMirror(root: RootDatabase): Database<Manifest, string> {
  return root.openDB<Manifest, string>({ name: DB.models });
}

/**
 * Appends an event to a model's manifest history (rewritten atomically, and
 * mirrored into LMDB when the mirror is given). The release controller writes
 * it, one event at a time, on the main thread: the mirror is an async put
 * (a sync one waits out any other process's write transaction, a retrain's
 * included); training's gate verdict is the first entry, written with the
 * manifest (registerModel).
 */
export async function appendHistory(
  dataDir: string,
  id: string,
  entry: Omit<HistoryEntry, 'at'> & { at?: string },
  mirror?: Database<Manifest, string>,
): Promise<Manifest> {
  const m = readManifest(dataDir, id);
  m.history = [
    ...(m.history ?? []),
    { at: entry.at ?? new Date().toISOString(), event: entry.event, reason: entry.reason },
  ];
  writeManifest(dataDir, m);
  if (mirror) await mirror.put(m.id, m);
  return m;
}

/**
 * Removes a model: its manifest first (so it is no longer listed), then its
 * artifact, and its LMDB mirror when a root is given. Its training snapshot
 * is the caller's to prune (train/model-retention.ts), as others may share it.
 */
export function removeModel(dataDir: string, id: string, root?: RootDatabase): void {
  readManifest(dataDir, id);
  rmSync(manifestPath(dataDir, id), { force: true });
  rmSync(artifactPath(dataDir, id), { force: true });
  if (root) root.openDB<Manifest, string>({ name: DB.models }).removeSync(id);
}
