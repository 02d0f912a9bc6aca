// The shape every setting must have, checked once at start with a message that
// names the setting's path. The Config type is read off this schema, so a
// setting exists in exactly one place; its default and documentation live in
// config/defaults.ts.
import { Errors } from '../errors';

/** Throws unless v is a valid T; T is carried only in the type, for Config. */
type Check<T> = ((v: unknown, path: string) => void) & { readonly __type?: T };

const fail = (path: string, what: string, v: unknown): never => {
  throw Errors.config(`${path} must be ${what} (got ${JSON.stringify(v)})`);
};

const str: Check<string> = (v, p) =>
  typeof v === 'string' && v.length > 0 ? undefined : fail(p, 'a non-empty string', v);
const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? undefined : fail(p, 'true or false', v));
const int =
  (min: number, max: number): Check<number> =>
  (v, p) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : fail(p, `an integer from ${min} to ${max}`, v);
const num =
  (min: number, max: number): Check<number> =>
  (v, p) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? undefined
      : fail(p, `a number from ${min} to ${max}`, v);
const oneOf =
  <const X extends string[]>(...xs: X): Check<X[number]> =>
  (v, p) =>
    xs.includes(v as string) ? undefined : fail(p, `one of ${xs.join(', ')}`, v);
const nullable =
  <T>(c: Check<T>): Check<T | null> =>
  (v, p) =>
    v === null ? undefined : c(v, p);
const HOSTPORT = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;
const hostPorts: Check<string[]> = (v, p) =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && HOSTPORT.test(x))
    ? undefined
    : fail(p, 'a non-empty list of host:port', v);
const strings: Check<string[]> = (v, p) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : fail(p, 'a list of strings', v);
const url: Check<string> = (v, p) =>
  typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v) ? undefined : fail(p, 'an http(s) URL', v);
const startFrom: Check<string> = (v, p) =>
  v === 'earliest' || v === 'latest' || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
    ? undefined
    : fail(p, 'earliest, latest or an ISO time', v);
export interface KafkaSasl {
  mechanism: 'plain';
  username: string;
  password: string;
}
const sasl: Check<KafkaSasl | null> = (v, p) => {
  if (v === null) return;
  if (typeof v !== 'object' || Array.isArray(v)) fail(p, 'null or {mechanism, username, password}', v);
  const s = v as Record<string, unknown>;
  oneOf('plain')(s.mechanism, `${p}.mechanism`);
  str(s.username, `${p}.username`);
  if (typeof s.password !== 'string') fail(`${p}.password`, 'a string', '<redacted>');
};

type Schema = { [k: string]: Check<unknown> | Schema };

/** The value type a schema describes. */
type Infer<S> = S extends Check<infer T> ? T : { -readonly [K in keyof S]: Infer<S[K]> };

export const schema = {
  dataDir: str,
  log: { level: oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent') },
  kafka: {
    brokers: hostPorts,
    topic: str,
    groupId: str,
    clientId: str,
    sasl,
    ssl: bool,
    startFrom,
    enabled: bool,
    sessionTimeoutMs: int(6000, 3600000),
    retryMaxMs: int(100, 600000),
  },
  catalog: {
    baseUrl: nullable(url),
    ratePerSecond: num(0.1, 100000),
    retries: int(0, 100),
    timeoutMs: int(10, 600000),
    bulkSize: int(1, 200),
  },
  ingest: { batchLines: int(1, 1000000), ratingMax: int(1, 100), rejectsKept: int(0, 10000) },
  serve: {
    host: str,
    port: int(0, 65535),
    threads: int(1, 256),
    deadlineMs: int(1, 60000),
    maxQueue: int(1, 1000000),
    batchSize: int(1, 1024),
    listSize: int(1, 200),
    unknownAgeIsMinor: bool,
    adminToken: nullable(str),
    adminLoopbackOnly: bool,
    requestLogDays: num(0, 3650),
    drainQuietMs: int(0, 60000),
    drainMaxMs: int(0, 600000),
  },
  rateLimit: { keyBy: oneOf('ip', 'user'), points: int(1, 100000000), windowSeconds: int(1, 86400), trusted: strings },
  train: {
    windowDays: num(0, 100000),
    factors: int(1, 1024),
    epochs: int(1, 10000),
    learningRate: num(0, 10),
    regularization: num(0, 100),
    seed: int(0, 2 ** 31 - 1),
    minCoverage: num(0, 1),
    selectBy: oneOf('ndcg', 'rated-order', 'choices'),
  },
  retrain: {
    everyMinutes: num(0, 525600),
    everyEvents: int(0, 1e12),
    nice: int(0, 19),
    schedIdle: bool,
    timeoutMinutes: num(0.01, 10080),
    nodeFlags: strings,
    keepModels: int(0, 1000000),
  },
  telemetry: {
    answerLogMaxBytes: int(4096, 2 ** 40),
    joinWindowMinutes: num(0.01, 10080),
    onlineDays: num(0, 3650),
  },
  release: {
    canaryPercent: num(0.01, 100),
    guardIntervalMs: int(10, 3600000),
    minAnswers: int(1, 1000000000),
    minUsers: int(2, 1000000000),
    minHealthAnswers: int(1, 1000000000),
    maxErrorRateIncrease: num(0, 1),
    p99Ratio: num(1, 1000),
    p99SlackMs: num(0, 60000),
    alpha: num(0.0001, 0.5),
    power: num(0.5, 0.9999),
    minEffect: num(0.0001, 1),
    baselineRate: num(0.0001, 0.9999),
  },
  gate: { maxRmse: num(0, 100), ndcgTolerance: num(0, 1) },
} satisfies Schema;

/** Every setting, as validated: the one definition of the configuration's shape. */
export type Config = Infer<typeof schema>;

/** Throws a MOVREC_ERR_CONFIG naming the first bad path; also rejects unknown keys. */
export function validate(value: unknown, s: Schema = schema, prefix = ''): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(prefix || 'config', 'an object', value);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in s)) throw Errors.config(`${prefix ? `${prefix}.` : ''}${key} is not a known setting`);
  }
  for (const [key, check] of Object.entries(s)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof check === 'function') check(obj[key], path);
    else validate(obj[key], check, path);
  }
}
