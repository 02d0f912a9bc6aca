// Until a model is approved, answers come from what has been ingested: the
// movies the most users watched or rated lately, minus what the user has seen
// (and adult titles for minors), counted as degraded answers. The scorer asks
// for them through its fallback hook while no stable model is loaded.
import { degraded as degradedCount } from '../http/metrics';
import type { Recommendation } from '../scoring/scorer';
import { storeTables, type Store } from '../store/store';

/** The model id such answers carry (X-Model-Id, provenance). */
export const POPULARITY_MODEL_ID = 'ingested-popularity';
/** Most recent (day, user, movie) pairs counted per refresh: a bounded scan, whatever the store's size. */
const RECENT_PAIRS = 50_000;
/** Movies kept per refresh: enough to fill a list after the user's seen titles are taken out. */
const KEPT = 500;

export interface NoModelNote {
  answering: boolean;
  text: string;
}

export interface IngestedPopularity {
  /** The scorer's fallback: a list for the user, or null when nothing ingested can make one. */
  answer(userId: number): Recommendation | null;
  /** While no model serves: whether answers can be made meanwhile, and what /readyz says; null once one serves. */
  note(): NoModelNote | null;
  stop(): void;
}

interface Ranked {
  movies: { id: string; adult: boolean }[];
  pairs: number;
}

function rank(store: Store): Ranked {
  const t = storeTables(store);
  const counts = new Map<string, number>();
  let pairs = 0;
  for (const key of t.days.getKeys({ reverse: true, limit: RECENT_PAIRS })) {
    const movie = key[2];
    counts.set(movie, (counts.get(movie) ?? 0) + 1);
    pairs++;
  }
  const movies: Ranked['movies'] = [];
  for (const [id] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const e = t.catalogMovies.get(id);
    // A movie the catalog says does not exist is quarantined (LAYOUT.md): never recommended.
    if (e && !e.known) continue;
    movies.push({ id, adult: e?.known === true && e.record.adult });
    if (movies.length >= KEPT) break;
  }
  return { movies, pairs };
}

export function ingestedPopularity(
  store: Store,
  opts: {
    listSize: number;
    unknownAgeIsMinor: boolean;
    refreshMs: number;
    /** Whether a model serves: then the counts are not refreshed and `note` is null. */
    modelServing: () => boolean;
  },
): IngestedPopularity {
  let ranked: Ranked = { movies: [], pairs: 0 };
  const refresh = (): void => {
    if (opts.modelServing()) return;
    ranked = rank(store);
  };
  refresh();
  const timer = setInterval(refresh, opts.refreshMs);
  timer.unref();

  function answer(userId: number): Recommendation | null {
    if (ranked.movies.length === 0) return null;
    const seen = new Set(store.seenMovies(userId));
    const age = store.userInfo(userId)?.age ?? null;
    const minor = age === null ? opts.unknownAgeIsMinor : age < 18;
    const ids: string[] = [];
    for (const m of ranked.movies) {
      if (seen.has(m.id) || (minor && m.adult)) continue;
      ids.push(m.id);
      if (ids.length >= opts.listSize) break;
    }
    if (ids.length === 0) return null;
    const line = ids.join(',');
    degradedCount.labels('no-model').inc();
    return { line, body: line, modelId: POPULARITY_MODEL_ID, generation: 0, source: 'degraded' };
  }

  return {
    answer,
    note() {
      if (opts.modelServing()) return null;
      return ranked.movies.length === 0
        ? { answering: false, text: 'no model yet and nothing ingested to rank' }
        : {
            answering: true,
            text:
              `no model yet: answering from the popularity of the ${ranked.pairs} most recent ingested (day, ` +
              `user, movie) pairs (degraded)`,
          };
    },
    stop: () => clearInterval(timer),
  };
}
