// Every line kind of docs/contract.md §1 parses, in both list styles, with 0-9
// fractional digits read as UTC and the odd movie ids kept verbatim.
import t from 'tap';
import { parseLine } from '../../src/ingest/parse-line';

const utc = (iso: string) => Date.parse(`${iso.slice(0, 23)}Z`);

t.test('watch lines carry user, movie and minute; the time is UTC', async (t) => {
  const p = parseLine('2022-02-08T18:06:56,284507,GET /data/m/the+lives+of+others+2006/41.mpg', 5);
  t.same(p, {
    kind: 'watch',
    time: utc('2022-02-08T18:06:56'),
    user: 284507,
    movie: 'the+lives+of+others+2006',
    minute: 41,
  });
});

t.test('fractional seconds of 1 to 9 digits keep their millisecond value', async (t) => {
  for (let n = 1; n <= 9; n++) {
    const frac = '123456789'.slice(0, n);
    const p = parseLine(`2024-10-03T11:02:07.${frac},5,GET /create_account`, 5);
    if (p.kind !== 'account') throw new Error(`not parsed with ${n} digits`);
    t.equal(p.time, Date.UTC(2024, 9, 3, 11, 2, 7) + Number(`0.${frac}`) * 1000, `${n} digits`);
  }
  const leap = parseLine('2024-02-29T23:59:59.160449866,5,GET /create_account', 5);
  t.equal(leap.kind, 'account', 'a leap day parses');
  t.equal(Math.floor((leap as { time: number }).time), utc('2024-02-29T23:59:59.160'));
});

t.test('odd movie ids are kept verbatim', async (t) => {
  for (const id of [
    'cheech++chong+get+out+of+my+room+1985',
    'black+cat_+white+cat+1998',
    'amlie+2001',
    'untitled+',
    'spider-man+2+2004',
    'mr.+holmes+2015',
  ]) {
    const p = parseLine(`2022-02-08T18:06:56.145104,7,GET /data/m/${id}/0.mpg`, 5);
    t.equal(p.kind === 'watch' && p.movie, id, id);
  }
});

t.test('ratings within the configured scale', async (t) => {
  t.same(parseLine('2022-02-08T18:06:56,9,GET /rate/aliens+1986=4', 5), {
    kind: 'rate',
    time: utc('2022-02-08T18:06:56'),
    user: 9,
    movie: 'aliens+1986',
    rating: 4,
  });
  t.equal(parseLine('2022-02-08T18:06:56,9,GET /rate/aliens+1986=9', 10).kind, 'rate', '1-10 scale of one term');
});

t.test('account creation', async (t) => {
  t.same(parseLine('2022-02-08T18:06:56,12,GET /create_account\r', 5), {
    kind: 'account',
    time: utc('2022-02-08T18:06:56'),
    user: 12,
  });
});

t.test('request lines: status 200 lists in both styles, status 0 and 500 with the exception text', async (t) => {
  const spaced = parseLine(
    '2022-02-08T18:06:56.145104,284507,recommendation request 17645-team17.isri.cmu.edu:8082, status ' +
      '200, result: boxing+helena+1993, aliens+1986, home+alone+1990, 133 ms',
    5,
  );
  t.same(spaced, {
    kind: 'request',
    time: utc('2022-02-08T18:06:56.145') + 0.104,
    user: 284507,
    server: '17645-team17.isri.cmu.edu:8082',
    status: 200,
    latencyMs: 133,
    items: ['boxing+helena+1993', 'aliens+1986', 'home+alone+1990'],
    error: null,
  });
  const tight = parseLine(
    '2022-02-08T18:06:56,3,recommendation request h:8082, status 200, result: a+1,b+2,c+3, 12 ms',
    5,
  );
  t.same(tight.kind === 'request' && tight.items, ['a+1', 'b+2', 'c+3']);
  const timeout = parseLine(
    '2022-02-09T01:45:32.945123,284507,recommendation request 17645-team17.isri.cmu.edu:8082, status ' +
      '0, result: java.util.concurrent.TimeoutException: Request timeout to ' +
      '17645-team17.isri.cmu.edu/128.2.205.118:8082 after 800 ms, 815 ms',
    5,
  );
  t.match(timeout, {
    kind: 'request',
    status: 0,
    latencyMs: 815,
    items: null,
    error: /^java\.util\.concurrent\.TimeoutException: .* after 800 ms$/,
  });
  const refused = parseLine(
    '2020-10-23T14:32:43.149,23,recommendation request fall2020-comp598-1.cs.mcgill.ca:8082, status ' +
      '0, result: Connection refused: fall2020-comp598-1.cs.mcgill.ca/132.206.51.156:8082, 1369 ms',
    5,
  );
  t.match(refused, { kind: 'request', status: 0, latencyMs: 1369, error: /^Connection refused: / });
  const failed = parseLine(
    '2022-02-08T18:06:56,3,recommendation request h:8082, status 500, result: Internal Server Error, 7 ms',
    5,
  );
  t.match(failed, { kind: 'request', status: 500, latencyMs: 7, items: null, error: 'Internal Server Error' });
});
