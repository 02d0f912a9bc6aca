// The minors audit of a published artifact, run through the serving ranker
// itself (rankUsers: kernel, cold-start lists, filters): every answer for the
// dataset's minors, warm and cold, is checked against the catalog's adult
// flags, so a wrong flag in the artifact or a filter bug is caught before
// release instead of being measured by the evaluator's own filter.
import type { Dataset } from '../domain/dataset';
import { isMinor } from '../domain/dataset';
import { interactions } from '../model/interactions';
import { rng, shuffle } from '../model/rng';
import { prepareModel } from '../scoring/prepared-model';
import { idsOf, rankUsers, type UserFacts } from '../scoring/rank';

export interface ServedAudit {
  /** Answers checked: one warm (with the user's history) and one cold (no history) per sampled minor. */
  lists: number;
  items: number;
  adultItems: number;
  /** adultItems / items; anything above 0 is a defect. */
  adultShare: number;
  /** A few offending (user, movie) pairs. */
  examples: { userId: number; movie: string }[];
}

export interface AuditOptions {
  unknownAgeIsMinor: boolean;
  listSize: number;
  /** Minors sampled (seeded); 0: all. */
  maxUsers: number;
  seed: number;
}

const BATCH = 64;

export function auditServedForMinors(artifact: Uint8Array, ds: Dataset, opts: AuditOptions): ServedAudit {
  const m = prepareModel(artifact, { verify: true, label: 'candidate' });
  const itemIndex = new Map(ds.itemIds.map((id, i) => [id, i]));
  const hist = interactions(ds).byUser;
  let minors: number[] = [];
  for (let u = 0; u < ds.userIds.length; u++) if (isMinor(ds.users[u] ?? null, opts.unknownAgeIsMinor)) minors.push(u);
  if (opts.maxUsers > 0 && minors.length > opts.maxUsers)
    minors = [...shuffle(Uint32Array.from(minors), rng(opts.seed)).slice(0, opts.maxUsers)];
  const out: ServedAudit = { lists: 0, items: 0, adultItems: 0, adultShare: 0, examples: [] };
  for (let b = 0; b < minors.length; b += BATCH) {
    const facts: UserFacts[] = [];
    for (const u of minors.slice(b, b + BATCH)) {
      const seen: string[] = [];
      for (let n = hist.indptr[u]!; n < hist.indptr[u + 1]!; n++) seen.push(ds.itemIds[hist.indices[n]!]!);
      const userId = ds.userIds[u]!;
      const info = ds.users[u] ?? null;
      facts.push({ userId, seen, info }, { userId, seen: [], info });
    }
    for (const [j, r] of rankUsers(m, facts, {
      listSize: opts.listSize,
      unknownAgeIsMinor: opts.unknownAgeIsMinor,
    }).entries()) {
      out.lists++;
      for (const movie of idsOf(m, r.items)) {
        out.items++;
        const i = itemIndex.get(movie);
        if (i === undefined || ds.adult[i] !== 1) continue;
        out.adultItems++;
        if (out.examples.length < 5) out.examples.push({ userId: facts[j]!.userId, movie });
      }
    }
  }
  out.adultShare = out.items ? out.adultItems / out.items : 0;
  return out;
}
