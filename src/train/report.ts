// Human-readable lines for training outcomes and the model list.
import type { Manifest } from '../model/registry';
import type { TrainOutcome } from './train';

const fmt = (x: unknown, digits = 4): string => (typeof x === 'number' ? x.toFixed(digits) : '-');

export function formatOutcome(o: TrainOutcome): string {
  const m = o.manifest;
  const lines = [
    `model ${m.id} (${m.kind}) ${m.approved ? 'APPROVED' : 'REJECTED'}`,
    ...m.gate.reasons.map((r) => `  rejected: ${r}`),
    `  data: ${m.data.users} users, ${m.data.items} items, ${m.data.ratings} ratings, ${m.data.watches} watches, hash ${m.data.hash}`,
    `  ${String(m.metrics.split)}: RMSE ${fmt(m.metrics.rmse)} (rating model ${String(m.metrics.ratingModel ?? 'mf')}, the lowest RMSE measured), NDCG@20 ${fmt(m.metrics.ndcg20)}, Recall@20 ${fmt(m.metrics.recall20)}`,
    '  candidates (time split):',
    ...o.candidates.map(
      (c) => `    ${c.kind.padEnd(36)} RMSE ${fmt(c.rmse)}  NDCG@20 ${fmt(c.ndcg20)}  Recall@20 ${fmt(c.recall20)}`,
    ),
    `  trained in ${m.trainSeconds.toFixed(1)} s, peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB, code ${m.codeVersion}`,
  ];
  return lines.join('\n');
}

export function formatManifests(ms: Manifest[]): string {
  if (ms.length === 0) return 'no models registered';
  const rows = ms.map((m) => [
    m.id,
    m.kind,
    m.created,
    m.approved ? 'approved' : 'rejected',
    fmt(m.metrics.rmse),
    fmt(m.metrics.ndcg20),
    `${m.data.users}x${m.data.items}`,
    m.gate.reasons.join('; '),
  ]);
  const head = ['ID', 'KIND', 'CREATED', 'STATUS', 'RMSE', 'NDCG@20', 'USERSxITEMS', 'GATE'];
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
