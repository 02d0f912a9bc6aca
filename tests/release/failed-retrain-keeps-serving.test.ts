// A training child that dies (here SIGKILL, as the OOM killer would) is logged
// and counted as failed, and the next period retries; a model the gate
// rejects is counted and never served. The first model keeps answering
// throughout, with no failed request.
import t from 'tap';
import { existsSync } from 'node:fs';
import { configFile, ratedStore } from '../helpers/rated-store';
import { movrec } from '../helpers/cli';
import { call } from '../http/harness';
import { eventually, spawnServe } from '../serve/spawn-serve';
import type { Manifest } from '../../src/model/registry';

t.test('a killed retrain is retried; a rejected one is not served', async (t) => {
  const dir = t.testdir();
  const dataDir = await ratedStore(dir, 12000);
  const open = configFile(dir, 'open', { gate: { maxRmse: 100, ndcgTolerance: 1 } });
  const tr = movrec(['train', '--data-dir', dataDir, '--json', '--kinds', 'segment-popularity', '--config', open]);
  const initial = JSON.parse(tr.stdout) as Manifest;
  t.equal(initial.approved, true, initial.gate.reasons.join('; '));

  // No ingest source: the time schedule runs whether or not lines arrived. maxRmse 0 rejects every candidate.
  const cfg = configFile(dir, 'cfg', { retrain: { everyMinutes: 0.02 }, gate: { maxRmse: 0, ndcgTolerance: 1 } });
  const s = await spawnServe(t, dataDir, ['--config', cfg]);
  const failures: string[] = [];
  const models = new Set<string>();
  let stop = false;
  const client = (async () => {
    for (let n = 0; !stop; n++) {
      const r = await call(`${s.base}/recommend/${1 + (n % 200)}`).catch((e: unknown) => ({
        status: 0,
        body: String(e),
        headers: new Headers(),
      }));
      if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      models.add(r.headers.get('x-model-id') ?? '-');
    }
  })();
  const starts = () => s.logs().filter((r) => r.msg === 'retrain: training child started');

  const first = await eventually(() => starts()[0], 400);
  t.ok(first, 'a retrain started on schedule');
  process.kill(first!.pid as number, 'SIGKILL');
  const failed = await eventually(() => s.logs().find((r) => String(r.msg).startsWith('retrain failed')), 400);
  t.match(failed, { why: /killed by SIGKILL/ }, 'the failure is logged with its cause');
  const rejected = await eventually(
    () => s.logs().find((r) => r.msg === 'retrain: gate rejected the model; not served'),
    1200,
  );
  t.ok(starts().length >= 2, 'the next period trained again');
  t.match(rejected, { reasons: [/RMSE .* exceeds gate.maxRmse 0/] }, 'the rejection is logged with the gate reason');
  const metrics = (await call(`${s.base}/metrics`)).body;
  t.match(metrics, /movrec_retrain_runs_total\{outcome="failed"\} [1-9]/);
  t.match(metrics, /movrec_retrain_runs_total\{outcome="rejected"\} [1-9]/);
  t.notMatch(metrics, /movrec_retrain_runs_total\{outcome="approved"\} [1-9]/);
  stop = true;
  await client;
  t.same([...models], [initial.id], 'only the first model ever answered');
  t.same(failures, [], '0 failed requests');

  // A stop ends the training child too, if one runs: no trainer outlives its server.
  const last = starts().at(-1)!.pid as number;
  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
  // Checked at once: the stop waited for the child's exit before the server exited.
  t.notOk(existsSync(`/proc/${last}`), `the last training child (pid ${last}) is gone`);
});
