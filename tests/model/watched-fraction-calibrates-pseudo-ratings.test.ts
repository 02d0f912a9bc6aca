// The watch signal reaches MF as ratings read off the data: each watched
// fraction maps to the mean rating of watches of that fraction that were
// rated, so short watches become low pseudo-ratings and full ones high, and a
// fraction that never predicts the rating maps to the global mean.
import t from 'tap';
import type { Dataset } from '../../src/domain/dataset';
import { fractionCalibration } from '../../src/model/mf-sgd';

function dataset(rows: [fraction: number, rating: number | null][]): Dataset {
  const rated = rows.map((r, n) => [n, r[1]] as const).filter((x): x is readonly [number, number] => x[1] !== null);
  return {
    userIds: Uint32Array.from(rows, (_, n) => n + 1),
    itemIds: ['a+2000'],
    ratings: {
      user: Uint32Array.from(rated, (x) => x[0]),
      item: new Uint32Array(rated.length),
      value: Float32Array.from(rated, (x) => x[1]),
      time: new Float64Array(rated.length),
    },
    watches: {
      user: Uint32Array.from(rows, (_, n) => n),
      item: new Uint32Array(rows.length),
      fraction: Float32Array.from(rows, (r) => r[0]),
      time: new Float64Array(rows.length),
    },
    users: rows.map(() => null),
    adult: new Uint8Array(1),
    ratingMax: 5,
    meta: { source: 'test', from: 0, to: 0, hash: 'x' },
  };
}

t.test('fraction bins take the mean rating of rated watches, shrunk toward the mean', async (t) => {
  const rows: [number, number | null][] = [];
  for (let n = 0; n < 200; n++) rows.push([0.05, 1], [0.95, 5], [0.5, null]);
  const c = fractionCalibration(dataset(rows), 3);
  t.equal(c.length, 10);
  t.ok(c[0]! < 1.2, `short watches read as low ratings (${c[0]!.toFixed(3)})`);
  t.ok(c[9]! > 4.8, `full watches read as high ratings (${c[9]!.toFixed(3)})`);
  t.equal(c[5], 3, 'a bin with no rated watch is the global mean');
});

t.test('a fraction unrelated to the rating maps to the mean', async (t) => {
  const rows: [number, number | null][] = [];
  for (let n = 0; n < 300; n++) rows.push([0.95, n % 2 ? 5 : 1], [0.05, n % 2 ? 1 : 5]);
  const c = fractionCalibration(dataset(rows), 3);
  t.ok(Math.abs(c[0]! - 3) < 0.01 && Math.abs(c[9]! - 3) < 0.01, `${c[0]} and ${c[9]}`);
});
