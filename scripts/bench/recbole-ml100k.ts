// MovieLens-100k as RecBole ships it (ml-100k.inter/.user/.item) turned into
// the course's stream lines and catalog records, so real ratings go through
// ingest → store → train → serving like the simulator's: titles become
// course-style movie ids by the slug rule, users the /user shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../../src/errors';
import { slugOf } from '../../src/sim/slug';

export interface CatalogUserJson {
  user_id: number;
  age: number;
  occupation: string;
  gender: string;
}

export interface CatalogMovieJson {
  id: string;
  tmdb_id: number;
  title: string;
  adult: 'False';
  genres: { id: number; name: string }[];
  release_date: string;
}

export interface Ml100kStream {
  /** Rating lines in time order (`<time>,<user>,GET /rate/<id>=<r>`). */
  lines: string[];
  users: Map<number, CatalogUserJson>;
  movies: Map<string, CatalogMovieJson>;
  /** MovieLens item ids per course id. */
  itemsPerId: Map<string, number[]>;
  duplicates: DuplicateReport;
}

/** Course ids that several MovieLens items map to: counted, since the stream merges them under one id. */
export interface DuplicateReport {
  /** Course ids shared by more than one MovieLens item. */
  ids: number;
  /** MovieLens items involved. */
  items: number;
  /** Of those ids, how many join distinct titles (a slug collision), not MovieLens listing one title twice. */
  distinctTitles: number;
  examples: string[];
}

/** `Usual Suspects, The` → `The Usual Suspects`: the catalog's titles put the article first. */
export function articleFirst(title: string): string {
  const m = /^(.*), (The|A|An)( \(.*\))?$/.exec(title);
  return m ? `${m[2]} ${m[1]}${m[3] ?? ''}` : title;
}

function table(file: string): string[][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw Errors.usage(`cannot read ${file}: ${(e as Error).message}`);
  }
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  return rows.slice(1).map((l) => l.split('\t'));
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

export function readRecboleMl100k(dir: string): Ml100kStream {
  const itemRows = table(join(dir, 'ml-100k.item'));
  const movieOf = new Map<number, string>();
  const movies = new Map<string, CatalogMovieJson>();
  const itemsPerId = new Map<string, number[]>();
  const titlesPerId = new Map<string, Set<string>>();
  const genreIds = new Map<string, number>();
  for (const f of itemRows) {
    const item = Number(f[0]);
    const title = articleFirst((f[1] ?? '').trim());
    const year = /^\d{4}$/.test(f[2] ?? '') ? Number(f[2]) : null;
    const id = slugOf(title, year);
    movieOf.set(item, id);
    itemsPerId.set(id, [...(itemsPerId.get(id) ?? []), item]);
    titlesPerId.set(id, (titlesPerId.get(id) ?? new Set()).add(title));
    const genres = (f[3] ?? '')
      .split(' ')
      .filter((g) => g !== '' && g !== 'unknown')
      .map((name) => ({ id: genreIds.get(name) ?? genreIds.set(name, genreIds.size + 1).get(name)!, name }));
    if (!movies.has(id))
      movies.set(id, {
        id,
        tmdb_id: item,
        title,
        adult: 'False',
        genres,
        release_date: year === null ? 'null' : `${year}-01-01`,
      });
  }
  const users = new Map<number, CatalogUserJson>();
  for (const f of table(join(dir, 'ml-100k.user'))) {
    const user = Number(f[0]);
    users.set(user, { user_id: user, age: Number(f[1]), gender: f[2] ?? '', occupation: f[3] ?? '' });
  }
  const events: { t: number; line: string }[] = [];
  for (const f of table(join(dir, 'ml-100k.inter'))) {
    const [u, i, r, t] = f.map(Number);
    const id = movieOf.get(i!);
    if (id === undefined || !Number.isInteger(u) || !Number.isFinite(r) || !Number.isFinite(t))
      throw Errors.usage(`${dir}/ml-100k.inter: malformed row ${f.join(' ')}`);
    const ms = t! * 1000;
    events.push({ t: ms, line: `${isoSeconds(ms)},${u},GET /rate/${id}=${Math.round(r!)}` });
  }
  events.sort((a, b) => a.t - b.t);
  const shared = [...itemsPerId].filter(([, items]) => items.length > 1);
  const duplicates: DuplicateReport = {
    ids: shared.length,
    items: shared.reduce((s, [, items]) => s + items.length, 0),
    distinctTitles: shared.filter(([id]) => titlesPerId.get(id)!.size > 1).length,
    examples: shared.slice(0, 5).map(([id]) => `${id} <- ${[...titlesPerId.get(id)!].join(' | ')}`),
  };
  return { lines: events.map((e) => e.line), users, movies, itemsPerId, duplicates };
}
