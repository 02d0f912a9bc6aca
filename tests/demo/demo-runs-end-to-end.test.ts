// `npm start` is the demo: on a small world it must ingest, train an approved
// model, serve over real HTTP, answer the simulator, retrain and hot-swap.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

t.test('the demo ingests, trains, serves the simulator and retrains', async (t) => {
  const dir = t.testdir();
  const r = movrec([
    'demo',
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
  ]);
  t.equal(r.status, 0, r.stderr.slice(-2000));
  const summary = new RegExp(
    String.raw`demo done: (\d+) requests, ([\d.]+)% ok, p99 (\d+) ms, ` +
      String.raw`watched from ([\d.]+)% of lists, (\d+) retrains, model (\S+)`,
  );
  const done = summary.exec(r.stdout);
  t.ok(done, 'prints the closing summary');
  if (!done) return;
  t.ok(Number(done[1]) > 0, 'the simulator made requests');
  t.ok(Number(done[2]) > 50, 'most requests were answered with 200 in the deadline');
  t.ok(Number(done[5]) >= 1, 'at least one retrain finished');
  t.not(done[6], '-', 'a model served');
  t.match(r.stdout, /^req\/s \d+ +p99 \d+ ms +ok [\d.]+% /m, 'prints live progress lines');
  // The last progress line: our lists' expected watch share beside the oracle's, both measured.
  const last = [...r.stdout.matchAll(/watched-from-list ([\d.]+)% +expected ([\d.]+)% vs oracle ([\d.]+)%/g)].pop();
  t.ok(last, "progress lines carry the hit rate beside the oracle's");
  if (last) {
    t.ok(Number(last[3]) > 0, `the oracle's expected share was sampled (${last[3]}%)`);
    t.ok(Number(last[3]) >= Number(last[2]), `the oracle is not beaten (${last[2]}% vs ${last[3]}%)`);
  }

  const manifests = readdirSync(join(dir, 'models')).filter((f) => f.endsWith('.json'));
  t.ok(manifests.length >= 2, 'the first model and a retrained one are registered');
  const approved = manifests
    .map((f) => JSON.parse(readFileSync(join(dir, 'models', f), 'utf8')) as { approved: boolean; id: string })
    .filter((m) => m.approved);
  t.ok(
    approved.some((m) => m.id === done[6]),
    'the serving model is an approved one',
  );
});
