// movrec sim: run the simulated movie world: stream lines, catalog API, ground truth
import type { Command, CommandContext } from '../command';
import { Errors } from '../../errors';
import { runSim, type SimRunOptions } from '../../sim/run';
import { formatScoreboard } from '../../sim/scoreboard';

type Values = CommandContext['values'];

function str(v: Values, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

function int(v: Values, k: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const s = str(v, k);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max)
    throw Errors.usage(`movrec sim: --${k} must be an integer from ${min} to ${max}, got "${s.slice(0, 40)}"`);
  return Number(s);
}

function fraction(v: Values, k: string): number | undefined {
  const s = str(v, k);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw Errors.usage(`movrec sim: --${k} must be a number from 0 to 1, got "${s.slice(0, 40)}"`);
  return n;
}

function time(v: Values, k: string): number | undefined {
  const s = str(v, k);
  if (s === undefined) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(ms))
    throw Errors.usage(`movrec sim: --${k} must be an ISO time like 2022-02-03T12:00:00, got "${s.slice(0, 40)}"`);
  return ms;
}

function oneOf<T extends string>(v: Values, k: string, xs: readonly T[]): T {
  const s = str(v, k)!;
  if (!(xs as readonly string[]).includes(s))
    throw Errors.usage(`movrec sim: --${k} must be one of ${xs.join(', ')}, got "${s.slice(0, 40)}"`);
  return s as T;
}

function toOptions(v: Values, ctx: CommandContext, signal: AbortSignal): SimRunOptions {
  const kafka = str(v, 'kafka');
  if (kafka !== undefined && !kafka.split(',').every((b) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b))) {
    throw Errors.usage(`movrec sim: --kafka must be a comma-separated list of host:port, got "${kafka.slice(0, 60)}"`);
  }
  if (kafka !== undefined && str(v, 'out') !== undefined)
    throw Errors.usage('movrec sim: give --kafka or --out, not both');
  const rate = str(v, 'rate') === 'max' ? undefined : int(v, 'rate', 1);
  const apiPort = str(v, 'api-port') === 'off' ? undefined : int(v, 'api-port', 0, 65535);
  const target = str(v, 'target')!;
  if (!/^http:\/\/[^\s/]+(\/[^\s]*)?$/.test(target))
    throw Errors.usage(`movrec sim: --target must be an http:// URL, got "${target.slice(0, 60)}"`);
  const tr = str(v, 'true-rating');
  let trueRating: { user: number; movie: string } | undefined;
  if (tr !== undefined) {
    const m = /^(\d+):(.+)$/.exec(tr);
    if (!m) throw Errors.usage(`movrec sim: --true-rating must be USERID:MOVIEID, got "${tr.slice(0, 60)}"`);
    trueRating = { user: Number(m[1]), movie: m[2]! };
  }
  const driftAt = time(v, 'drift-at');
  const bombAt = time(v, 'review-bomb-at');
  const floodAt = time(v, 'flood-at');
  const duration = str(v, 'duration');
  if (duration !== undefined && !(Number(duration) > 0))
    throw Errors.usage(`movrec sim: --duration must be a positive number of seconds, got "${duration.slice(0, 40)}"`);
  const oracle = int(v, 'oracle', 1);
  const at = time(v, 'at');
  return {
    world: {
      seed: int(v, 'seed', 0, 4294967295)!,
      users: int(v, 'users', 1, 50_000_000)!,
      movies: int(v, 'movies', 50, 1_000_000)!,
      ratingMax: Number(oneOf(v, 'rating-max', ['5', '10'])),
      start: time(v, 'start')!,
      drift:
        driftAt === undefined
          ? null
          : { at: driftAt, share: fraction(v, 'drift-share')!, genre: str(v, 'drift-genre')! },
    },
    ...(str(v, 'world') !== undefined ? { worldDir: str(v, 'world')! } : {}),
    query: {
      ...(oracle !== undefined ? { oracle } : {}),
      ...(str(v, 'seen-from') !== undefined ? { seenFrom: str(v, 'seen-from')! } : {}),
      ...(trueRating ? { trueRating } : {}),
      noiseFloor: v['noise-floor'] === true,
      ...(at !== undefined ? { at } : {}),
    },
    ...(str(v, 'history') !== undefined ? { history: int(v, 'history', 1)! } : {}),
    ...(str(v, 'out') !== undefined ? { out: str(v, 'out')! } : {}),
    ...(kafka !== undefined ? { kafka: { brokers: kafka.split(','), topic: str(v, 'topic')! } } : {}),
    ...(rate !== undefined ? { rate } : {}),
    target,
    deadlineMs: int(v, 'deadline-ms', 1, 600_000)!,
    concurrency: int(v, 'concurrency', 1, 10_000)!,
    ...(duration !== undefined ? { durationMs: Number(duration) * 1000 } : {}),
    ...(str(v, 'max-requests') !== undefined ? { maxRequests: int(v, 'max-requests', 1)! } : {}),
    ...(apiPort !== undefined
      ? { api: { port: apiPort, host: str(v, 'api-host')!, ratePerSecond: int(v, 'api-rate', 1)! } }
      : {}),
    listStyle: oneOf(v, 'list-style', ['spaced', 'compact'] as const),
    timeDigits: Number(oneOf(v, 'time-digits', ['0', '3', '6', '9'] as const)) as 0 | 3 | 6 | 9,
    createAccount: oneOf(v, 'create-account', ['on', 'off'] as const) === 'on',
    sessions: int(v, 'sessions', 1, 1_000_000)!,
    spuriousRate: fraction(v, 'spurious-rate')!,
    scenarios: {
      reviewBomb:
        bombAt === undefined
          ? null
          : {
              at: bombAt,
              count: int(v, 'review-bomb-count', 1)!,
              ...(str(v, 'review-bomb-movie') ? { movie: str(v, 'review-bomb-movie')! } : {}),
            },
      flood:
        floodAt === undefined
          ? null
          : {
              at: floodAt,
              requests: int(v, 'flood-requests', 1)!,
              ...(str(v, 'flood-user') ? { user: int(v, 'flood-user', 1)! } : {}),
            },
    },
    scoreboardEveryMs: Number(str(v, 'scoreboard-every')) * 1000 || 5000,
    signal,
    log: (msg, fields) => ctx.log.info(fields ?? {}, msg),
    warn: (msg, fields) => ctx.log.warn(fields ?? {}, msg),
    print: (text) => process.stderr.write(`${text}\n`),
  };
}

export const sim: Command = {
  name: 'sim',
  summary: 'run the simulated movie world: stream lines, catalog API, ground truth',
  usage: '[options]',
  details: `
Builds a world from --seed (or loads --world DIR), then does one of three things:
  ground truth:  --oracle USERID, --true-rating USERID:MOVIEID, --noise-floor print and exit;
  history:       --history N writes N past lines as fast as possible (to --out or --kafka) and exits;
  live:          serves the catalog API on --api-port and drives --target over HTTP, writing every
                 line (watches, ratings, sign-ups, recommendation requests) to --out or --kafka,
                 with a scoreboard on stderr, until --duration, --max-requests or SIGINT/SIGTERM.
Scenario flags are off by default. The same seed and flags give byte-identical --history output.`,
  state: false,
  reports: true,
  options: {
    seed: { type: 'string', valueName: 'N', description: 'seed of the world and of the behaviour', default: '1' },
    users: { type: 'string', valueName: 'N', description: 'users in the world', default: '1000000' },
    movies: { type: 'string', valueName: 'N', description: 'movies in the catalog', default: '27000' },
    world: {
      type: 'string',
      valueName: 'DIR',
      description: 'load the world from DIR if saved there, else generate it and save it there',
    },
    start: {
      type: 'string',
      valueName: 'ISO',
      description: 'simulated time of the first line (UTC)',
      default: '2022-02-01T00:00:00',
    },
    'rating-max': { type: 'string', valueName: '5|10', description: 'highest rating on the scale', default: '5' },
    oracle: {
      type: 'string',
      valueName: 'USERID',
      description: "print the oracle's top-20 for the user (true utility) and exit",
    },
    'seen-from': {
      type: 'string',
      valueName: 'FILE',
      description:
        'with --oracle: leave out what the user watched or rated in this stream file (e.g. a --history output)',
    },
    'true-rating': {
      type: 'string',
      valueName: 'USERID:MOVIEID',
      description: 'print the true expected rating of the pair and exit',
    },
    'noise-floor': {
      type: 'boolean',
      description: 'print the noise floor (RMSE of predicting every rating by its true expectation) and exit',
    },
    at: {
      type: 'string',
      valueName: 'ISO',
      description: 'simulated time for --oracle and --true-rating (matters after a taste drift)',
    },
    history: {
      type: 'string',
      valueName: 'N',
      description: 'write N lines of past history as fast as possible, then exit',
    },
    out: { type: 'string', valueName: 'FILE', description: 'write stream lines to FILE (- for stdout)' },
    kafka: {
      type: 'string',
      valueName: 'HOST:PORT',
      description: 'produce stream lines to these brokers (comma-separated)',
    },
    topic: { type: 'string', valueName: 'NAME', description: 'Kafka topic', default: 'movielog1' },
    rate: {
      type: 'string',
      valueName: 'N|max',
      description: 'live mode: lines per second, steadily paced, or max',
      default: 'max',
    },
    target: {
      type: 'string',
      valueName: 'URL',
      description: 'the recommendation service (GET URL/recommend/<userid>)',
      default: 'http://127.0.0.1:8082',
    },
    'deadline-ms': {
      type: 'string',
      valueName: 'MS',
      description: 'a later answer is a failure (status 0, timeout)',
      default: '600',
    },
    concurrency: {
      type: 'string',
      valueName: 'N',
      description: 'recommendation requests in flight at most (keep-alive sockets)',
      default: '64',
    },
    duration: {
      type: 'string',
      valueName: 'SECONDS',
      description: 'live mode: stop after this long (default: until SIGINT/SIGTERM)',
    },
    'max-requests': { type: 'string', valueName: 'N', description: 'live mode: stop after N recommendation requests' },
    'api-port': {
      type: 'string',
      valueName: 'PORT|off',
      description: 'live mode: port of the catalog API (/user/<id>, /movie/<id>, bulk)',
      default: '8080',
    },
    'api-host': {
      type: 'string',
      valueName: 'HOST',
      description: 'address the catalog API listens on',
      default: '127.0.0.1',
    },
    'api-rate': {
      type: 'string',
      valueName: 'N',
      description: 'catalog API requests per second allowed per client (429 beyond)',
      default: '100',
    },
    'list-style': {
      type: 'string',
      valueName: 'spaced|compact',
      description: 'result lists in request lines as "a, b" or "a,b"',
      default: 'spaced',
    },
    'time-digits': {
      type: 'string',
      valueName: '0|3|6|9',
      description: 'fractional digits of the seconds in line times',
      default: '6',
    },
    'create-account': {
      type: 'string',
      valueName: 'on|off',
      description: 'write GET /create_account lines when users sign up',
      default: 'on',
    },
    sessions: {
      type: 'string',
      valueName: 'N',
      description: 'sessions in progress at once (density of the stream in simulated time)',
      default: '1000',
    },
    'scoreboard-every': {
      type: 'string',
      valueName: 'SECONDS',
      description: 'live mode: scoreboard interval on stderr',
      default: '5',
    },
    'drift-at': {
      type: 'string',
      valueName: 'ISO',
      description: 'scenario: from this simulated time some users turn to --drift-genre',
    },
    'drift-share': {
      type: 'string',
      valueName: 'F',
      description: 'scenario: share of users whose taste drifts',
      default: '0.3',
    },
    'drift-genre': {
      type: 'string',
      valueName: 'NAME',
      description: 'scenario: genre drifting users turn to',
      default: 'Horror',
    },
    'review-bomb-at': {
      type: 'string',
      valueName: 'ISO',
      description: 'scenario: a burst of 1-star ratings for one movie from fresh accounts',
    },
    'review-bomb-count': {
      type: 'string',
      valueName: 'N',
      description: 'scenario: fresh accounts in the review bomb',
      default: '200',
    },
    'review-bomb-movie': {
      type: 'string',
      valueName: 'MOVIEID',
      description: 'scenario: the bombed movie (default: the most popular)',
    },
    'flood-at': {
      type: 'string',
      valueName: 'ISO',
      description: 'scenario: a flood of recommendation requests from one client for one user',
    },
    'flood-requests': {
      type: 'string',
      valueName: 'N',
      description: 'scenario: requests in the flood',
      default: '500',
    },
    'flood-user': {
      type: 'string',
      valueName: 'USERID',
      description: 'scenario: the flooding user (default: drawn from the world)',
    },
    'spurious-rate': {
      type: 'string',
      valueName: 'F',
      description:
        'scenario: chance per line of a spurious line (truncated, unknown movie, bad rating, bad ' +
        'time, duplicate, out of order)',
      default: '0',
    },
  },
  async run(ctx) {
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const res = await runSim(toOptions(ctx.values, ctx, ac.signal)).catch((e: unknown) => {
        // The library reports bad inputs it alone can check (an unknown movie or genre) as RangeError.
        throw e instanceof RangeError ? Errors.usage(`movrec sim: ${e.message}`) : e;
      });
      const toStdout = ctx.values.out !== '-';
      const say = (t: string): void => (toStdout ? ctx.out(t) : void process.stderr.write(`${t}\n`));
      if (ctx.json) say(JSON.stringify(res));
      else if (res.mode === 'query') {
        if (res.oracle) say(res.oracle.join(','));
        if (res.trueRating !== undefined) say(res.trueRating.toFixed(4));
        if (res.noiseFloorRmse !== undefined) say(res.noiseFloorRmse.toFixed(4));
      } else if (res.mode === 'history') say(`wrote ${res.lines} lines in ${res.seconds.toFixed(2)} s`);
      else say(formatScoreboard(res.scoreboard));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
