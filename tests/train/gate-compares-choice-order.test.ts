// The gate compares like with like: a model selected by the lists users chose from is held to the approved
// model's recorded choice order when that one was selected the same way, so a liking model whose NDCG@20 is
// far below a popularity blend's still passes if it orders the choices as well. A candidate selected by choices
// against an approved model selected by NDCG@20 has no figure in common with it: the gate says so and leaves the
// comparison to the canary. Two models selected by NDCG@20 are compared by it.
import t from 'tap';
import { defaults } from '../../config/defaults';
import type { Manifest } from '../../src/model/registry';
import { runGate } from '../../src/train/train';

const approved = (metrics: Record<string, unknown>): Manifest => ({ id: 'approved-1', metrics }) as unknown as Manifest;
const gate = defaults.gate;

t.test('both selected by choices: choice order decides, NDCG@20 does not', async (t) => {
  const prev = approved({ ndcg20: 0.12, choiceOrder: 0.66, selectedBy: 'choices' });
  t.equal(runGate({ rmse: 0.9, ndcg20: 0.07, choiceOrder: 0.665 }, gate, prev).passed, true, 'lower NDCG@20 passes');
  const worse = runGate({ rmse: 0.9, ndcg20: 0.2, choiceOrder: 0.6 }, gate, prev);
  t.equal(worse.passed, false, 'a worse choice order is refused');
  t.match(worse.reasons.join('; '), /choice order 0\.6000 is below approved model approved-1's 0\.6600/);
});

t.test('approved model selected by NDCG@20, candidate by choices: no common figure, said so', async (t) => {
  const prev = approved({ ndcg20: 0.12, selectedBy: 'ndcg20' });
  const r = runGate({ rmse: 0.9, ndcg20: 0.07, choiceOrder: 0.7 }, gate, prev);
  t.equal(
    r.passed,
    true,
    'not held to an NDCG@20 it was not chosen by (every later retrain would meet the same model)',
  );
  t.match(
    r.notes?.join('; ') ?? '',
    /approved model approved-1 has no choice order .* the canary compares them online/,
  );
  const bad = runGate({ rmse: 9, ndcg20: 0.07, choiceOrder: 0.7 }, { ...gate, maxRmse: 2 }, prev);
  t.equal(bad.passed, false, 'the RMSE bound still holds');
});

t.test('both selected by NDCG@20: NDCG@20 decides', async (t) => {
  const prev = approved({ ndcg20: 0.12, selectedBy: 'ndcg20' });
  const r = runGate({ rmse: 0.9, ndcg20: 0.07 }, gate, prev);
  t.equal(r.passed, false);
  t.match(r.reasons.join('; '), /NDCG@20 0\.0700 is below/);
  t.equal(r.notes, undefined);
  t.equal(runGate({ rmse: 0.9, ndcg20: 0.115 }, gate, prev).passed, true);
});
