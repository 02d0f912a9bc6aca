// The stream and GET /recommend/<userid> read user ids by one rule: 1 to
// 4294967295, no sign, no leading zero; the same spelling is accepted or
// refused on both paths.
import t from 'tap';
import { parseLine } from '../../src/ingest/parse-line';
import { call, startTestServer } from '../http/harness';

const CASES: [string, number | null][] = [
  ['5', 5],
  ['1', 1],
  ['4294967295', 4294967295],
  ['05', null],
  ['007', null],
  ['0', null],
  ['4294967296', null],
  ['9999999999', null],
  ['12345678901', null],
  ['+5', null],
  ['-5', null],
  ['5a', null],
];

t.test('one rule on both paths', async (t) => {
  const s = await startTestServer(t);
  for (const [raw, want] of CASES) {
    const line = parseLine(`2022-02-08T18:06:56,${raw},GET /create_account`, 5);
    const streamUser = line.kind === 'account' ? line.user : null;
    t.equal(streamUser, want, `stream: "${raw}" -> ${String(want)}`);
    if (want === null) t.same(line, { kind: 'reject', reason: 'bad-user' }, `stream: "${raw}" rejected as bad-user`);
    const r = await call(`${s.base}/recommend/${raw}`);
    t.equal(r.status, want === null ? 400 : 200, `route: "${raw}" -> ${want === null ? 400 : 200}`);
  }
});
