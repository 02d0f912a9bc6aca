// The models of "now" follow a planted trend: a title on the rise outranks a
// bigger one that is fading (trend popularity), and a user whose taste moved
// lately is served the new taste (iALS with recency-decayed confidences), and
// each fan is served the riser of their own genre first (a prior blend).
import t from 'tap';
import type { Dataset } from '../../src/domain/dataset';
import { Ials } from '../../src/model/ials';
import { Popularity } from '../../src/model/popularity';
import { PriorBlend } from '../../src/model/prior-blend';

const DAY = 86_400_000;
const END = Date.UTC(2024, 5, 1);

function dataset(rows: [user: number, item: number, daysAgo: number][], users: number, items: number): Dataset {
  return {
    userIds: Uint32Array.from({ length: users }, (_, u) => u + 1),
    itemIds: Array.from({ length: items }, (_, i) => `movie+${i}+2000`),
    ratings: {
      user: new Uint32Array(0),
      item: new Uint32Array(0),
      value: new Float32Array(0),
      time: new Float64Array(0),
    },
    watches: {
      user: Uint32Array.from(rows, (r) => r[0]),
      item: Uint32Array.from(rows, (r) => r[1]),
      fraction: Float32Array.from(rows, () => 1),
      time: Float64Array.from(rows, (r) => END - r[2] * DAY),
    },
    users: Array.from({ length: users }, () => ({ age: 30, gender: 'F' as const, occupation: 'other' })),
    adult: new Uint8Array(items),
    ratingMax: 5,
    meta: { source: 'planted', from: END - 200 * DAY, to: END, hash: 'x' },
  };
}

t.test('trend popularity ranks the riser above the bigger fading title', async (t) => {
  // Item 0: 60 watches spread over the last 200 days, 6 in the last week.
  // Item 1: 10 watches, 6 in the last week too: the same "now", a tenth of the past.
  const rows: [number, number, number][] = [];
  for (let n = 0; n < 60; n++) rows.push([n, 0, n < 6 ? n : 7 + n * 3]);
  for (let n = 0; n < 10; n++) rows.push([60 + n, 1, n < 6 ? n : 20 + n]);
  const ds = dataset(rows, 70, 2);
  const score = (m: Popularity) => {
    m.fit(ds);
    const out = new Float32Array(2);
    m.scoreAll(0, out);
    return out;
  };
  const plain = score(new Popularity({ halfLifeDays: 0 }));
  t.ok(plain[0]! > plain[1]!, `all-time counts favour the big title (${plain[0]} > ${plain[1]})`);
  const trend = score(new Popularity({ halfLifeDays: 7, trendHalfLifeDays: 112, trendExponent: 1 }));
  t.ok(trend[1]! > trend[0]!, `the trend favours the riser (${trend[1]} > ${trend[0]})`);
  t.equal(new Popularity({ halfLifeDays: 7, trendHalfLifeDays: 112 }).kind, 'trend-popularity');
});

t.test("iALS with recency-decayed confidence serves a user's new taste", async (t) => {
  // Items 0-9 are genre A, 10-19 genre B; 80 fans of each watch within their genre.
  // User 160 watched A long ago (6 titles, 150-100 days ago) and B lately (3 titles, last week).
  const rows: [number, number, number][] = [];
  for (let u = 0; u < 160; u++) {
    const base = u < 80 ? 0 : 10;
    for (let j = 0; j < 6; j++) rows.push([u, base + ((u + j * 3) % 10), (u * 7 + j * 13) % 150]);
  }
  for (let j = 0; j < 6; j++) rows.push([160, j, 100 + j * 10]);
  for (let j = 0; j < 3; j++) rows.push([160, 10 + j, 1 + j]);
  const ds = dataset(rows, 161, 20);
  const preferB = (m: Ials): number => {
    m.fit(ds);
    const out = new Float32Array(20);
    m.scoreAll(160, out);
    let a = 0;
    let b = 0;
    for (let i = 6; i < 10; i++) a += out[i]!;
    for (let i = 13; i < 17; i++) b += out[i]!;
    return b - a;
  };
  const plain = preferB(new Ials({ factors: 4, epochs: 8 }));
  const recent = preferB(new Ials({ factors: 4, epochs: 8, halfLifeDays: 14, userHalfLifeDays: 7 }));
  t.ok(plain < 0, `plain iALS leans to the old genre, the larger part of the history (B − A = ${plain.toFixed(3)})`);
  t.ok(recent > 0, `recency-weighted iALS serves the new genre (B − A = ${recent.toFixed(3)})`);
});

t.test("a prior blend puts what rises now first within a user's taste", async (t) => {
  // Items 0-9 genre A, 10-19 genre B; 40 fans of each watch within their genre long ago.
  // Lately 15 others watch A's item 0 (having watched A's 5 long ago), 15 more B's item 19 (after B's 15):
  // one riser per genre.
  const rows: [number, number, number][] = [];
  for (let u = 0; u < 80; u++) {
    const base = u < 40 ? 0 : 10;
    for (let j = 0; j < 5; j++) rows.push([u, base + ((u + j * 3) % 10), 60 + ((u * 7 + j * 13) % 90)]);
  }
  for (let u = 80; u < 95; u++) rows.push([u, 0, u % 5], [u, 5, 120 + (u % 5)]);
  for (let u = 95; u < 110; u++) rows.push([u, 19, u % 5], [u, 15, 120 + (u % 5)]);
  // User 110 likes B, user 111 likes A (four titles each, long ago); neither has seen a riser.
  for (let j = 0; j < 4; j++) rows.push([110, 11 + j, 70 + j * 5], [111, 1 + j, 70 + j * 5]);
  const ds = dataset(rows, 112, 20);
  const trend = { halfLifeDays: 7, trendHalfLifeDays: 112 };
  const ranked = (beta: number, user: number): number[] => {
    const m = new PriorBlend(new Ials({ factors: 4, epochs: 8 }), new Popularity(trend), beta);
    m.fit(ds);
    const out = new Float32Array(20);
    m.scoreAll(user, out);
    const seen = user === 110 ? [11, 12, 13, 14] : [1, 2, 3, 4];
    return Array.from(out.keys())
      .filter((i) => !seen.includes(i))
      .sort((i, j) => out[j]! - out[i]!);
  };
  const b = ranked(1, 110);
  const a = ranked(1, 111);
  t.equal(b[0], 19, `the B fan gets the B riser first (${b.join(',')})`);
  t.equal(a[0], 0, `the A fan gets the A riser first (${a.join(',')})`);
  const chart = ranked(0, 110);
  t.same(
    chart.slice(0, 2).sort((x, y) => x - y),
    [0, 19],
    'beta 0: the two risers lead, taste aside',
  );
  const inB = (l: number[]) => l.slice(0, 6).filter((i) => i >= 10).length;
  t.ok(inB(b) > inB(chart), `with taste, more B titles in the B fan's first six (${inB(b)} vs ${inB(chart)})`);
});
