// The one rule for a user id, wherever it is read (a stream line, the
// /recommend/<userid> path): decimal digits for an integer from 1 to
// 4,294,967,295 (uint32), with no sign and no leading zero. "05" is refused
// rather than read as 5: two spellings of one user would split its history.

export const MAX_USER_ID = 4_294_967_295;

/** How the rule reads in an error message. */
export const USER_ID_RULE = `an integer from 1 to ${MAX_USER_ID} (no sign, no leading zero)`;

/** The id in s[from, end), or -1 when it breaks the rule. */
export function parseUserIdAt(s: string, from: number, end: number): number {
  const n = end - from;
  if (n < 1 || n > 10) return -1;
  const first = s.charCodeAt(from);
  if (first < 49 || first > 57) return -1;
  let v = first - 48;
  for (let i = from + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= MAX_USER_ID ? v : -1;
}
