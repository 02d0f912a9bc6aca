// What the demo says after each retrain: the model trained, its gate figures,
// and why it was approved or refused (from `movrec train --json`'s manifest).
import type { Config } from '../config/load';
import type { Manifest } from '../model/registry';

const num = (x: unknown, digits: number): string => (typeof x === 'number' ? x.toFixed(digits) : '-');

export function retrainSummary(
  m: Pick<Manifest, 'id' | 'kind' | 'approved' | 'gate' | 'metrics'>,
  gate: Readonly<Config['gate']>,
): {
  fields: Record<string, unknown>;
  text: string;
} {
  const rmse = num(m.metrics.rmse, 3);
  const ndcg = num(m.metrics.ndcg20, 3);
  const recall = num(m.metrics.recall20, 3);
  const why = m.approved
    ? `approved: RMSE within gate.maxRmse ${gate.maxRmse}, NDCG@20 not below the serving model's by more than ` +
      `${gate.ndcgTolerance}, no adult title shown to minors`
    : `refused: ${m.gate.reasons.join('; ') || 'the gate did not pass it'}`;
  return {
    fields: { modelId: m.id, kind: m.kind, approved: m.approved, rmse, ndcg20: ndcg, recall20: recall, gate: m.gate },
    text: `demo: retrained ${m.kind} ${m.id}: RMSE ${rmse}, NDCG@20 ${ndcg}, Recall@20 ${recall}; ${why}`,
  };
}
