// The README's "Releasing a model" block, run as written against a running
// `movrec serve`: its lines are read from README.md and each runs in order,
// with only the placeholders filled in (<id>, <id1>, <id2> by registered
// models, the token by a test value) and the server's port given through
// MOVREC_PORT, which the commands' default --server reads; `npx movrec` runs
// this clone's scripts/movrec.js.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_A, MODEL_B, addModel, fillStore } from '../http/fixture';
import { movrec } from '../helpers/cli';
import { spawnServe } from '../serve/spawn-serve';

const root = join(__dirname, '..', '..');
const TOKEN = 'readme-release-token';

/** The fenced block under "## Releasing a model", comments dropped, one command per entry. */
function readmeBlock(): string[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Releasing a model'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

t.test("the README's release commands work as written against a running server", async (t) => {
  const lines = readmeBlock();
  t.ok(lines.length >= 5, `the block has its commands (${lines.length})`);
  t.match(lines[0] ?? '', /^export MOVREC_ADMIN_TOKEN=/, 'it starts by naming the admin token');

  const dataDir = t.testdir();
  await fillStore(dataDir);
  addModel(dataDir, MODEL_A, 'ascending', '2026-01-01T00:00:00.000Z');
  addModel(dataDir, MODEL_B, 'descending', '2026-01-02T00:00:00.000Z');
  const s = await spawnServe(t, dataDir, [], { MOVREC_ADMIN_TOKEN: TOKEN });
  const env = { MOVREC_ADMIN_TOKEN: TOKEN, MOVREC_PORT: String(s.port) };

  const outputs: string[] = [];
  for (const line of lines.slice(1)) {
    const filled = line.replace('<id1>', MODEL_A).replace('<id2>', MODEL_B).replace('<id>', MODEL_B);
    const argv = filled.split(/\s+/);
    t.same(argv.slice(0, 2), ['npx', 'movrec'], `a movrec command: ${line}`);
    const r = movrec([...argv.slice(2), '--data-dir', dataDir], { env });
    t.equal(r.status, 0, `${filled} exits 0 (${r.stderr.trim().split('\n')[0] ?? ''})`);
    outputs.push(r.stdout);
  }
  const [canary, release, started, status, stopped] = outputs;
  t.match(canary ?? '', new RegExp(`canary ${MODEL_B} on 10% of users`), 'the canary takes 10% of users');
  t.match(release ?? '', new RegExp(MODEL_B), 'release names the canary');
  t.match(started ?? '', /e1/, 'the experiment starts');
  t.match(status ?? '', /not yet: \d+ more users|wins|no difference/, 'its status is a decision or how far from one');
  t.match(stopped ?? '', /e1|stopped/, 'and it stops');

  const r = await fetch(`${s.base}/recommend/1`);
  await r.text();
  t.ok(r.headers.get('x-arm'), `answers still name their arm (${r.headers.get('x-arm')})`);
});
