// The catalog records of docs/contract.md §3, with the real API's mixed types (numbers as strings, "False", "null").
import { Rng } from './rng';
import { COMPANIES, COUNTRIES, GENRES, LANGUAGES, OCCUPATIONS } from './vocab';
import type { World } from './world';

export interface UserRecord {
  user_id: number;
  age: number;
  occupation: string;
  gender: 'M' | 'F';
}

export function userRecord(world: World, userId: number): UserRecord | null {
  if (!Number.isInteger(userId) || userId < 1 || userId > world.params.users) return null;
  const u = userId - 1;
  return {
    user_id: userId,
    age: world.userAge[u]!,
    occupation: OCCUPATIONS[world.userOcc[u]!]!,
    gender: world.userGender[u] ? 'F' : 'M',
  };
}

const HEX = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The full movie JSON; fields not used by the tastes come from a per-movie stream so they are stable. */
export function movieRecord(world: World, movie: number): Record<string, unknown> {
  const r = new Rng(world.params.seed, 0x100000 + movie);
  const title = world.movieTitles[movie]!;
  const lang = LANGUAGES[world.movieLanguage[movie]!]!;
  const year = world.movieYear[movie]!;
  const day = world.movieDay[movie]!;
  const date = year === 0 ? 'null' : new Date(Date.UTC(year, 0, 1 + day)).toISOString().slice(0, 10);
  const tmdb = 2 + ((movie * 7919 + (world.params.seed % 997)) % 450000);
  const pop = world.moviePopularity[movie]!;
  const votes = Math.max(0, Math.round(pop * pop * 4 + r.exp(20)));
  const avg =
    votes === 0
      ? 0
      : Math.max(0, Math.min(10, 2 * (world.params.mean + world.movieBias[movie]!) - 1 + r.normal() * 0.4));
  const budget = r.chance(0.6) ? 0 : Math.round(r.exp(2e7));
  const revenue = budget === 0 ? 0 : Math.round(budget * r.exp(2.5));
  let poster = '/';
  for (let i = 0; i < 27; i++) poster += HEX[r.int(HEX.length)];
  const country = COUNTRIES[r.int(COUNTRIES.length)]!;
  const company = r.int(COMPANIES.length);
  const collection = r.chance(0.1)
    ? { id: 10 + r.int(500000), name: `${title} Collection`, poster_path: `${poster}.jpg`, backdrop_path: 'null' }
    : {};
  const genres: { id: number; name: string }[] = [];
  const mask = world.movieGenres[movie]!;
  for (let g = 0; g < GENRES.length; g++)
    if (mask & (1 << g)) genres.push({ id: GENRES[g]!.id, name: GENRES[g]!.name });
  return {
    id: world.movieIds[movie]!,
    tmdb_id: tmdb,
    imdb_id: `tt${String(100000 + ((movie * 104729) % 9800000)).padStart(7, '0')}`,
    title,
    original_title: lang.code === 'en' || r.chance(0.5) ? title : `${title} (${lang.name})`,
    adult: world.movieAdult[movie] ? 'True' : 'False',
    belongs_to_collection: collection,
    budget: String(budget),
    genres,
    homepage: r.chance(0.8) ? 'null' : `http://www.example.com/movies/${tmdb}`,
    original_language: lang.code,
    overview: `A story of ${title.toLowerCase()}.`,
    popularity: pop.toFixed(6),
    poster_path: `${poster}.jpg`,
    production_companies: [{ name: COMPANIES[company]!, id: 1 + company * 7 }],
    production_countries: [{ iso_3166_1: country.iso, name: country.name }],
    release_date: date,
    revenue: String(revenue),
    runtime: world.movieRuntime[movie]!,
    spoken_languages: [{ iso_639_1: lang.code, name: lang.name }],
    status: 'Released',
    vote_average: avg.toFixed(1),
    vote_count: String(votes),
  };
}
