// Human-readable lines for training outcomes (the model list with its lineage: telemetry/lineage.ts).
import type { TrainOutcome } from './train';

const fmt = (x: unknown, digits = 4): string => (typeof x === 'number' ? x.toFixed(digits) : '-');

export function formatOutcome(o: TrainOutcome): string {
  const m = o.manifest;
  const lines = [
    `model ${m.id} (${m.kind}) ${m.approved ? 'APPROVED' : 'REJECTED'}`,
    ...m.gate.reasons.map((r) => `  rejected: ${r}`),
    `  data: ${m.data.users} users, ${m.data.items} items, ${m.data.ratings} ratings, ` +
      `${m.data.watches} watches, hash ${m.data.hash}`,
    `  ${String(m.metrics.split)}: RMSE ${fmt(m.metrics.rmse)} (rating model ` +
      `${String(m.metrics.ratingModel ?? 'mf')}, the lowest RMSE measured), NDCG@20 ` +
      `${fmt(m.metrics.ndcg20)}, Recall@20 ${fmt(m.metrics.recall20)}`,
    '  candidates (time split):',
    ...o.candidates.map(
      (c) => `    ${c.kind.padEnd(36)} RMSE ${fmt(c.rmse)}  NDCG@20 ${fmt(c.ndcg20)}  Recall@20 ${fmt(c.recall20)}`,
    ),
    `  trained in ${m.trainSeconds.toFixed(1)} s, peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} ` +
      `MiB, code ${m.codeVersion}`,
  ];
  return lines.join('\n');
}
