// `npm start` is the demo: on a small world it must ingest, train an approved
// model, serve over real HTTP, answer the simulator, and retrain through the
// retrain scheduler of `movrec serve`: an approved model goes to canary.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

t.test('the demo ingests, trains, serves the simulator and retrains', async (t) => {
  const dir = t.testdir();
  // The training child at normal priority: under SCHED_IDLE and nice 19 a loaded machine (the suite's other files
  // running beside it) could starve it past the run's 12 s. The priorities have their own test
  // (tests/release/scheduled-retrain-swaps-model.test.ts); this one is about the loop.
  const cfg = join(dir, 'demo-config.json');
  writeFileSync(cfg, JSON.stringify({ retrain: { schedIdle: false, nice: 0 } }));
  const r = movrec(
    [
      'demo',
      '--config',
      cfg,
      '--data-dir',
      dir,
      '--port',
      '0',
      '--users',
      '1500',
      '--movies',
      '400',
      '--history',
      '600000',
      '--duration',
      '12',
      '--retrain-every',
      '4',
      '--rate',
      '5000',
    ],
    { env: { MOVREC_LOG_LEVEL: 'info' } },
  );
  t.equal(r.status, 0, r.stderr.slice(-2000));
  const summary = new RegExp(
    String.raw`demo done: (\d+) requests in \d+ s \([\d.]+ req\/s\), ([\d.]+)% ok, p50 \d+ ms, p99 (\d+) ms, ` +
      String.raw`max \d+ ms, watched from ([\d.]+)% of \d+ lists \(expected [\d.]+%, oracle [\d.]+%\), ` +
      String.raw`(\d+) retrains, model (\S+)`,
  );
  const done = summary.exec(r.stdout);
  t.ok(done, 'prints the closing summary');
  if (!done) return;
  t.ok(Number(done[1]) > 0, 'the simulator made requests');
  t.ok(Number(done[2]) > 50, 'most requests were answered with 200 in the deadline');
  t.ok(Number(done[5]) >= 1, 'at least one retrain finished');
  t.not(done[6], '-', 'a model served');
  t.match(r.stdout, /^req\/s \d+ +p99 \d+ ms +ok [\d.]+% +\| total \d+ \(ok [\d.]+%\) /m, 'prints live progress lines');
  // Two streams: stdout holds only the human lines, stderr only JSON log records.
  for (const line of r.stdout.trim().split('\n'))
    t.match(line, /^(req\/s |demo done: )/, `stdout holds progress lines only: ${line.slice(0, 80)}`);
  const records = r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; approved?: boolean; modelId?: string });
  t.ok(records.length > 0, 'stderr holds the JSON log, one record per line');
  const retrained = records.filter((x) => x.msg.startsWith('demo: retrained '));
  t.ok(retrained.length >= 1, 'each retrain is reported');
  t.match(
    retrained[0]?.msg ?? '',
    new RegExp(
      String.raw`^demo: retrained \S+ \S+: RMSE [\d.-]+, NDCG@20 [\d.]+, Recall@20 [\d.]+; ` +
        String.raw`(approved: RMSE within gate\.maxRmse|refused: )`,
    ),
    'with what was trained, its gate figures and why it was approved or refused',
  );
  // The scheduler ran the training, not a loop of the demo's own, and handed the approved model to the canary.
  t.ok(
    records.some((x) => x.msg === 'retrain: training child started'),
    'the retrain scheduler started the training child',
  );
  const firstApproved = retrained.find((x) => x.approved === true);
  if (firstApproved)
    t.ok(
      records.some((x) => x.msg === 'release: model on canary' && x.modelId === firstApproved.modelId),
      `the first approved retrain (${firstApproved.modelId}) went to canary`,
    );
  t.match(r.stdout, /\| stable \S+ .*canary /, 'progress lines name the stable and canary models');
  t.ok(
    records.some((x) => /^demo: serving on http:\/\/127\.0\.0\.1:\d+\/recommend/.test(x.msg)),
    'says the address it binds: loopback',
  );
  // The last progress line: our lists' expected watch share beside the oracle's, both measured.
  const last = [...r.stdout.matchAll(/watched-from-list ([\d.]+)% +expected ([\d.]+)% vs oracle ([\d.]+)%/g)].pop();
  t.ok(last, "progress lines carry the hit rate beside the oracle's");
  if (last) {
    t.ok(Number(last[3]) > 0, `the oracle's expected share was sampled (${last[3]}%)`);
    t.ok(Number(last[3]) >= Number(last[2]), `the oracle is not beaten (${last[2]}% vs ${last[3]}%)`);
  }

  const models = join(dir, 'demo', 'run', 'models');
  t.notOk(existsSync(join(dir, 'lmdb')), 'the demo leaves <data-dir> itself to an operator');
  const manifests = readdirSync(models).filter((f) => f.endsWith('.json'));
  t.ok(manifests.length >= 2, 'the first model and a retrained one are registered');
  const approved = manifests
    .map((f) => JSON.parse(readFileSync(join(models, f), 'utf8')) as { approved: boolean; id: string })
    .filter((m) => m.approved);
  t.ok(
    approved.some((m) => m.id === done[6]),
    'the serving model is an approved one',
  );
});
