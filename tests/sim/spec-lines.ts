// The line formats of docs/contract.md §1, written from the spec's text, not from the generator.

const TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?`;
const USER = String.raw`[1-9]\d*`;
/** "Only [a-z0-9+_-] and similar ASCII occur" in movie ids. */
const MOVIE = '[a-z0-9+_-]+';

export const WATCH = new RegExp(`^(${TIME}),(${USER}),GET /data/m/(${MOVIE})/(\\d+)\\.mpg$`);
export const RATE = new RegExp(`^(${TIME}),(${USER}),GET /rate/(${MOVIE})=(\\d+)$`);
export const CREATE_ACCOUNT = new RegExp(`^(${TIME}),(${USER}),GET /create_account$`);
export const REQUEST = new RegExp(
  `^(${TIME}),(${USER}),recommendation request ([^,\\s]+:\\d+), status (\\d+), result: (.*), (\\d+) ms$`,
);

/** The result of a status 200 line: `a, b, c` in most terms, `a,b,c` in others. */
export const LIST_SPACED = new RegExp(`^${MOVIE}(?:, ${MOVIE})*$`);
export const LIST_COMPACT = new RegExp(`^${MOVIE}(?:,${MOVIE})*$`);
/** The exception texts of status 0 lines, after the spec's real examples. */
export const TIMEOUT_TEXT =
  /^java\.util\.concurrent\.TimeoutException: Request timeout to [^\s/]+\/[\d.:a-f]+:\d+ after \d+ ms$/;
export const REFUSED_TEXT = /^Connection refused: [^\s/]+\/[\d.:a-f]+:\d+$/;

export type Kind = 'watch' | 'rate' | 'account' | 'request';

export interface Parsed {
  kind: Kind;
  time: string;
  user: number;
  movie?: string;
  minute?: number;
  rating?: number;
  status?: number;
  result?: string;
  ms?: number;
}

/** Parses a line by the spec's formats, or returns null when it fits none. */
export function parseLine(line: string): Parsed | null {
  let m = WATCH.exec(line);
  if (m) return { kind: 'watch', time: m[1]!, user: Number(m[2]), movie: m[3]!, minute: Number(m[4]) };
  m = RATE.exec(line);
  if (m) return { kind: 'rate', time: m[1]!, user: Number(m[2]), movie: m[3]!, rating: Number(m[4]) };
  m = CREATE_ACCOUNT.exec(line);
  if (m) return { kind: 'account', time: m[1]!, user: Number(m[2]) };
  m = REQUEST.exec(line);
  if (m)
    return { kind: 'request', time: m[1]!, user: Number(m[2]), status: Number(m[4]), result: m[5]!, ms: Number(m[6]) };
  return null;
}

/** Whether a parsed time is a real calendar time (the regex alone accepts month 13). */
export function validTime(t: string): boolean {
  const ms = Date.parse(`${t.slice(0, 23)}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === t.slice(0, 19);
}
