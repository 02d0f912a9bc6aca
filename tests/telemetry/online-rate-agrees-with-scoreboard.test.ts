// The server's own watch-from-list rate, from the online join over the
// stream its simulator writes, against the simulator's scoreboard (which
// knows which lists users chose from): within one percentage point.
import t from 'tap';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { appendSink } from '../../src/demo/append-sink';
import { fileSource } from '../../src/ingest/source-file';
import { logger } from '../../src/log';
import { startService } from '../../src/serve/service';
import { createWorld, drive } from '../../src/sim';
import { seedStore } from '../../src/sim/seed-store';

t.test("the join's watch-from-list rate agrees with the simulator's scoreboard within 1 point", async (t) => {
  const dataDir = t.testdir();
  const world = createWorld({ seed: 11, users: 1500, movies: 400 });
  const config = loadConfig({
    env: {},
    overrides: { dataDir, 'serve.host': '127.0.0.1', 'serve.port': 0, 'serve.threads': 1, 'log.level': 'warn' },
  });
  const { simNow, trained } = await seedStore(world, {
    config,
    lines: 600_000,
    historyFile: join(dataDir, 'history.log'),
    target: 'http://127.0.0.1:8082',
  });
  t.ok(trained.manifest.approved, `a model to serve (${trained.manifest.gate.reasons.join('; ')})`);

  const liveFile = join(dataDir, 'live.log');
  appendFileSync(liveFile, '');
  const service = await startService({
    config,
    source: fileSource({ path: liveFile, follow: true, batchLines: 5_000 }),
    log: logger(),
  });
  t.teardown(() => service.stop());
  const board = await drive(world, {
    target: `http://127.0.0.1:${service.port}`,
    out: appendSink(liveFile),
    start: simNow,
    seed: 12,
    maxRequests: 3000,
    concurrency: 16,
    oracleSample: 0,
  });
  // The stream goes on past the last window: one later line moves its clock (the join counts closed windows only).
  const lines = readFileSync(liveFile, 'utf8').trimEnd().split('\n');
  const last = Date.parse(`${lines[lines.length - 1]!.split(',')[0]}Z`);
  appendFileSync(liveFile, `${new Date(last + 3 * 3_600_000).toISOString().replace('Z', '')},1,GET /create_account\n`);
  const join_ = service.outcomes;
  for (let i = 0; i < 600 && (join_.clock() < last + 3 * 3_600_000 || join_.pending() > 0); i++)
    await new Promise((r) => setTimeout(r, 100));
  t.equal(join_.pending(), 0, 'every window closed');

  const stable = join_.arm('stable');
  t.ok(stable, 'answers were attributed to the stable arm');
  let answers = 0;
  let hits = 0;
  for (const o of stable!.perUser.values()) {
    answers += o.answers;
    hits += o.hits;
  }
  const unmatched = join_.arm('none');
  let unmatchedN = 0;
  for (const o of unmatched?.perUser.values() ?? []) unmatchedN += o.answers;
  t.ok(
    answers >= 0.98 * board.lists,
    `the join saw the lists (${answers} matched, ${unmatchedN} unmatched, the simulator ${board.lists})`,
  );
  const rate = hits / answers;
  t.comment(
    `join: ${hits}/${answers} = ${(100 * rate).toFixed(2)}%; scoreboard: ` +
      `${board.listsWatchedFrom}/${board.lists} = ${(100 * board.watchShare).toFixed(2)}%`,
  );
  t.ok(Math.abs(rate - board.watchShare) <= 0.01, 'within 1 percentage point');
});
