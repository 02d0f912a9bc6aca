// Every relative import in src/, workers/, native/ and config/ goes down the
// layer order or stays in its folder, and no two folders import each other,
// even through others.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(__dirname, '..', '..');

/**
 * The layers, lowest first: a folder may import its own files, any folder of
 * a lower layer, and a folder of its own layer as long as no cycle forms.
 * `src` stands for the files directly in src/ (errors, log, version,
 * package-root, tally); `config` for config/ and src/config/.
 *
 * Where this differs from the order first planned (scoring above train/eval):
 * the training gate ranks with the serving code (eval/served-audit.ts uses
 * scoring/rank.ts) to refuse a model that would show minors adult titles, so
 * scoring sits below eval and train. ingest and model share nothing and are
 * kept apart: ingest below model.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src', 'native'],
  ['domain'],
  ['config'],
  ['store'],
  ['ingest'],
  ['model'],
  ['scoring'],
  ['eval', 'train'],
  ['telemetry', 'release', 'http'],
  ['serve'],
  ['workers'],
  ['sim'],
  ['demo'],
  ['cli'],
];

const rank = new Map<string, number>();
LAYERS.forEach((folders, r) => {
  for (const f of folders) rank.set(f, r);
});

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The folder a path belongs to, as named in LAYERS. */
function folderOf(path: string): string {
  const parts = relative(root, path).split(sep);
  const [top, second] = parts;
  if (top === 'src') {
    if (parts.length === 2 && !(existsSync(path) && statSync(path).isDirectory())) return 'src';
    return second === undefined ? 'src' : second;
  }
  return top ?? '';
}

/** Relative module specifiers in a source file: import/export ... from, import(), require(), bare import. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const rx = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.[^'"]*)\1/gm;
  for (const m of text.matchAll(rx)) found.push(m[2]!);
  return found;
}

interface Edge {
  from: string;
  to: string;
  file: string;
  spec: string;
}

function folderImports(): Edge[] {
  const files = ['src', 'workers', 'native', 'config'].flatMap((d) => tsFiles(join(root, d)));
  const edges: Edge[] = [];
  for (const file of files) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), spec));
      if (from !== to) edges.push({ from, to, file: relative(root, file), spec });
    }
  }
  return edges;
}

const edges = folderImports();

t.test('every folder has a layer', async (t) => {
  const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const dir of readdirSync(join(root, 'src'), { withFileTypes: true }))
    if (dir.isDirectory()) folders.add(dir.name);
  for (const f of folders) t.ok(rank.has(f), `${f} is placed in LAYERS`);
  t.ok(folders.size >= 10, `the scan found the folders (${[...folders].sort().join(', ')})`);
});

t.test('no import goes up a layer', async (t) => {
  t.ok(edges.length > 50, `the scan found imports between folders (${edges.length})`);
  const up = edges.filter((e) => (rank.get(e.to) ?? Infinity) > (rank.get(e.from) ?? -Infinity));
  t.same(
    up.map((e) => `${e.file}: ${e.from} imports ${e.to} (${e.spec})`),
    [],
    'imports that go up the layer order',
  );
});

t.test('no cycle between folders', async (t) => {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const s = next.get(e.from) ?? new Set<string>();
    s.add(e.to);
    next.set(e.from, s);
  }
  const cycles: string[] = [];
  // Depth-first from every folder: a folder met again on the current path closes a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    path.push(f);
    for (const g of next.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push([...path.slice(path.indexOf(g)), g].join(' -> '));
      else if (!state.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of [...next.keys()].sort()) if (!state.has(f)) visit(f);
  t.same(cycles, [], 'import cycles between folders');
});
