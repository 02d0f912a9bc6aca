// Movie ids by the course's slug rule, and the titles the world draws (built so that the rule's odd cases occur).
import type { Rng } from './rng';
import { ACCENTED, ADJECTIVES, NAMES, NOUNS } from './vocab';

/**
 * The course's movie id: lowercased title, spaces to `+`, `-` and `_` kept, every other
 * punctuation mark and every non-ASCII letter dropped, then `+<year>` (a bare trailing
 * `+` when the year is unknown). `commaAsUnderscore` reproduces a quirk of some real ids
 * (`black+cat_+white+cat+1998`) where a comma became an underscore.
 */
export function slugOf(title: string, year: number | null, commaAsUnderscore = false): string {
  let out = '';
  for (const ch of title.toLowerCase()) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '-' || ch === '_') out += ch;
    else if (ch === ' ') out += '+';
    else if (ch === ',' && commaAsUnderscore) out += '_';
  }
  return `${out}+${year === null ? '' : String(year)}`;
}

/** A made-up title; some templates exist only to exercise the slug rule's odd cases. */
export function drawTitle(rng: Rng): { title: string; commaAsUnderscore: boolean } {
  const adj = (): string => rng.pick(ADJECTIVES);
  const noun = (): string => rng.pick(NOUNS);
  const name = (): string => rng.pick(NAMES);
  const k = rng.next();
  if (k < 0.22) return { title: `The ${adj()} ${noun()}`, commaAsUnderscore: false };
  if (k < 0.38) return { title: `${noun()} of the ${noun()}`, commaAsUnderscore: false };
  if (k < 0.5) return { title: `${adj()} ${noun()}`, commaAsUnderscore: false };
  if (k < 0.6) return { title: `${name()}: ${adj()} and ${adj()}`, commaAsUnderscore: false };
  if (k < 0.68) return { title: `${name()}'s ${noun()}`, commaAsUnderscore: false };
  if (k < 0.74) return { title: `${adj()} ${noun()}, ${adj()} ${noun()}`, commaAsUnderscore: rng.chance(0.3) };
  // Double `+`: a dropped `&` between two spaces, as in "Cheech & Chong Get Out of My Room".
  if (k < 0.8) return { title: `${name()} & ${name()} Get Out of My ${noun()}`, commaAsUnderscore: false };
  if (k < 0.85)
    return { title: `${rng.pick(ACCENTED)} ${rng.chance(0.5) ? noun() : ''}`.trim(), commaAsUnderscore: false };
  if (k < 0.9) return { title: `${noun()}-${noun()} ${1 + rng.int(4)}`, commaAsUnderscore: false };
  if (k < 0.95) return { title: `${noun()}s!`, commaAsUnderscore: false };
  return { title: `${name()} and the ${adj()} ${noun()}`, commaAsUnderscore: false };
}
