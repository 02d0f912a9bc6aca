// When storage falls behind (here: another process holds LMDB's write lock),
// the loop stops taking lines from the source instead of buffering them, and
// catches up once storage is back.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { BACKPRESSURE } from '../../src/ingest/metrics';
import { fileSource } from '../../src/ingest/source-file';
import { lmdbPath, openStore } from '../../src/store/store';
import { historyLines } from '../helpers/ingest-lines';

const BATCH = 500;
const HOLD_MS = 3000;

t.test('a blocked store pauses the source', async (t) => {
  const root = t.testdir();
  const lines = await historyLines(60_000);
  const file = join(root, 'stream.lines');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const dataDir = join(root, 'data');
  const store = openStore(dataDir);
  t.teardown(() => store.close());

  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const { open } = require('lmdb'); const fs = require('node:fs');
       const db = open({ path: process.argv[1], maxDbs: 64 });
       const hold = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
       db.transactionSync(() => { fs.writeSync(1, 'locked\\n'); hold(); });
       db.close();`,
      lmdbPath(dataDir),
      String(HOLD_MS),
    ],
    { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise<void>((resolve) =>
    holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()),
  );

  const waitsBefore = (await register.getSingleMetric(BACKPRESSURE)!.get()).values[0]?.value ?? 0;
  const config = loadConfig({ env: {}, overrides: { dataDir, 'ingest.batchLines': BATCH } });
  const h = startIngest({ config, store, source: fileSource({ path: file, batchLines: BATCH }) });
  await new Promise((r) => setTimeout(r, HOLD_MS / 2));
  const during = h.stats();
  t.equal(during.linesApplied, 0, 'nothing committed while the write lock is held');
  t.ok(during.linesRead < 20 * BATCH, `the source was paused after ${during.linesRead} of ${lines.length} lines`);
  t.ok(during.queuedLines <= 9 * BATCH, `the queue stays bounded (${during.queuedLines} lines)`);
  const waits = (await register.getSingleMetric(BACKPRESSURE)!.get()).values[0]!.value;
  t.ok(waits > waitsBefore, 'the pause is counted');

  await h.done;
  t.equal(h.stats().linesApplied, lines.length, 'every line applied once storage was back');
});
