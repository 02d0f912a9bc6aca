// The per-user seen list (the scorer's exclusions, one read per answer) holds
// exactly the movies of the user's watches and ratings: built by ingest in the
// batch's transaction, unchanged by a replay, and rebuilt when a schema 2
// store (which had no list) is opened for writing.
import t from 'tap';
import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { openStore, storeTables, type Store } from '../../src/store/store';
import { META_SCHEMA, SCHEMA_VERSION } from '../../src/store/tables';
import { movrec } from '../helpers/cli';

/** Every user's movies from the watches and ratings themselves, sorted. */
function fromHistory(store: Store): Map<number, string[]> {
  const tb = storeTables(store);
  const by = new Map<number, Set<string>>();
  for (const db of [tb.watches, tb.ratings])
    for (const [u, m] of db.getKeys()) {
      if (!by.has(u)) by.set(u, new Set());
      by.get(u)!.add(m);
    }
  return new Map([...by].map(([u, s]) => [u, [...s].sort()]));
}

function seenLists(store: Store, users: Iterable<number>): Map<number, string[]> {
  return new Map([...users].map((u) => [u, store.seenMovies(u)]));
}

async function ingest(dir: string, file: string, batchLines: number): Promise<void> {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'ingest.batchLines': batchLines } });
  const store = openStore(dir);
  try {
    await startIngest({ config, store, source: fileSource({ path: file, batchLines }) }).done;
  } finally {
    await store.close();
  }
}

t.test('ingest keeps each seen list equal to the user history, and a replay adds nothing', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'history.lines');
  const sim = movrec(['sim', '--seed', '4', '--users', '300', '--movies', '200', '--history', '20000', '--out', file]);
  t.equal(sim.status, 0, sim.stderr);
  // Ratings of movies the user never watched (the simulator rates what it watched): on the list too.
  appendFileSync(
    file,
    '2030-01-01T00:00:00,1000001,GET /rate/never+watched+1999=4\n2030-01-01T00:00:01,1000001,GET ' +
      '/rate/also+unwatched+2001=2\n',
  );
  // Small batches: a user's watch and later rating of one movie fall in different transactions.
  await ingest(dir, file, 97);

  let store = openStore(dir, { readOnly: true });
  const expected = fromHistory(store);
  t.ok(expected.size > 100, `${expected.size} users with history`);
  const lists = seenLists(store, expected.keys());
  let dupes = 0;
  for (const list of lists.values()) if (new Set(list).size !== list.length) dupes++;
  t.equal(dupes, 0, 'no movie twice on a list');
  t.same(
    new Map([...lists].map(([u, l]) => [u, [...l].sort()])),
    expected,
    'every list is the union of the user watches and ratings',
  );
  t.same(
    store.seenMovies(1000001),
    ['never+watched+1999', 'also+unwatched+2001'],
    'rated, never watched: on the list, in order',
  );
  t.same(store.seenMovies(987_654), [], 'a user without history has an empty list');
  await store.close();

  // The same lines under another name are another stream: every line applied again.
  const again = join(dir, 'again.lines');
  copyFileSync(file, again);
  await ingest(dir, again, 1000);
  store = openStore(dir, { readOnly: true });
  t.same(seenLists(store, expected.keys()), lists, 'a replay leaves every list as it was, order included');
  await store.close();
});

t.test(
  'a schema 2 store gets its seen lists when opened for writing, and is refused read-only until then',
  async (t) => {
    const dir = t.testdir();
    const file = join(dir, 'history.lines');
    const sim = movrec(['sim', '--seed', '5', '--users', '100', '--movies', '80', '--history', '5000', '--out', file]);
    t.equal(sim.status, 0, sim.stderr);
    await ingest(dir, file, 500);

    // Turn it into what a schema 2 build wrote: the same tables, no lists.
    let store = openStore(dir);
    const expected = fromHistory(store);
    const tb = storeTables(store);
    await tb.root.transaction(() => {
      for (const u of tb.userSeen.getKeys()) void tb.userSeen.remove(u);
      void tb.meta.put(META_SCHEMA, 2);
    });
    t.equal(tb.userSeen.getKeysCount(), 0);
    await store.close();

    t.throws(() => openStore(dir, { readOnly: true }), {
      code: 'MOVREC_ERR_STORE_SCHEMA',
      message: /schema version 2 needs an upgrade to 3.*movrec ingest or movrec serve/,
    });

    store = openStore(dir);
    t.equal(storeTables(store).meta.get(META_SCHEMA), SCHEMA_VERSION, 'stamped with this build version');
    t.same(
      new Map([...seenLists(store, expected.keys())].map(([u, l]) => [u, [...l].sort()])),
      expected,
      'the lists rebuilt from the watches and ratings',
    );
    await store.close();
    store = openStore(dir, { readOnly: true });
    t.equal(
      store.seenMovies([...expected.keys()][0]!).length,
      expected.get([...expected.keys()][0]!)!.length,
      'and a reader opens it now',
    );
    await store.close();
  },
);
