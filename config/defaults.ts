// The default configuration, every setting documented. A file given with
// --config is deep-merged over this; MOVREC_* environment variables (see
// src/config/env.ts) override both; the result is validated once and frozen.
// The type comes from the schema (src/config/schema.ts): a new setting gets its
// check there and its default, documented, here.
import type { Config } from '../src/config/schema';

export const defaults: Config = {
  /** Where LMDB, models and caches live. `--data-dir` and `$STATE_DIRECTORY` override it. */
  dataDir: './data',
  log: {
    /** trace | debug | info | warn | error | fatal | silent */
    level: 'info',
  },
  kafka: {
    /** host:port list of bootstrap brokers. */
    brokers: ['localhost:9092'],
    /** The stream's topic, `movielog<N>` in the course. */
    topic: 'movielog1',
    /** Consumer group; offsets are committed under it after each LMDB transaction. */
    groupId: 'movrec',
    /** The client id the broker sees in its logs and quotas. */
    clientId: 'movrec',
    /** SASL/PLAIN credentials `{ mechanism: 'plain', username, password }` when the broker requires them. */
    sasl: null,
    /** TLS to the brokers (the course tunnels are plain TCP). */
    ssl: false,
    /** Where a group with no committed offset starts: earliest | latest | an ISO time. */
    startFrom: 'earliest',
    /** Whether `movrec serve` consumes the topic (`movrec ingest` always does unless given --from-file). */
    enabled: false,
    /** Consumer group session timeout: how long a dead consumer holds its partitions (broker minimum 6000). */
    sessionTimeoutMs: 30000,
    /**
     * Longest wait between attempts while the topic, a partition leader, the group coordinator or the broker is
     * missing (retried forever, with jitter).
     */
    retryMaxMs: 10000,
  },
  catalog: {
    /** Base URL of the catalog API (`/user/<id>`, `/movie/<id>`); null: no catalog fetches. */
    baseUrl: null,
    /** Requests per second we allow ourselves against the catalog (it rate-limits callers). */
    ratePerSecond: 50,
    /** Attempts per id before it is recorded as a failed fetch. */
    retries: 5,
    /** One catalog request's time limit; a slower answer counts as a failed attempt. */
    timeoutMs: 2000,
    /** Ids per request where the catalog accepts comma-separated lists (one term allowed 200); 1: one id each. */
    bulkSize: 1,
  },
  ingest: {
    /** Lines per LMDB transaction, at most. */
    batchLines: 20000,
    /** Highest valid rating: 5 in most terms, 10 in one. */
    ratingMax: 5,
    /** Rejected lines kept per reason for inspection. */
    rejectsKept: 20,
  },
  serve: {
    /** Address to listen on (0.0.0.0: every interface, as the simulator calls from another host). */
    host: '0.0.0.0',
    /** Port of GET /recommend/<userid>: 8082 in the course; 0 picks a free one. */
    port: 8082,
    /** Scoring worker threads. */
    threads: 2,
    /** Internal answer budget, well under the simulator's 600 ms. */
    deadlineMs: 200,
    /** Queue length beyond which answers degrade to the segment list. */
    maxQueue: 512,
    /** Most users per scoring task: requests of one event-loop turn share one kernel pass. 1 turns batching off. */
    batchSize: 32,
    /** Movies per answer. */
    listSize: 20,
    /** Whether a user with unknown age is treated as a minor (adult titles hidden). */
    unknownAgeIsMinor: true,
    /** Bearer token for /admin/*; null disables the admin routes. Never logged. */
    adminToken: null,
    /** Serve /admin/* to loopback clients only. */
    adminLoopbackOnly: true,
    /**
     * Days of per-answer provenance (request id, user, model, source, latency) kept in LMDB;
     * 0 logs it at debug level instead.
     */
    requestLogDays: 3,
    /**
     * On SIGTERM, the stream of requests on kept-alive connections must pause this long before they are
     * closed: a client that had an answer just before the stop may already have sent its next request.
     */
    drainQuietMs: 1000,
    /** Longest a stop waits for that pause before closing the remaining connections anyway. */
    drainMaxMs: 10000,
  },
  rateLimit: {
    /** What a client is: its address (`ip`) or the user id in the path (`user`). */
    keyBy: 'ip',
    /**
     * Requests allowed per client per window. The course simulator calls from ONE
     * address at a small share of a ~1,000 lines/s stream, far below 200/s, so it is
     * never throttled, while a flood from any one other address is cut at 200/s.
     */
    points: 200,
    /** Length of the fixed window the points are counted in. */
    windowSeconds: 1,
    /**
     * Addresses or CIDR ranges never limited (loopback: the embedded demo, local load tests);
     * add the simulator's address to exempt it fully.
     */
    trusted: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
  },
  train: {
    /** Days of event time before the newest event that a snapshot covers (0: all). */
    windowDays: 0,
    /** Latent factors per user and movie (MF, MF with implicit term, iALS). */
    factors: 64,
    /** SGD epochs of the MF models (iALS keeps its own sweep count). */
    epochs: 20,
    /** SGD step size of the MF models. */
    learningRate: 0.007,
    /** L2 penalty on the MF models' factors and biases. */
    regularization: 0.05,
    /** Seed of factor initialisation and shuffling: the same data and seed give the same model. */
    seed: 1,
    /**
     * Share of the titles that a candidate's lists must cover on the time split (over the evaluated users) to be
     * chosen: the best NDCG@20 among those that do serves, the best overall when none does (0: NDCG@20 alone).
     * Off by default: on real MovieLens data NDCG@20 alone already served lists covering over 20% of titles, and
     * a floor of 0.2 cost recall there and the online figure in both simulator worlds (src/model/MODELS.md).
     */
    minCoverage: 0,
    /**
     * What picks the serving model on the time split: 'ndcg' (NDCG@20 of the titles watched next, which
     * rewards what is popular), 'rated-order' (how well the ranking orders the held-out ratings, which
     * rewards what users like) or 'choices' (how well it orders each answered list of the test period that
     * the user then chose from: the chosen title against the others shown, src/eval/choice-order.ts; NDCG@20
     * when the test period has fewer than 200 such lists, as a store whose stream has no request lines).
     */
    selectBy: 'choices',
  },
  retrain: {
    /**
     * Minutes between scheduled retrains inside `movrec serve` (counted from the previous start; fractions
     * allowed); 0: no time schedule.
     */
    everyMinutes: 0,
    /**
     * Stream lines ingested by `movrec serve` since the previous retrain started that start one; 0: no count trigger.
     */
    everyEvents: 0,
    /**
     * Niceness of the training child (0 to 19): it is spawned under `nice`, so every one of its threads has it
     * from the start.
     */
    nice: 19,
    /**
     * Also run the training child under SCHED_IDLE (`chrt --idle 0`, when chrt exists): it gets a core only when
     * serving leaves one idle.
     */
    schedIdle: true,
    /** A training child running longer than this is killed and counted as failed. */
    timeoutMinutes: 120,
    /** Flags for the training child's node (V8 heap and GC settings, e.g. `--max-semi-space-size=64`). */
    nodeFlags: [],
    /**
     * After each scheduled retrain, models beyond this many newest are removed with the training snapshots no kept
     * model uses (as `movrec models gc --keep N`; never the stable, canary or an experiment's arms); 0: keep all.
     */
    keepModels: 20,
  },
  telemetry: {
    /**
     * Most bytes the answer log (LMDB sub-db `answers`) keeps beside its age limit (serve.requestLogDays);
     * the oldest seconds go first.
     */
    answerLogMaxBytes: 256 * 1024 * 1024,
    /**
     * Minutes of stream event time after an answer in which a watch of a listed title counts as a hit
     * (and ratings of listed titles count).
     */
    joinWindowMinutes: 60,
    /** Days of event time the joined outcomes (sub-db `online`) are kept for `movrec report online`. */
    onlineDays: 30,
  },
  release: {
    /**
     * Share of users (percent) a model proposed for canary (retrain, `movrec models canary` without --percent)
     * receives.
     */
    canaryPercent: 10,
    /** How often the canary guard compares canary with stable. */
    guardIntervalMs: 5000,
    /** Canary answers before it may be promoted. */
    minAnswers: 5000,
    /** Users per arm (canary and stable) whose join window has closed before the canary may be promoted. */
    minUsers: 500,
    /** Canary answers before its error rate or latency is judged (a handful of slow first answers is no regression). */
    minHealthAnswers: 200,
    /** Rollback when the canary's error rate exceeds stable's by more than this (absolute share of answers). */
    maxErrorRateIncrease: 0.01,
    /** Rollback when the canary's p99 latency exceeds both stable's times this factor and stable's plus p99SlackMs. */
    p99Ratio: 2,
    p99SlackMs: 5,
    /** Two-sided significance of experiments and of the guard's sequential test. */
    alpha: 0.05,
    /** Planned power of experiments (their fixed horizon is set from it). */
    power: 0.8,
    /**
     * Smallest difference in per-user watch-from-list rate worth detecting: the experiments' planned effect and the
     * mSPRT's mixing scale tau.
     */
    minEffect: 0.02,
    /**
     * Expected watch-from-list rate, bounding the per-user standard deviation (sqrt(p(1-p))) of an experiment's power
     * calculation.
     */
    baselineRate: 0.3,
  },
  gate: {
    /** A candidate whose RMSE exceeds this is rejected. */
    maxRmse: 1.2,
    /** A candidate whose NDCG@20 is below the approved model's by more than this is rejected. */
    ndcgTolerance: 0.01,
  },
};
