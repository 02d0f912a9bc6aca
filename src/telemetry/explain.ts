// `movrec explain REQUEST_ID`: one answer's provenance: what was served to
// whom and when, by which model and arm, that model's manifest (data window
// and hash, code version, hyperparameters, offline metrics, gate, lifecycle),
// and what the user did next with the listed titles.
import type { RootDatabase } from 'lmdb';
import { Errors } from '../errors';
import { readManifest, type Manifest } from '../model/registry';
import { DB, openTables, type RequestKey } from '../store/tables';
import { findAnswer, type StoredAnswer } from './answer-log';
import type { OnlineRow } from './online-join';

export interface NextWatch {
  movie: string;
  /** Position in the list, from 1. */
  position: number;
  first: string;
  last: string;
  furthestMinute: number;
}

export interface NextRating {
  movie: string;
  position: number;
  at: string;
  rating: number;
}

export interface Explanation {
  answer: Omit<StoredAnswer, 't'> & { at: string };
  manifest: Manifest | null;
  /**
   * Watches of listed titles that went on at or after the answer, and ratings given after it (the store's state now).
   */
  next: { watches: NextWatch[]; ratings: NextRating[] };
  /** The join's verdict on the stream's request line matched to this answer, once its window closed. */
  joined: { at: string; clientLatencyMs: number; firstStartedPosition: number; anyListedStarted: boolean } | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** Event time and wall time agree live; look this far either side of the answer for its joined row. */
const JOINED_SLACK_MS = 86_400_000;

export function explain(root: RootDatabase, dataDir: string, requestId: string): Explanation {
  const a = findAnswer(root, requestId);
  if (!a) throw Errors.answerNotFound(requestId.slice(0, 80));
  let manifest: Manifest | null = null;
  try {
    manifest = readManifest(dataDir, a.model);
  } catch {
    manifest = null;
  }
  const { watches, ratings } = openTables(root);
  const next: Explanation['next'] = { watches: [], ratings: [] };
  a.items.forEach((movie, i) => {
    const w = watches.get([a.user, movie]);
    if (w && w[1] >= a.t)
      next.watches.push({ movie, position: i + 1, first: iso(w[0]), last: iso(w[1]), furthestMinute: w[2] });
    const r = ratings.get([a.user, movie]);
    if (r)
      for (let k = 0; k < r[2].length; k += 2)
        if (r[2][k]! >= a.t) next.ratings.push({ movie, position: i + 1, at: iso(r[2][k]!), rating: r[2][k + 1]! });
  });
  let joined: Explanation['joined'] = null;
  const online = root.openDB<OnlineRow, RequestKey>({ name: DB.online });
  for (const { key, value } of online.getRange({ start: [a.t - JOINED_SLACK_MS], end: [a.t + JOINED_SLACK_MS] })) {
    if (value[4] !== requestId) continue;
    joined = {
      at: iso(key[0]),
      clientLatencyMs: value[1],
      firstStartedPosition: value[6],
      anyListedStarted: value[10] === 1,
    };
    break;
  }
  const { t, ...rest } = a;
  return { answer: { ...rest, at: iso(t) }, manifest, next, joined };
}

export function formatExplanation(e: Explanation): string {
  const a = e.answer;
  const m = e.manifest;
  const lines = [
    `request ${a.requestId} at ${a.at}: user ${a.user}, ${a.source} answer in ${a.ms.toFixed(1)} ms`,
    `model ${a.model} (generation ${a.generation}), arm ${a.arm}`,
    `served: ${a.items.join(', ')}`,
  ];
  if (m) {
    lines.push(
      `manifest: ${m.kind}, created ${m.created}, ${m.approved ? 'approved' : 'rejected'}; code ${m.codeVersion}`,
      `  data ${iso(m.data.from)} .. ${iso(m.data.to)}, hash ${m.data.hash}, ${m.data.ratings} ` +
        `ratings, ${m.data.watches} watches, ${m.data.users} users x ${m.data.items} items`,
      `  hyperparameters ${JSON.stringify(m.hyperparameters)}`,
      `  offline metrics ${JSON.stringify(m.metrics)}`,
      `  gate ${m.gate.passed ? 'passed' : 'failed'}${m.gate.reasons.length ? `: ${m.gate.reasons.join('; ')}` : ''}` +
        (m.gate.notes?.length ? ` (${m.gate.notes.join('; ')})` : ''),
    );
    const snap = m.data.snapshot;
    if (snap) lines.push(`  training events ${snap.file} (sha256 ${snap.sha256}, ${snap.bytes} bytes)`);
    for (const h of lifecycle(m)) lines.push(`  ${h.at} ${h.event}${h.reason ? `: ${h.reason}` : ''}`);
  } else lines.push(`manifest: not in the registry (model ${a.model || '-'})`);
  if (e.joined)
    lines.push(
      `joined at ${e.joined.at}: client saw ${e.joined.clientLatencyMs} ms; first title started ${
        e.joined.firstStartedPosition > 0 ? `was #${e.joined.firstStartedPosition} of the list` : 'was not listed'
      }${e.joined.anyListedStarted ? '; a listed title was started within the window' : ''}`,
    );
  else lines.push('joined: no request line of the stream matched yet (or its window is still open)');
  if (e.next.watches.length === 0 && e.next.ratings.length === 0) lines.push('next: no listed title watched or rated');
  for (const w of e.next.watches)
    lines.push(`next: watched #${w.position} ${w.movie} ${w.first} .. ${w.last} (to minute ${w.furthestMinute})`);
  for (const r of e.next.ratings) lines.push(`next: rated #${r.position} ${r.movie} ${r.rating} at ${r.at}`);
  return lines.join('\n');
}

/** A lifecycle event in a manifest's optional `history` (written by the release side). */
export interface LifecycleEvent {
  at: string;
  event: string;
  reason?: string;
}

/** The manifest's `history`, when it has one: approved, canaried, promoted, rolled back, with reasons. */
export function lifecycle(m: Manifest): LifecycleEvent[] {
  const h: unknown = m.history;
  if (!Array.isArray(h)) return [];
  return h.filter(
    (x): x is LifecycleEvent =>
      typeof x === 'object' && x !== null && typeof x.at === 'string' && typeof x.event === 'string',
  );
}
