// Cold-start lists: per gender × age band and per occupation, smoothed toward
// global popularity, recent interactions weighing more; servable as one-hot
// user vectors over segments.
import t from 'tap';
import type { Dataset, UserInfo } from '../../src/domain/dataset';
import { GLOBAL_SEGMENT, Popularity, segmentLists } from '../../src/model/popularity';

const DAY = 86400_000;
const NOW = Date.UTC(2026, 5, 1);

function ds(events: [user: number, item: number, daysAgo: number][], users: (UserInfo | null)[]): Dataset {
  return {
    userIds: Uint32Array.from(users.map((_, i) => i + 1)),
    itemIds: Array.from({ length: 10 }, (_, i) => `m${i}`),
    ratings: {
      user: new Uint32Array(0),
      item: new Uint32Array(0),
      value: new Float32Array(0),
      time: new Float64Array(0),
    },
    watches: {
      user: Uint32Array.from(events.map((e) => e[0])),
      item: Uint32Array.from(events.map((e) => e[1])),
      fraction: Float32Array.from(events.map(() => 1)),
      time: Float64Array.from(events.map((e) => NOW - e[2] * DAY)),
    },
    users,
    adult: new Uint8Array(10),
    ratingMax: 5,
    meta: { source: 'hand', from: NOW - 100 * DAY, to: NOW, hash: 'h' },
  };
}

const young = (gender: 'M' | 'F', occupation: string): UserInfo => ({ age: 20, gender, occupation });

t.test('each segment ranks what its own members watch first', async (t) => {
  const users = [
    young('F', 'student'),
    young('F', 'student'),
    young('M', 'artist'),
    young('M', 'artist'),
    young('M', 'artist'),
  ];
  const events: [number, number, number][] = [
    [0, 3, 1],
    [1, 3, 1],
    [2, 7, 1],
    [3, 7, 1],
    [4, 7, 1],
    [4, 5, 1],
  ];
  const lists = segmentLists(ds(events, users), { prior: 1 });
  t.equal(lists['F|18-24']![0], 3);
  t.equal(lists['M|18-24']![0], 7);
  t.equal(lists['occupation:student']![0], 3);
  t.same(lists[GLOBAL_SEGMENT]!.slice(0, 2), [7, 3], 'the global list follows overall counts');
  t.ok(lists['F|18-24']!.includes(7), 'smoothing mixes global popularity into a small segment');
});

t.test('recent interactions outweigh old ones (half-life)', async (t) => {
  const users = [young('F', 'x'), young('F', 'x'), young('F', 'x')];
  // Item 1: three watches 60 days ago; item 2: two watches yesterday.
  const events: [number, number, number][] = [
    [0, 1, 60],
    [1, 1, 60],
    [2, 1, 60],
    [0, 2, 1],
    [1, 2, 1],
  ];
  t.same(segmentLists(ds(events, users), { halfLifeDays: 14 })[GLOBAL_SEGMENT]!.slice(0, 2), [2, 1]);
  t.same(
    segmentLists(ds(events, users), { halfLifeDays: 0 })[GLOBAL_SEGMENT]!.slice(0, 2),
    [1, 2],
    'without decay counts decide',
  );
});

t.test('segment popularity serves as dot(one-hot segment, item scores)', async (t) => {
  const users = [young('F', 's'), young('M', 's'), null];
  const d = ds(
    [
      [0, 3, 1],
      [1, 7, 1],
      [1, 7, 2],
    ],
    users,
  );
  const p = new Popularity({ bySegment: true, prior: 1 });
  p.fit(d);
  const s = p.serving();
  const out = new Float32Array(10);
  for (let u = 0; u < 3; u++) {
    p.scoreAll(u, out);
    for (let i = 0; i < 10; i++) {
      let dot = s.itemBias[i]!;
      for (let f = 0; f < s.factors; f++) dot += s.userFactors[u * s.factors + f]! * s.itemFactors[i * s.factors + f]!;
      t.ok(Math.abs(dot - out[i]!) < 1e-6, `user ${u} item ${i}`);
    }
  }
});
