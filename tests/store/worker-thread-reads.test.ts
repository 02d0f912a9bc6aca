// A worker thread opens the same environment read-only and sees a user's
// history that the main thread wrote (serving reads inside its workers).
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';

const BUILT = join(__dirname, '..', '..', 'dist', 'src', 'store', 'store.js');

t.test('a worker reads what the main thread committed', async (t) => {
  const dir = t.testdir();
  const s = openStore(dir);
  t.teardown(() => s.close());
  const tb = storeTables(s);
  await tb.root.transaction(() => {
    tb.watches.put([42, 'aliens+1986'], [1, 2, 3, new Uint8Array([15])]);
    tb.ratings.put([42, 'heat+1995'], [4, 5, [5, 4]]);
    addSeen(tb, 42, ['aliens+1986', 'heat+1995']);
    tb.catalogUsers.put(42, { known: true, record: { age: 16, gender: 'F', occupation: 'K-12 student' }, fetched: 1 });
  });
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { openStore } = require(workerData.built);
    const s = openStore(workerData.dir, { readOnly: true });
    parentPort.postMessage({ seen: s.seenMovies(42).sort(), info: s.userInfo(42) });
    s.close();`;
  const w = new Worker(code, { eval: true, workerData: { built: BUILT, dir } });
  t.teardown(() => w.terminate());
  const msg = await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  t.same(msg, { seen: ['aliens+1986', 'heat+1995'], info: { age: 16, gender: 'F', occupation: 'K-12 student' } });
});
