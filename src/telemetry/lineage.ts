// `movrec models ls` with lineage: each model's lifecycle as the registry
// records it (the manifest's optional `history`: approved, canaried, promoted,
// rolled back, with reasons) beside its online figures from the join.
import type { Manifest } from '../model/registry';
import { lifecycle, type LifecycleEvent } from './explain';

export interface ModelOnline {
  lists: number;
  rate: number;
}

export interface ModelLineage extends Manifest {
  lifecycle: LifecycleEvent[];
  online: ModelOnline | null;
}

export function lineageOf(ms: Manifest[], online: ReadonlyMap<string, ModelOnline>): ModelLineage[] {
  return ms.map((m) => ({ ...m, lifecycle: lifecycle(m), online: online.get(m.id) ?? null }));
}

const fmt = (x: unknown, digits = 4): string => (typeof x === 'number' ? x.toFixed(digits) : '-');

/** The events in order, each with its reason: `canaried; rolled back (p99 2x stable)`. */
function events(l: LifecycleEvent[]): string {
  return l.length === 0 ? '-' : l.map((e) => (e.reason ? `${e.event} (${e.reason})` : e.event)).join('; ');
}

export function formatLineage(ls: ModelLineage[]): string {
  if (ls.length === 0) return 'no models registered';
  const rows = ls.map((m) => [
    m.id,
    m.kind,
    m.created,
    m.approved ? 'approved' : 'rejected',
    fmt(m.metrics.rmse),
    fmt(m.metrics.ndcg20),
    m.online ? `${(100 * m.online.rate).toFixed(1)}% of ${m.online.lists}` : '-',
    events(m.lifecycle),
    m.gate.reasons.join('; '),
  ]);
  const head = ['ID', 'KIND', 'CREATED', 'STATUS', 'RMSE', 'NDCG@20', 'WATCH-FROM-LIST', 'LIFECYCLE', 'GATE'];
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((x, c) => (c === r.length - 1 ? x : x.padEnd(width[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
