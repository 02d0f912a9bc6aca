// Read commands on a mistyped --data-dir: exit 2 with a message naming the
// directory, and nothing created there.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { movrec } from '../helpers/cli';

const COMMANDS = [['models', 'ls'], ['models', 'show', 'mf-x'], ['report', 'data'], ['eval'], ['train']];

t.test('models, report, eval and train refuse a data dir without a store', async (t) => {
  const missing = join(t.testdir(), 'no-such-dir');
  for (const args of COMMANDS) {
    const r = movrec([...args, '--data-dir', missing]);
    t.equal(r.status, 2, `${args.join(' ')}: exit 2`);
    t.equal(
      r.stderr.trim(),
      `no store under ${missing}: check --data-dir (or ingest first: movrec ingest); nothing was created`,
      `${args.join(' ')}: one line naming the directory`,
    );
    t.notOk(existsSync(missing), `${args.join(' ')}: the directory was not created`);
  }
});
