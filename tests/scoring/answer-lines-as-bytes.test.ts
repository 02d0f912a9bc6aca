// Workers write answer lines as UTF-8 bytes from the model's id table, every
// line of a task in two calls (native/lines.cc, its twin native/twins/lines.ts):
// the bytes must be exactly the ids joined with commas, multi-byte ids
// included, each line where it was asked for, and a bad batch refused whole.
import t from 'tap';
import { encodeArtifact } from '../../src/model/artifact';
import { prepareModel } from '../../src/scoring/prepared-model';
import { idsOf } from '../../src/scoring/rank';
import { lineLengthsNative, lineLengthsTs, writeLinesNative, writeLinesTs } from '../../native/index';
import { modelParts } from '../helpers/scoring';

const ids = ['amélie+2001', 'heat+1995', '七人の侍+1954', 'x', 'señor+😀+2020', 'aliens+1986'];
const parts = {
  ...modelParts({ id: 'mf-20261202T000000Z-000001', users: [1], items: ids.length, factors: 4, seed: 2 }),
  itemIds: ids,
};
const m = prepareModel(encodeArtifact(parts), { verify: true, label: 'test' });

const variants = [{ name: 'twin', lineLengths: lineLengthsTs, writeLines: writeLinesTs }];
if (lineLengthsNative && writeLinesNative)
  variants.push({ name: 'native', lineLengths: lineLengthsNative, writeLines: writeLinesNative });

/** The lists as the calls take them: items back to back and a count per list. */
function batch(lists: number[][]): { items: Int32Array; counts: Int32Array } {
  return { items: Int32Array.from(lists.flat()), counts: Int32Array.from(lists, (l) => l.length) };
}

t.test('the native line writer is built here', async (t) => {
  t.ok(lineLengthsNative && writeLinesNative, 'native/build/movrec.node exports lineLengths and writeLines');
});

for (const v of variants) {
  t.test(`${v.name}: each list of item indices becomes its ids joined with commas, in UTF-8`, async (t) => {
    const lists = [[0], [2, 4], [5, 4, 3, 2, 1, 0], [3], []];
    const { items, counts } = batch(lists);
    const lens = new Int32Array(lists.length);
    v.lineLengths(m.idEnds, items, counts, lens);
    const want = lists.map((l) => l.map((i) => ids[i]!).join(','));
    t.same(
      Array.from(lens),
      want.map((w) => Buffer.byteLength(w, 'utf8')),
      'lengths in bytes',
    );
    // Each line at its own offset with a gap of 2 bytes around it: nothing written outside.
    const starts = new Int32Array(lists.length);
    let at = 2;
    lens.forEach((len, x) => {
      starts[x] = at;
      at += len + 2;
    });
    const body = new Uint8Array(at).fill(0xff);
    v.writeLines(m.idBytes, m.idEnds, items, counts, body, starts);
    lists.forEach((l, x) => {
      const s = starts[x]!;
      t.equal(Buffer.from(body.subarray(s, s + lens[x]!)).toString('utf8'), want[x], `line ${x}`);
      t.same([body[s - 1], body[s + lens[x]!]], [0xff, 0xff], `line ${x}: nothing written around it`);
      t.same(
        idsOf(m, l),
        l.map((i) => ids[i]!),
      );
    });
  });

  t.test(`${v.name}: lines written back to back in one buffer stay apart`, async (t) => {
    const lists = [[1, 0], [4], [2, 3, 5]];
    const { items, counts } = batch(lists);
    const lens = new Int32Array(lists.length);
    v.lineLengths(m.idEnds, items, counts, lens);
    const ends = Array.from(lens);
    for (let x = 1; x < ends.length; x++) ends[x]! += ends[x - 1]!;
    const body = new Uint8Array(ends.at(-1)!);
    v.writeLines(
      m.idBytes,
      m.idEnds,
      items,
      counts,
      body,
      Int32Array.from(ends, (_, x) => (x > 0 ? ends[x - 1]! : 0)),
    );
    t.equal(
      Buffer.from(body).toString('utf8'),
      lists.map((l) => l.map((i) => ids[i]!).join(',')).join(''),
      'the buffer filled exactly',
    );
  });

  t.test(`${v.name}: a bad batch is refused before a byte is written`, async (t) => {
    const body = new Uint8Array(200).fill(0xff);
    const cases: [string, number[][] | { items: Int32Array; counts: Int32Array }, Int32Array, RegExp][] = [
      ['an item past the ids', [[1], [ids.length]], Int32Array.of(0, 50), /item 6 is not an index into 6 ids/],
      ['a negative item', [[1], [-1]], Int32Array.of(0, 50), /item -1 is not an index/],
      [
        'counts past the items',
        { items: Int32Array.of(1, 2), counts: Int32Array.of(1, 2) },
        Int32Array.of(0, 50),
        /the counts add up to 3 items, more than the 2 given/,
      ],
      [
        'a negative count',
        { items: Int32Array.of(1, 2), counts: Int32Array.of(2, -1) },
        Int32Array.of(0, 50),
        /user 1 has a negative count/,
      ],
      ['a line past the body', [[1], [2, 3]], Int32Array.of(0, 195), /user 1's line does not fit the body at 195/],
      ['a negative start', [[1], [2]], Int32Array.of(0, -1), /user 1's line does not fit the body at -1/],
      ['too few starts', [[1], [2]], Int32Array.of(0), /2 users but 1 starts/],
    ];
    for (const [name, lists, starts, why] of cases) {
      const { items, counts } = Array.isArray(lists) ? batch(lists) : lists;
      t.throws(() => v.writeLines(m.idBytes, m.idEnds, items, counts, body, starts), why, name);
      t.ok(
        body.every((b) => b === 0xff),
        `${name}: nothing written`,
      );
    }
    t.throws(
      () => v.lineLengths(m.idEnds, Int32Array.of(1, 9), Int32Array.of(2), new Int32Array(1)),
      /item 9 is not an index into 6 ids/,
      'lengths: an item past the ids',
    );
    t.throws(
      () => v.lineLengths(m.idEnds, Int32Array.of(1, 2), Int32Array.of(1, 1), new Int32Array(1)),
      /2 users but room for 1 lengths/,
      'lengths: too little room',
    );
    const broken = Int32Array.from(m.idEnds);
    broken[2] = broken[1]! - 1;
    t.throws(
      () => v.lineLengths(broken, Int32Array.of(2), Int32Array.of(1), new Int32Array(1)),
      /the id table is inconsistent at item 2/,
      'lengths: an id ending before it starts',
    );
  });
}

t.test(
  'the native calls refuse arguments of the wrong types',
  { skip: writeLinesNative ? false : 'native addon not built' },
  async (t) => {
    const ok = { items: Int32Array.of(1), counts: Int32Array.of(1) };
    t.throws(
      () =>
        writeLinesNative!(
          new Float32Array(4) as unknown as Uint8Array,
          m.idEnds,
          ok.items,
          ok.counts,
          new Uint8Array(9),
          Int32Array.of(0),
        ),
      /writeLines: idBytes must be a Uint8Array/,
    );
    t.throws(
      () =>
        writeLinesNative!(
          m.idBytes,
          m.idEnds,
          [1] as unknown as Int32Array,
          ok.counts,
          new Uint8Array(9),
          Int32Array.of(0),
        ),
      /writeLines: items must be an Int32Array/,
    );
    t.throws(
      () => lineLengthsNative!(m.idEnds, ok.items, ok.counts, new Uint32Array(1) as unknown as Int32Array),
      /lineLengths: out must be an Int32Array/,
    );
    t.throws(
      () => (lineLengthsNative as unknown as (...a: unknown[]) => void)(m.idEnds),
      /lineLengths expects 4 arguments/,
    );
  },
);
