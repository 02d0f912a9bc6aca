// The Java the local broker needs is stated the same way wherever it is stated.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

t.test('README and scripts/kafka ask for the same Java', async (t) => {
  const found = ['README.md', 'scripts/kafka'].flatMap((f) =>
    [...readFileSync(join(root, f), 'utf8').matchAll(/Java (\d+)\+/g)].map((m) => ({ f, v: m[1]! })),
  );
  t.ok(
    found.some((x) => x.f === 'README.md'),
    'the README states it',
  );
  t.ok(
    found.some((x) => x.f === 'scripts/kafka'),
    'scripts/kafka states it',
  );
  t.same([...new Set(found.map((x) => x.v))], ['17'], `one version everywhere: ${JSON.stringify(found)}`);
});
