// Parses the <userid> path segment by the one user-id rule (domain/user-id.ts), shared with the stream parser.
import { parseUserIdAt } from '../domain/user-id';

/** The user id, or null when the segment is not a well-formed id (the caller answers 400). */
export function parseUserId(raw: string): number | null {
  const v = parseUserIdAt(raw, 0, raw.length);
  return v < 0 ? null : v;
}
