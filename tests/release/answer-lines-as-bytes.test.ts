// Workers write answer lines as UTF-8 bytes from the model's id table: the
// bytes must be exactly the ids joined with commas, multi-byte ids included.
import t from 'tap';
import { encodeArtifact } from '../../src/model/artifact';
import { prepareModel } from '../../src/release/prepared-model';
import { idsOf, lineBytes, writeLine } from '../../src/release/rank';
import { modelParts } from '../helpers/scoring';

const ids = ['amélie+2001', 'heat+1995', '七人の侍+1954', 'x', 'señor+😀+2020', 'aliens+1986'];
const parts = { ...modelParts({ id: 'mf-20261202T000000Z-000001', users: [1], items: ids.length, factors: 4, seed: 2 }), itemIds: ids };
const m = prepareModel(encodeArtifact(parts), { verify: true, label: 'test' });

t.test('each list of item indices becomes its ids joined with commas, in UTF-8', async (t) => {
  for (const items of [[0], [2, 4], [5, 4, 3, 2, 1, 0], [3], []]) {
    const want = items.map((i) => ids[i]!).join(',');
    t.equal(lineBytes(m, items), Buffer.byteLength(want, 'utf8'), `length of ${JSON.stringify(want)}`);
    const out = new Uint8Array(lineBytes(m, items) + 3).fill(0xff);
    const end = writeLine(m, items, out, 2);
    t.equal(end, 2 + Buffer.byteLength(want, 'utf8'));
    t.equal(Buffer.from(out.subarray(2, end)).toString('utf8'), want);
    t.equal(out[0], 0xff, 'nothing written before the offset');
    t.equal(out[end], 0xff, 'nothing written past the end');
    t.same(idsOf(m, items), items.map((i) => ids[i]!));
  }
});

t.test('lines written back to back in one buffer stay apart', async (t) => {
  const lists = [[1, 0], [4], [2, 3, 5]];
  const out = new Uint8Array(lists.reduce((n, l) => n + lineBytes(m, l), 0));
  const ends: number[] = [];
  let at = 0;
  for (const l of lists) ends.push((at = writeLine(m, l, out, at)));
  t.equal(at, out.length, 'the buffer filled exactly');
  lists.forEach((l, x) => t.equal(Buffer.from(out.subarray(x > 0 ? ends[x - 1]! : 0, ends[x]!)).toString('utf8'), l.map((i) => ids[i]!).join(',')));
});
