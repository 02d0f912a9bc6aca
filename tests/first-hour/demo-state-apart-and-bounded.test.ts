// The demo keeps its state under <data-dir>/demo, apart from an operator's
// store, and a second run reuses the ingested history instead of growing it.
import t from 'tap';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return n;
}

const ARGS = ['--port', '0', '--users', '400', '--movies', '150', '--history', '60000', '--duration', '4'];
const ARGS2 = [...ARGS, '--retrain-every', '0', '--rate', '2000'];

t.test('two demo runs: state apart under demo/, the second reuses the base and does not grow', async (t) => {
  const dir = t.testdir();
  const first = movrec(['demo', '--data-dir', dir, ...ARGS2], { env: { MOVREC_LOG_LEVEL: 'info' } });
  t.equal(first.status, 0, first.stderr.slice(-1500));
  t.ok(existsSync(join(dir, 'demo', 'run', 'lmdb')), "the run's store is under demo/run");
  t.notOk(existsSync(join(dir, 'lmdb')), 'nothing in the operator store location');
  const afterFirst = bytesUnder(join(dir, 'demo'));

  const second = movrec(['demo', '--data-dir', dir, ...ARGS2], { env: { MOVREC_LOG_LEVEL: 'info' } });
  t.equal(second.status, 0, second.stderr.slice(-1500));
  t.match(second.stderr, /demo: reusing the ingested history and first model/, 'the base is reused');
  const afterSecond = bytesUnder(join(dir, 'demo'));
  t.comment(
    `demo state: ${(afterFirst / 1e6).toFixed(1)} MB after run 1, ${(afterSecond / 1e6).toFixed(1)} MB after run 2`,
  );
  // The run's own live lines replace the last run's: within 10% of the first run's size, not double.
  t.ok(afterSecond < afterFirst * 1.1, `state stays bounded (${afterFirst} -> ${afterSecond} bytes)`);
});
