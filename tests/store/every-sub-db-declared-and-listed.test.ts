// Every LMDB sub-database is named once, in the store's DB table, and listed
// in LAYOUT.md; no code opens one under a name of its own.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DB } from '../../src/store/tables';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

t.test('LAYOUT.md has a row for every name in DB, and no other', async (t) => {
  const layout = readFileSync(join(root, 'src', 'store', 'LAYOUT.md'), 'utf8');
  const rows = new Set([...layout.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((m) => m[1]));
  for (const name of Object.values(DB)) t.ok(rows.has(name), `LAYOUT.md lists ${name}`);
  t.same([...rows].sort(), [...new Set(Object.values(DB))].sort(), 'the rows are exactly the declared names');
});

t.test('every openDB call takes its name from DB', async (t) => {
  const files = [...sources(join(root, 'src')), ...sources(join(root, 'workers'))];
  const calls: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/openDB\s*(?:<[^>]*>)?\s*\(\s*\{\s*name\s*(?::\s*([^}\s,]+))?/g)) {
      const where = relative(root, file);
      // The shorthand `{ name }` is openTables' own helper, fed from DB.
      const arg = m[1] ?? 'name';
      calls.push(`${where}: ${arg}`);
      if (where === join('src', 'store', 'tables.ts') && arg === 'name') continue;
      t.match(arg, /^DB\.[a-zA-Z]+$/, `${where} opens ${arg}`);
    }
  }
  t.ok(calls.length >= 3, `found the openDB calls (${calls.join('; ')})`);
});
