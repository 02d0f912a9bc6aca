// Writes a GENERATED directory in the MovieLens-100k format (u.data, u.user,
// u.item in Latin-1, u1..u5 .base/.test), built the way the real mku.sh builds
// its folds: five consecutive fifths of u.data as test sets. The tests use a
// small one; scripts/bench/movielens-like-dir.ts writes one of the real size,
// because the real data cannot be fetched (or committed) here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticDataset } from '../model/synthetic';

export function writeMovieLensDir(
  dir: string,
  opts: { users?: number; items?: number; perUser?: number; seed?: number } = {},
): { ratings: number } {
  const ds = syntheticDataset({
    users: opts.users ?? 120,
    items: opts.items ?? 80,
    perUser: opts.perUser ?? 30,
    ratedShare: 1,
    seed: opts.seed ?? 3,
  });
  const r = ds.ratings;
  const rows = Array.from(
    { length: r.value.length },
    (_, n) => `${r.user[n]! + 1}\t${r.item[n]! + 1}\t${r.value[n]}\t${Math.floor(r.time[n]! / 1000)}`,
  );
  writeFileSync(join(dir, 'u.data'), `${rows.join('\n')}\n`);
  writeFileSync(
    join(dir, 'u.user'),
    `${ds.users
      .map((u, i) => `${i + 1}|${u?.age ?? 30}|${u?.gender ?? 'M'}|${u?.occupation ?? 'other'}|00000`)
      .join('\n')}\n`,
  );
  // Latin-1 titles, as in the real u.item (e.g. "Café").
  const items = ds.itemIds.map(
    (_, i) =>
      `${i + 1}|Caf\u00e9 ${i} (1995)|01-Jan-1995||http://example.invalid/${i}|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0`,
  );
  writeFileSync(join(dir, 'u.item'), Buffer.from(`${items.join('\n')}\n`, 'latin1'));
  const fifth = Math.floor(rows.length / 5);
  const byUserItem = (a: string, b: string): number => {
    const [ua, ia] = a.split('\t').map(Number);
    const [ub, ib] = b.split('\t').map(Number);
    return ua! - ub! || ia! - ib!;
  };
  for (let f = 1; f <= 5; f++) {
    const lo = (f - 1) * fifth;
    const hi = f === 5 ? rows.length : f * fifth;
    writeFileSync(join(dir, `u${f}.test`), `${rows.slice(lo, hi).sort(byUserItem).join('\n')}\n`);
    writeFileSync(
      join(dir, `u${f}.base`),
      `${[...rows.slice(0, lo), ...rows.slice(hi)].sort(byUserItem).join('\n')}\n`,
    );
  }
  return { ratings: rows.length };
}
