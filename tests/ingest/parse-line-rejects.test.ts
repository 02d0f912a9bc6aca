// Each reject reason: what provokes it, and that the parser answers with a
// value for any input instead of throwing.
import t from 'tap';
import { parseLine, REJECT_REASONS, type RejectReason } from '../../src/ingest/parse-line';

const T = '2022-02-08T18:06:56';
const EXAMPLES: Record<RejectReason, string[]> = {
  malformed: [
    '',
    'garbage',
    `${T},5`,
    `${T},5,GET /data/m/aliens+19`,
    `${T},5,GET /data/m/aliens+1986/3`,
    `${T},5,GET`,
    `${T},5,GET /rate/aliens+1986`,
  ],
  'too-long': [`${T},5,GET /data/m/${'a'.repeat(9000)}/1.mpg`],
  'bad-time': [
    `yesterday,5,GET /create_account`,
    `1644343616,5,GET /create_account`,
    `2022-13-45T25:61:00,5,GET /create_account`,
    `2022-02-30T10:00:00,5,GET /create_account`,
    `2023-02-29T10:00:00,5,GET /create_account`,
    `${T}.,5,GET /create_account`,
    `${T}.1234567890,5,GET /create_account`,
    `2022-02-08 18:06:56,5,GET /create_account`,
  ],
  'bad-user': [
    `${T},0,GET /create_account`,
    `${T},-4,GET /create_account`,
    `${T},abc,GET /create_account`,
    `${T},,GET /create_account`,
    `${T},99999999999,GET /create_account`,
  ],
  'bad-movie': [
    `${T},5,GET /data/m/Aliens+1986/1.mpg`,
    `${T},5,GET /data/m/amélie+2001/1.mpg`,
    `${T},5,GET /data/m//1.mpg`,
    `${T},5,GET /rate/al iens=3`,
    `${T},5,recommendation request h:8082, status 200, result: a+1, B@d, 3 ms`,
  ],
  'bad-minute': [
    `${T},5,GET /data/m/aliens+1986/x.mpg`,
    `${T},5,GET /data/m/aliens+1986/99999.mpg`,
    `${T},5,GET /data/m/aliens+1986/-1.mpg`,
  ],
  'bad-rating': [
    `${T},5,GET /rate/aliens+1986=4.5`,
    `${T},5,GET /rate/aliens+1986=`,
    `${T},5,GET /rate/aliens+1986=five`,
  ],
  'rating-out-of-range': [
    `${T},5,GET /rate/aliens+1986=0`,
    `${T},5,GET /rate/aliens+1986=6`,
    `${T},5,GET /rate/aliens+1986=-1`,
    `${T},5,GET /rate/aliens+1986=99`,
  ],
  'bad-request': [
    `${T},5,recommendation request h:8082, status 200`,
    `${T},5,recommendation request h:8082, status abc, result: a, 3 ms`,
    `${T},5,recommendation request h:8082, status 200, result: a, b, ms`,
    `${T},5,recommendation request h:8082, status 200, result: a, b, 12`,
  ],
  'unknown-kind': [`${T},5,POST /data/m/aliens+1986/1.mpg`, `${T},5,GET /search?q=aliens`, `${T},5,hello`],
};

for (const reason of REJECT_REASONS) {
  t.test(`reject reason ${reason}`, async (t) => {
    const lines = EXAMPLES[reason];
    t.ok(lines.length > 0, 'has examples');
    for (const line of lines) t.same(parseLine(line, 5), { kind: 'reject', reason }, line.slice(0, 80));
  });
}

t.test('arbitrary bytes never throw', async (t) => {
  let state = 12345;
  const rnd = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const alphabet = `${T},5,GET /data/m/rate=recommendation status result: ms.mpg+_0123456789\u00e9\u0000\r\n`;
  let parsed = 0;
  for (let i = 0; i < 20000; i++) {
    const base = `${T},5,GET /data/m/aliens+1986/3.mpg`;
    const cut = Math.floor(rnd() * base.length);
    let line = base.slice(0, cut);
    const extra = Math.floor(rnd() * 8);
    for (let k = 0; k < extra; k++) line += alphabet[Math.floor(rnd() * alphabet.length)];
    const p = parseLine(line, 5);
    if (p.kind !== 'reject' || REJECT_REASONS.includes(p.reason)) parsed++;
  }
  t.equal(parsed, 20000, 'every input gives a line or a known reject reason');
});
