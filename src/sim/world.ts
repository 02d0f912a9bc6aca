// The simulated world: users with skewed demographics, a catalog of movies, and the hidden tastes that decide every
// rating.
import { Rng } from './rng';
import { drawTitle, slugOf } from './slug';
import {
  AGE_BANDS,
  GENRES,
  LANGUAGES,
  MALE_SHARE,
  OCCUPATIONS,
  OCCUPATION_WEIGHTS,
  OCC_K12,
  OCC_RETIRED,
  OCC_STUDENT,
} from './vocab';

export interface DriftSpec {
  /** Simulated time (ms since epoch) from which drifted users' tastes change. */
  at: number;
  /** Share of users whose taste drifts. */
  share: number;
  /** Index into GENRES of the genre they turn towards. */
  genre: number;
}

export interface WorldParams {
  seed: number;
  users: number;
  movies: number;
  /** Latent dimensions of the planted tastes. */
  factors: number;
  /** 5 in most terms, 10 in one. */
  ratingMax: number;
  /** Global mean on the 1–5 scale. */
  mean: number;
  /** Standard deviation of the per-rating noise on the 1–5 scale. */
  noiseSd: number;
  /** Share of users who exist when the stream starts; the rest sign up over time. */
  initialShare: number;
  /** Simulated start of the stream (ms since epoch). */
  start: number;
  drift: DriftSpec | null;
}

export interface World {
  params: WorldParams;
  /** Per user (index = user id - 1). */
  userAge: Uint8Array;
  /** 0 = M, 1 = F. */
  userGender: Uint8Array;
  userOcc: Uint8Array;
  userBias: Float32Array;
  /** users × factors, row-major. */
  userFactors: Float32Array;
  /** How often each user comes back, relative. */
  userActivity: Float32Array;
  movieIds: string[];
  movieTitles: string[];
  /** 0 when the year is unknown (the id then ends in a bare `+`). */
  movieYear: Uint16Array;
  /** Day of year (0-based) of the release. */
  movieDay: Uint16Array;
  /** Bit g set when the movie has GENRES[g]. */
  movieGenres: Uint32Array;
  movieAdult: Uint8Array;
  /** Minutes; 0 for a few, as in the real catalog. */
  movieRuntime: Uint16Array;
  /** TMDB-style popularity score, long-tailed. */
  moviePopularity: Float32Array;
  movieLanguage: Uint8Array;
  movieBias: Float32Array;
  /** movies × factors, row-major. */
  movieFactors: Float32Array;
  /** GENRES.length × factors: the taste direction of each genre. */
  genreFactors: Float32Array;
  movieIndex: Map<string, number>;
}

export interface CreateWorldOptions {
  seed: number;
  users: number;
  movies: number;
  factors?: number;
  ratingMax?: number;
  noiseSd?: number;
  initialShare?: number;
  /** ISO time or ms since epoch; default 2022-02-01T00:00:00Z. */
  start?: string | number;
  drift?: { at: string | number; share?: number; genre?: string } | null;
}

export const DEFAULT_START = Date.UTC(2022, 1, 1);

function toMs(t: string | number): number {
  if (typeof t === 'number') return t;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${t}`);
  return ms;
}

export function resolveParams(o: CreateWorldOptions): WorldParams {
  if (!Number.isInteger(o.users) || o.users < 1) throw new RangeError('users must be a positive integer');
  if (!Number.isInteger(o.movies) || o.movies < 50) throw new RangeError('movies must be an integer of at least 50');
  let drift: DriftSpec | null = null;
  if (o.drift) {
    const name = o.drift.genre ?? 'Horror';
    const genre = GENRES.findIndex((g) => g.name.toLowerCase() === name.toLowerCase());
    if (genre < 0) throw new RangeError(`unknown genre ${name}`);
    drift = { at: toMs(o.drift.at), share: o.drift.share ?? 0.3, genre };
  }
  return {
    seed: o.seed >>> 0,
    users: o.users,
    movies: o.movies,
    factors: o.factors ?? 16,
    ratingMax: o.ratingMax ?? 5,
    mean: 3.55,
    noiseSd: o.noiseSd ?? 0.6,
    initialShare: o.initialShare ?? 0.9,
    start: o.start === undefined ? DEFAULT_START : toMs(o.start),
    drift,
  };
}

function drawAge(rng: Rng): number {
  const b = AGE_BANDS[rng.weighted(AGE_BANDS.map((x) => x.w))]!;
  return b.lo + rng.int(b.hi - b.lo + 1);
}

function drawOccupation(rng: Rng, age: number): number {
  if (age < 18) return OCC_K12;
  if (age < 24 && rng.chance(0.65)) return OCC_STUDENT;
  if (age > 62 && rng.chance(0.6)) return OCC_RETIRED;
  return rng.weighted(OCCUPATION_WEIGHTS);
}

/** Demographic segment of (gender, age band): the part of a taste that cold start can learn. */
export function segmentOf(gender: number, age: number): number {
  let band = 0;
  while (band < AGE_BANDS.length - 1 && age > AGE_BANDS[band]!.hi) band++;
  return gender * AGE_BANDS.length + band;
}

function gaussianRows(rng: Rng, rows: number, k: number, sd: number): Float32Array {
  const out = new Float32Array(rows * k);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * sd;
  return out;
}

export function createWorld(opts: CreateWorldOptions): World {
  return generate(resolveParams(opts));
}

export function generate(p: WorldParams): World {
  const K = p.factors;
  const structure = new Rng(p.seed, 1);
  // Genre directions have unit-ish norm; a user's taste mixes segment, occupation and own parts.
  const genreFactors = gaussianRows(structure, GENRES.length, K, 1 / Math.sqrt(K));
  const segments = gaussianRows(structure, 2 * AGE_BANDS.length, K, 0.5);
  const occupations = gaussianRows(structure, OCCUPATIONS.length, K, 0.3);

  const users = p.users;
  const userAge = new Uint8Array(users);
  const userGender = new Uint8Array(users);
  const userOcc = new Uint8Array(users);
  const userBias = new Float32Array(users);
  const userFactors = new Float32Array(users * K);
  const userActivity = new Float32Array(users);
  const ur = new Rng(p.seed, 2);
  for (let u = 0; u < users; u++) {
    const age = drawAge(ur);
    const gender = ur.chance(MALE_SHARE) ? 0 : 1;
    const occ = drawOccupation(ur, age);
    userAge[u] = age;
    userGender[u] = gender;
    userOcc[u] = occ;
    userBias[u] = ur.normal() * 0.3;
    userActivity[u] = Math.exp(ur.normal() * 1.1);
    const seg = segmentOf(gender, age) * K;
    const oc = occ * K;
    const row = u * K;
    for (let f = 0; f < K; f++) userFactors[row + f] = segments[seg + f]! + occupations[oc + f]! + ur.normal() * 0.6;
  }

  const M = p.movies;
  const movieIds: string[] = new Array<string>(M);
  const movieTitles: string[] = new Array<string>(M);
  const movieYear = new Uint16Array(M);
  const movieDay = new Uint16Array(M);
  const movieGenres = new Uint32Array(M);
  const movieAdult = new Uint8Array(M);
  const movieRuntime = new Uint16Array(M);
  const moviePopularity = new Float32Array(M);
  const movieLanguage = new Uint8Array(M);
  const movieBias = new Float32Array(M);
  const movieFactors = new Float32Array(M * K);
  const movieIndex = new Map<string, number>();
  const mr = new Rng(p.seed, 3);
  const genreWeights = GENRES.map((g) => g.w);
  const langWeights = LANGUAGES.map((l) => l.w);
  for (let i = 0; i < M; i++) {
    const year = mr.chance(0.004) ? 0 : Math.min(2021, Math.max(1920, Math.round(2021 - mr.exp(18))));
    let id = '';
    let title = '';
    for (;;) {
      const t = drawTitle(mr);
      id = slugOf(t.title, year === 0 ? null : year, t.commaAsUnderscore);
      if (!movieIndex.has(id)) {
        title = t.title;
        break;
      }
    }
    movieIds[i] = id;
    movieTitles[i] = title;
    movieIndex.set(id, i);
    movieYear[i] = year;
    movieDay[i] = mr.int(365);
    let mask = 1 << mr.weighted(genreWeights);
    const extra = mr.weighted([45, 35, 15, 5]);
    for (let e = 0; e < extra; e++) mask |= 1 << mr.weighted(genreWeights);
    movieGenres[i] = mask;
    const adult = mr.chance(0.015) ? 1 : 0;
    movieAdult[i] = adult;
    movieRuntime[i] = mr.chance(0.005) ? 0 : Math.max(40, Math.min(220, Math.round(100 + mr.normal() * 20)));
    movieLanguage[i] = mr.weighted(langWeights);
    const bias = mr.normal() * 0.35;
    movieBias[i] = bias;
    // Long tail: log-normal, nudged by quality, adult titles in the tail.
    moviePopularity[i] = Math.exp(0.9 + mr.normal() * 1.1 + bias * 2.5 - adult * 1.5);
    let genresIn = 0;
    for (let g = 0; g < GENRES.length; g++) if (mask & (1 << g)) genresIn++;
    const gs = 0.8 / Math.sqrt(genresIn);
    const row = i * K;
    for (let f = 0; f < K; f++) {
      let v = mr.normal() * (0.55 / Math.sqrt(K));
      for (let g = 0; g < GENRES.length; g++) if (mask & (1 << g)) v += genreFactors[g * K + f]! * gs;
      movieFactors[row + f] = v;
    }
  }
  return {
    params: p,
    userAge,
    userGender,
    userOcc,
    userBias,
    userFactors,
    userActivity,
    movieIds,
    movieTitles,
    movieYear,
    movieDay,
    movieGenres,
    movieAdult,
    movieRuntime,
    moviePopularity,
    movieLanguage,
    movieBias,
    movieFactors,
    genreFactors,
    movieIndex,
  };
}

/** Names of the movie's genres, in GENRES order. */
export function genreNames(world: World, movie: number): string[] {
  const mask = world.movieGenres[movie]!;
  const out: string[] = [];
  for (let g = 0; g < GENRES.length; g++) if (mask & (1 << g)) out.push(GENRES[g]!.name);
  return out;
}
