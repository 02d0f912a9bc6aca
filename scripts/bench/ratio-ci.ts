// The benches' interval for a ratio of two means measured on the same users.
import { rng } from '../../src/model/rng';

/** Paired bootstrap over users of mean(a)/mean(b): the ratio and its 95% interval (seeded, so runs repeat). */
export function ratioCi(a: number[], b: number[], reps: number): [number, number, number] {
  const next = rng(11);
  const n = a.length;
  const rs: number[] = [];
  for (let r = 0; r < reps; r++) {
    let sa = 0;
    let sb = 0;
    for (let j = 0; j < n; j++) {
      const x = Math.floor(next() * n);
      sa += a[x]!;
      sb += b[x]!;
    }
    rs.push(sb > 0 ? sa / sb : Infinity);
  }
  rs.sort((x, y) => x - y);
  const sb = b.reduce((s, x) => s + x, 0);
  return [
    sb > 0 ? a.reduce((s, x) => s + x, 0) / sb : Infinity,
    rs[Math.floor(reps * 0.025)]!,
    rs[Math.floor(reps * 0.975)]!,
  ];
}
