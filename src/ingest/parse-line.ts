// Parses one stream line (docs/contract.md §1) by hand-written scanning: no
// regular expressions and no throws on the hot path; a bad line is a value.
import { parseUserIdAt } from '../domain/user-id';

/** Why a line was rejected: an enumerated set, each counted and kept for inspection. */
export const REJECT_REASONS = [
  'malformed',
  'too-long',
  'bad-time',
  'bad-user',
  'bad-movie',
  'bad-minute',
  'bad-rating',
  'rating-out-of-range',
  'bad-request',
  'unknown-kind',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const LINE_KINDS = ['watch', 'rate', 'request', 'account'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface WatchLine {
  kind: 'watch';
  time: number;
  user: number;
  movie: string;
  minute: number;
}
export interface RateLine {
  kind: 'rate';
  time: number;
  user: number;
  movie: string;
  rating: number;
}
export interface RequestLine {
  kind: 'request';
  time: number;
  user: number;
  server: string;
  status: number;
  latencyMs: number;
  /** The recommended ids on status 200, else null. */
  items: string[] | null;
  /** The exception text when the status is not 200, else null. */
  error: string | null;
}
export interface AccountLine {
  kind: 'account';
  time: number;
  user: number;
}
export interface RejectedLine {
  kind: 'reject';
  reason: RejectReason;
}
export type ParsedLine = WatchLine | RateLine | RequestLine | AccountLine | RejectedLine;

/** Longer lines are refused before scanning: no real line comes close. */
export const MAX_LINE_LENGTH = 8192;
/** Longest movie id accepted. */
export const MAX_MOVIE_ID = 256;
/** Largest minute index accepted in a watch line (a week of playback). */
export const MAX_MINUTE = 10080;

const REJECTS: Record<RejectReason, RejectedLine> = Object.fromEntries(
  REJECT_REASONS.map((r) => [r, Object.freeze({ kind: 'reject', reason: r })]),
) as Record<RejectReason, RejectedLine>;

const C0 = 48;
const C9 = 57;
const DASH = 45;
const COLON = 58;
const T = 84;
const DOT = 46;
const SPACE = 32;

// Movie id bytes: lowercase ASCII letters, digits and the punctuation the
// catalog's id scheme leaves in (`+`, `_`, `-`, `.`, `'`, `&`, `!`).
const MOVIE_CHAR = new Uint8Array(128);
for (let c = 97; c <= 122; c++) MOVIE_CHAR[c] = 1;
for (let c = C0; c <= C9; c++) MOVIE_CHAR[c] = 1;
for (const ch of "+_-.'&!") MOVIE_CHAR[ch.charCodeAt(0)] = 1;

const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = y - 1;
  const days = yy * 365 + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) - 719162;
  return days + DAYS_BEFORE_MONTH[m]! + (m > 2 && isLeap(y) ? 1 : 0) + d - 1;
}

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - C0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// Consecutive lines nearly always share a day: remember the last one checked.
let lastDayKey = -1;
let lastDayMs = 0;

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` between [from, end) as UTC; returns
 * milliseconds since the epoch (sub-millisecond digits kept as a fraction), or
 * NaN when it is not a valid time.
 */
export function parseTime(s: string, from: number, end: number): number {
  const len = end - from;
  if (len < 19 || s.charCodeAt(from + 4) !== DASH || s.charCodeAt(from + 7) !== DASH || s.charCodeAt(from + 10) !== T)
    return NaN;
  if (s.charCodeAt(from + 13) !== COLON || s.charCodeAt(from + 16) !== COLON) return NaN;
  const y = digits(s, from, 4);
  const mo = digits(s, from + 5, 2);
  const d = digits(s, from + 8, 2);
  if (y < 0 || mo < 0 || d < 0) return NaN;
  const dayKey = y * 10000 + mo * 100 + d;
  let dayMs: number;
  if (dayKey === lastDayKey) dayMs = lastDayMs;
  else {
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo]! || (mo === 2 && d === 29 && !isLeap(y)))
      return NaN;
    dayMs = daysFromCivil(y, mo, d) * 86_400_000;
    lastDayKey = dayKey;
    lastDayMs = dayMs;
  }
  const h = digits(s, from + 11, 2);
  const mi = digits(s, from + 14, 2);
  const se = digits(s, from + 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return NaN;
  let ms = dayMs + ((h * 60 + mi) * 60 + se) * 1000;
  if (len === 19) return ms;
  const n = len - 20;
  if (s.charCodeAt(from + 19) !== DOT || n < 1 || n > 9) return NaN;
  const f = digits(s, from + 20, n);
  if (f < 0) return NaN;
  ms += (f * 1000) / POW10[n]!;
  return ms;
}

/** The user id by the one rule shared with the HTTP route (domain/user-id.ts), or -1. */
const parseUser = parseUserIdAt;

function validMovie(s: string, from: number, end: number): boolean {
  const n = end - from;
  if (n < 1 || n > MAX_MOVIE_ID) return false;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || MOVIE_CHAR[c] === 0) return false;
  }
  return true;
}

/** A non-negative integer of at most `max` digits, or -1. */
function parseCount(s: string, from: number, end: number, max: number): number {
  const n = end - from;
  if (n < 1 || n > max) return -1;
  return digits(s, from, n);
}

function startsWithAt(s: string, prefix: string, at: number): boolean {
  return s.startsWith(prefix, at);
}

const WATCH = 'GET /data/m/';
const RATE = 'GET /rate/';
const ACCOUNT = 'GET /create_account';
const REQUEST = 'recommendation request ';
const STATUS = ', status ';
const RESULT = ', result: ';
const MS = ' ms';

function parseRequest(s: string, from: number, end: number, time: number, user: number): ParsedLine {
  const serverStart = from + REQUEST.length;
  const st = s.indexOf(STATUS, serverStart);
  if (st < 0 || st >= end || st === serverStart) return REJECTS['bad-request'];
  const codeStart = st + STATUS.length;
  const comma = s.indexOf(',', codeStart);
  if (comma < 0 || !startsWithAt(s, RESULT, comma)) return REJECTS['bad-request'];
  const status = parseCount(s, codeStart, comma, 3);
  if (status < 0) return REJECTS['bad-request'];
  const resultStart = comma + RESULT.length;
  if (end - MS.length < resultStart || !s.endsWith(MS, end)) return REJECTS['bad-request'];
  const msEnd = end - MS.length;
  const lastSep = s.lastIndexOf(',', msEnd - 1);
  if (lastSep < resultStart - 1) return REJECTS['bad-request'];
  let latStart = lastSep + 1;
  while (latStart < msEnd && s.charCodeAt(latStart) === SPACE) latStart++;
  const latencyMs = parseCount(s, latStart, msEnd, 9);
  if (latencyMs < 0) return REJECTS['bad-request'];
  const server = s.slice(serverStart, st);
  const resultEnd = Math.max(lastSep, resultStart);
  if (status !== 200)
    return {
      kind: 'request',
      time,
      user,
      server,
      status,
      latencyMs,
      items: null,
      error: s.slice(resultStart, resultEnd),
    };
  const items: string[] = [];
  let i = resultStart;
  while (i < resultEnd) {
    while (i < resultEnd && s.charCodeAt(i) === SPACE) i++;
    let j = s.indexOf(',', i);
    if (j < 0 || j > resultEnd) j = resultEnd;
    let k = j;
    while (k > i && s.charCodeAt(k - 1) === SPACE) k--;
    if (k > i) {
      if (!validMovie(s, i, k)) return REJECTS['bad-movie'];
      items.push(s.slice(i, k));
    }
    i = j + 1;
  }
  return { kind: 'request', time, user, server, status, latencyMs, items, error: null };
}

/**
 * Parses one line. `ratingMax` is the top of the rating scale (5, or 10 in
 * one term). Never throws: anything unexpected comes back as a reject.
 */
export function parseLine(s: string, ratingMax: number): ParsedLine {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  if (end === 0) return REJECTS.malformed;
  if (end > MAX_LINE_LENGTH) return REJECTS['too-long'];
  const c1 = s.indexOf(',');
  if (c1 < 0 || c1 >= end) return REJECTS.malformed;
  const c2 = s.indexOf(',', c1 + 1);
  if (c2 < 0 || c2 >= end) return REJECTS.malformed;
  const time = parseTime(s, 0, c1);
  if (Number.isNaN(time)) return REJECTS['bad-time'];
  const user = parseUser(s, c1 + 1, c2);
  if (user < 0) return REJECTS['bad-user'];
  const body = c2 + 1;

  if (startsWithAt(s, WATCH, body)) {
    const ms = body + WATCH.length;
    const slash = s.indexOf('/', ms);
    if (slash < 0 || slash >= end) return REJECTS.malformed;
    if (!validMovie(s, ms, slash)) return REJECTS['bad-movie'];
    if (end - slash < 6 || !s.endsWith('.mpg', end)) return REJECTS.malformed;
    const minute = parseCount(s, slash + 1, end - 4, 5);
    if (minute < 0 || minute > MAX_MINUTE) return REJECTS['bad-minute'];
    return { kind: 'watch', time, user, movie: s.slice(ms, slash), minute };
  }
  if (startsWithAt(s, RATE, body)) {
    const ms = body + RATE.length;
    const eq = s.indexOf('=', ms);
    if (eq < 0 || eq >= end) return REJECTS.malformed;
    if (!validMovie(s, ms, eq)) return REJECTS['bad-movie'];
    let rs = eq + 1;
    const neg = s.charCodeAt(rs) === DASH;
    if (neg) rs++;
    const rating = parseCount(s, rs, end, 4);
    if (rating < 0) return REJECTS['bad-rating'];
    if (neg || rating < 1 || rating > ratingMax) return REJECTS['rating-out-of-range'];
    return { kind: 'rate', time, user, movie: s.slice(ms, eq), rating };
  }
  if (startsWithAt(s, REQUEST, body)) return parseRequest(s, body, end, time, user);
  if (end - body === ACCOUNT.length && startsWithAt(s, ACCOUNT, body)) return { kind: 'account', time, user };
  // A line cut short inside a known kind is truncated, not of an unknown kind.
  const rest = s.slice(body, end);
  if (WATCH.startsWith(rest) || RATE.startsWith(rest) || ACCOUNT.startsWith(rest) || REQUEST.startsWith(rest))
    return REJECTS.malformed;
  return REJECTS['unknown-kind'];
}
