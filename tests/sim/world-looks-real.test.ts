import t from 'tap';
import { createWorld, genreNames, movieRecord, userRecord } from '../../src/sim';

const world = createWorld({ seed: 71, users: 20000, movies: 5000 });

t.test('demographics are skewed like the real user base', async (t) => {
  let men = 0;
  let peak = 0;
  let students = 0;
  let minors = 0;
  const occupations = new Set<string>();
  for (let id = 1; id <= 20000; id++) {
    const u = userRecord(world, id)!;
    if (u.gender === 'M') men++;
    if (u.age >= 24 && u.age <= 35) peak++;
    if (/student/.test(u.occupation)) students++;
    if (u.age < 18) minors++;
    occupations.add(u.occupation);
  }
  t.ok(men > 0.6 * 20000 && men < 0.8 * 20000, `more men than women (${men})`);
  t.ok(peak > 0.3 * 20000, `a peak at 24–35 (${peak})`);
  t.ok(students > 0.15 * 20000, `many students (${students})`);
  t.ok(minors > 0 && minors < 0.1 * 20000, `a few minors (${minors})`);
  for (const o of [
    'college/grad student',
    'K-12 student',
    'executive/managerial',
    'other or not specified',
    'academic/educator',
    'technician/engineer',
    'programmer',
  ]) {
    t.ok(occupations.has(o), o);
  }
});

t.test('the catalog has ~1–2% adult titles, genres, and long-tailed popularity', async (t) => {
  const M = world.params.movies;
  let adult = 0;
  for (let m = 0; m < M; m++) if (movieRecord(world, m).adult === 'True') adult++;
  t.ok(adult >= 0.008 * M && adult <= 0.025 * M, `adult share ${adult / M}`);
  t.ok(
    [...Array(M).keys()].every((m) => genreNames(world, m).length >= 1),
    'every movie has a genre',
  );
  const pop = [...world.moviePopularity].sort((a, b) => b - a);
  const total = pop.reduce((a, b) => a + b, 0);
  const top1 = pop.slice(0, M / 100).reduce((a, b) => a + b, 0);
  t.ok(top1 / total > 0.1, `top 1% of movies hold ${((100 * top1) / total).toFixed(1)}% of popularity`);
  t.ok(pop[Math.floor(M / 2)]! < pop[0]! / 50, 'the median movie is far less popular than the top');
});

t.test('tastes carry demographic structure: same-segment users agree more than strangers', async (t) => {
  const K = world.params.factors;
  const cos = (a: number, b: number): number => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let f = 0; f < K; f++) {
      const x = world.userFactors[a * K + f]!;
      const y = world.userFactors[b * K + f]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    return ab / Math.sqrt(aa * bb);
  };
  let same = 0;
  let nSame = 0;
  let other = 0;
  let nOther = 0;
  for (let a = 0; a < 3000; a++) {
    for (let b = a + 1; b < a + 40; b++) {
      const seg =
        world.userGender[a] === world.userGender[b] &&
        world.userOcc[a] === world.userOcc[b] &&
        Math.abs(world.userAge[a]! - world.userAge[b]!) < 3;
      if (seg) {
        same += cos(a, b);
        nSame++;
      } else if (world.userGender[a] !== world.userGender[b] && world.userOcc[a] !== world.userOcc[b]) {
        other += cos(a, b);
        nOther++;
      }
    }
  }
  t.ok(nSame > 100 && nOther > 1000);
  t.ok(
    same / nSame > other / nOther + 0.2,
    `mean cosine ${(same / nSame).toFixed(2)} within a segment vs ${(other / nOther).toFixed(2)} across`,
  );
});
