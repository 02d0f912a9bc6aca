// Parses the <userid> path segment: a positive integer of at most 10 digits, no sign, no leading zero.

/** The user id, or null when the segment is not a well-formed id (the caller answers 400). */
export function parseUserId(raw: string): number | null {
  const n = raw.length;
  if (n === 0 || n > 10) return null;
  const first = raw.charCodeAt(0);
  if (first < 49 || first > 57) return null;
  let v = first - 48;
  for (let i = 1; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  return v;
}
