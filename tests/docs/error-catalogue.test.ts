// The documented error catalogue and the code agree both ways.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
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

/** Every .ts file under dir, as [path relative to the root, text]. */
function sources(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push([rel, readFileSync(join(root, rel), 'utf8')]);
  }
  return out;
}

t.test('every factory of the catalogue is raised somewhere in src/ or workers/', async (t) => {
  const catalogue = readFileSync(join(root, 'src', 'errors.ts'), 'utf8');
  const body = catalogue.slice(catalogue.indexOf('export const Errors = {'));
  const factories = [...body.matchAll(/^ {2}(\w+): /gm)].map((m) => m[1]!);
  t.ok(factories.length >= 10, 'the factories are found');
  const code = [...sources('src'), ...sources('workers')]
    .filter(([path]) => path !== join('src', 'errors.ts'))
    .map(([, text]) => text)
    .join('\n');
  for (const f of factories) t.match(code, new RegExp(`\\bErrors\\.${f}\\(`), `Errors.${f} is raised`);
});

t.test('the HTTP front writes no 4xx/5xx answer except through respond', async (t) => {
  const http = sources(join('src', 'http'));
  const plumbing = new Set([join('src', 'http', 'respond.ts'), join('src', 'http', 'context.ts')]);
  let answers = 0;
  for (const [path, text] of http) {
    if (!plumbing.has(path)) t.notMatch(text, /writeStatus|\bsend\(/, `${path} writes no status of its own`);
    if (plumbing.has(path)) continue;
    for (const m of text.matchAll(/\.answer\(\s*((?:[^,()]|\([^()]*\))+),\s*([^,]+),/g)) {
      answers++;
      t.equal(m[2]!.trim(), '200', `${path}: ctx.answer(${m[1]!.trim()}, ${m[2]!.trim()}, ...) answers 200 only`);
    }
  }
  t.ok(answers >= 5, 'the routes answer through ctx.answer');
});
