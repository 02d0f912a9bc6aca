// A scoring worker resolves a user's seen list from its stored bytes
// (scoring/id-table): the model's indices must be exactly what decoding the
// ids and looking each up in the id map gives, for every length MessagePack
// encodes differently, multi-byte ids and titles the model does not know; and
// bytes that are not a plain list of strings are left to the usual decoding.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArtifact } from '../../src/model/artifact';
import { createIdTable, readSeen } from '../../src/scoring/id-table';
import { prepareModel } from '../../src/scoring/prepared-model';
import { openStore, storeTables } from '../../src/store/store';
import { addSeen } from '../../src/store/tables';
import { modelParts } from '../helpers/scoring';

// Ids of every MessagePack string size class: fixstr (< 32 bytes), str8, str16 and str32, and multi-byte UTF-8.
const long = (n: number, tag: string) => `${tag}+${'x'.repeat(n)}`;
const ids = [
  'amélie+2001',
  'heat+1995',
  '七人の侍+1954',
  'x',
  'señor+😀+2020',
  long(40, 'str8'),
  long(300, 'str16'),
  long(70_000, 'str32'),
];
for (let i = 0; ids.length < 200; i++) ids.push(`movie+${i}+${1950 + (i % 70)}`);
const parts = {
  ...modelParts({ id: 'mf-20261204T000000Z-000001', users: [1], items: ids.length, factors: 4, seed: 3 }),
  itemIds: ids,
};
const m = prepareModel(encodeArtifact(parts), { verify: true, label: 'test' });

t.test('the id table finds every id by its bytes, and nothing else', async (t) => {
  const table = createIdTable(m.idBytes, m.idEnds);
  // Half built, then asked: the lookup completes it.
  table.buildUpTo(100);
  ids.forEach((id, i) => {
    const bytes = Buffer.from(`..${id}..`, 'utf8');
    t.equal(table.find(bytes, 2, bytes.length - 2), i, `id ${i}`);
  });
  for (const other of ['', 'heat+199', 'heat+19955', 'movie+0+1951', '七人の侍']) {
    const bytes = Buffer.from(other, 'utf8');
    t.equal(table.find(bytes, 0, bytes.length), -1, `"${other}" is not an id`);
  }
  t.equal(m.idTable.find(Buffer.from('x'), 0, 1), 3, "the prepared model's own table");
});

t.test('a duplicated id resolves to its last item, as the id map does', async (t) => {
  const dup = {
    ...modelParts({ id: 'mf-20261204T000000Z-000002', users: [1], items: 4, factors: 4, seed: 4 }),
    itemIds: ['a', 'b', 'a', 'c'],
  };
  const dm = prepareModel(encodeArtifact(dup), { verify: true, label: 'dup' });
  t.equal(dm.itemIndex.get('a'), 2);
  t.equal(dm.idTable.find(Buffer.from('a'), 0, 1), 2);
});

t.test("stored seen lists read from their bytes give the id map's indices", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'movrec-seen-bytes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStore(dir);
  t.teardown(() => store.close());
  const tb = storeTables(store);
  // Lists of every MessagePack array size class (fixarray < 16, array16, array32), with ids the model does not know.
  const lists: Record<number, string[]> = {
    1: [ids[0]!, 'not+in+the+model', ids[2]!],
    2: [...ids],
    3: Array.from({ length: 70_000 }, (_, x) => (x % 7 === 0 ? `unknown+${x}` : ids[x % ids.length]!)),
    4: ['only+unknown'],
    5: [ids[7]!],
  };
  await tb.watches.transaction(() => {
    for (const [user, list] of Object.entries(lists)) addSeen(tb, Number(user), list);
  });
  for (const user of Object.keys(lists).map(Number)) {
    const want = store.seenMovies(user).flatMap((id) => (m.itemIndex.has(id) ? [m.itemIndex.get(id)!] : []));
    const got = readSeen(store.seenBytes(user)!, m.idTable);
    t.ok(got, `user ${user}: the stored bytes are a plain list of strings`);
    t.same(Array.from(got!.items), want, `user ${user}: the same indices, in order`);
    t.equal(got!.titles, store.seenMovies(user).length, `user ${user}: every title counted, known or not`);
  }
  t.equal(store.seenBytes(99), undefined, 'a user with no list');
});

t.test('bytes that are not a plain list of strings are refused', async (t) => {
  const str = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];
  const cases: [string, number[]][] = [
    ['empty', []],
    ['a map', [0x81, ...str('a'), ...str('b')]],
    ['a number in the list', [0x92, ...str('x'), 0x01]],
    ['a list longer than its bytes', [0x93, ...str('x'), ...str('heat')]],
    ['a string running past the end', [0x91, 0xa5, 0x78]],
    ['a str8 header cut short', [0x91, 0xd9]],
    ['an array16 header cut short', [0xdc, 0x00]],
    ['bytes after the list', [0x91, ...str('x'), 0x00]],
    ['a count past any possible list', [0xdd, 0xff, 0xff, 0xff, 0xff, ...str('x')]],
  ];
  for (const [name, bytes] of cases) t.equal(readSeen(Uint8Array.from(bytes), m.idTable), null, name);
  const ok = readSeen(Uint8Array.from([0x92, ...str('x'), ...str('heat+1995')]), m.idTable);
  t.same(
    ok && { items: Array.from(ok.items), titles: ok.titles },
    { items: [3, 1], titles: 2 },
    'a well-formed list beside them',
  );
  const empty = readSeen(Uint8Array.from([0x90]), m.idTable);
  t.same(empty && { items: Array.from(empty.items), titles: empty.titles }, { items: [], titles: 0 }, 'an empty list');
});
