// The documented error catalogue and the code agree both ways.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const codesIn = (text: string): Set<string> => new Set(text.match(/MOVREC_ERR_[A-Z_]+/g) ?? []);

t.test('every error code in src/errors.ts has a row in docs/errors.md, and no row is stale', async (t) => {
  const source = codesIn(readFileSync(join(root, 'src', 'errors.ts'), 'utf8'));
  const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const rows = new Set([...doc.matchAll(/^\| `(MOVREC_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
  t.ok(source.size >= 10, 'errors.ts declares its codes');
  for (const c of source) t.ok(rows.has(c), `${c} is documented`);
  for (const c of rows) t.ok(source.has(c), `${c} in the doc exists in errors.ts`);
});
