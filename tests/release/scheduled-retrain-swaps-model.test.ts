// `movrec serve` with retrain.everyEvents retrains by itself while it ingests:
// the training child runs under SCHED_IDLE at nice 19 (every thread of it),
// its model passes the gates, is handed to the hot swap, and clients see the
// new X-Model-Id with no failed request on the way.
import t from 'tap';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyLines, withRatings } from '../helpers/ingest-lines';
import { movrec } from '../helpers/cli';
import { call } from '../http/harness';
import { eventually, spawnServe } from '../serve/spawn-serve';
import type { Manifest } from '../../src/model/registry';
import { listManifests } from '../../src/model/registry';

/** [nice, scheduling policy] of every thread of a process (proc(5): fields 19 and 41). */
function threadPriorities(pid: number): [number, number][] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[16]), Number(fields[38])];
  });
}

t.test('a scheduled retrain while ingesting: new model served, 0 failed requests', async (t) => {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const lines = withRatings(await historyLines(26000, { users: 300, movies: 150, spuriousRate: 0 }));
  const first = join(dir, 'first.txt');
  writeFileSync(first, `${lines.slice(0, 20000).join('\n')}\n`);
  t.equal(movrec(['ingest', '--from-file', first, '--data-dir', dataDir]).status, 0);
  // The gate is opened wide: this test is about the schedule and the hand-off, the gate has its own tests.
  const cfg = join(dir, 'cfg.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      retrain: { everyEvents: 3000, nice: 19, schedIdle: true },
      gate: { maxRmse: 100, ndcgTolerance: 1 },
    }),
  );
  const tr = movrec(['train', '--data-dir', dataDir, '--json', '--kinds', 'segment-popularity', '--config', cfg]);
  t.equal(tr.status, 0, tr.stderr);
  const initial = JSON.parse(tr.stdout) as Manifest;
  t.equal(initial.approved, true, initial.gate.reasons.join('; '));

  const live = join(dir, 'live.txt');
  writeFileSync(live, '');
  const s = await spawnServe(t, dataDir, ['--config', cfg, '--from-file', live, '--follow']);

  const seen = new Map<string, number>();
  const failures: string[] = [];
  let stop = false;
  const client = (async () => {
    for (let n = 0; !stop; n++) {
      try {
        const r = await call(`${s.base}/recommend/${1 + (n % 300)}`);
        if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 80)}`);
        const id = r.headers.get('x-model-id') ?? '-';
        seen.set(id, (seen.get(id) ?? 0) + 1);
      } catch (e) {
        failures.push(String(e));
      }
    }
  })();

  // The stream goes on: 6,000 more lines, past retrain.everyEvents.
  for (let i = 20000; i < 26000; i += 500) {
    appendFileSync(live, `${lines.slice(i, i + 500).join('\n')}\n`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const started = await eventually(() => s.logs().find((r) => r.msg === 'retrain: training child started'), 1200);
  t.ok(started, 'a retrain started by itself');
  const pid = started?.pid as number;
  // Once node runs in the child (several threads), not while the priority wrappers exec it.
  const prio = await eventually(() => {
    try {
      const p = threadPriorities(pid);
      return p.length >= 4 ? p : undefined;
    } catch {
      return [];
    }
  }, 200);
  if (prio && prio.length > 0)
    t.ok(
      prio.every(([nice, policy]) => nice === 19 && policy === 5),
      `every thread of the trainer at nice 19 under SCHED_IDLE (${JSON.stringify(prio)})`,
    );

  const swapped = await eventually(
    () => [...seen.keys()].find((id) => id !== initial.id && id !== '-' && id !== 'none'),
    2400,
  );
  stop = true;
  await client;
  t.ok(swapped, `clients saw a new model (${JSON.stringify([...seen])})`);
  const m = listManifests(dataDir).find((x) => x.id === swapped);
  t.equal(m?.approved, true, 'the served model is a registered, approved one');
  t.ok(m?.data.watches && m.data.watches > initial.data.watches, 'trained on the events ingested since');
  t.same(failures, [], '0 failed requests');
  t.ok((seen.get(initial.id) ?? 0) > 0, 'the initial model answered before the swap');

  const passed = s.logs().find((r) => r.msg === 'retrain: gates passed; handing the model on');
  t.equal(passed?.modelId, swapped, 'the log names the model');
  t.match(passed, { gate: { ndcg20: Number }, data: { ratings: Number, watches: Number } }, 'with its gate figures');
  const metrics = (await call(`${s.base}/metrics`)).body;
  t.match(metrics, /movrec_retrain_runs_total\{outcome="approved"\} [1-9]/);
  t.match(metrics, new RegExp(`movrec_retrain_last_model_info\\{model="${swapped}",outcome="approved"\\} 1`));
  t.match(metrics, /movrec_retrain_last_duration_seconds [0-9.]+/);

  s.child.kill('SIGTERM');
  t.same(await s.exited, { code: 0, signal: null });
});
