// The default configuration, every setting documented. A file given with
// --config is deep-merged over this; MOVREC_* environment variables (see
// src/config/env.ts) override both; the result is validated once and frozen.

export interface KafkaSasl {
  mechanism: 'plain';
  username: string;
  password: string;
}

export interface Config {
  /** Where LMDB, models and caches live. `--data-dir` and `$STATE_DIRECTORY` override it. */
  dataDir: string;
  log: {
    /** trace | debug | info | warn | error | fatal | silent */
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  };
  kafka: {
    /** host:port list of bootstrap brokers. */
    brokers: string[];
    /** The stream's topic, `movielog<N>` in the course. */
    topic: string;
    /** Consumer group; offsets are committed under it after each LMDB transaction. */
    groupId: string;
    /** The client id the broker sees in its logs and quotas. */
    clientId: string;
    /** SASL/PLAIN credentials when the broker requires them (null: none). */
    sasl: KafkaSasl | null;
    /** TLS to the brokers (the course tunnels are plain TCP). */
    ssl: boolean;
    /** Where a group with no committed offset starts: earliest | latest | an ISO time. */
    startFrom: string;
    /** Whether `movrec serve` consumes the topic (`movrec ingest` always does unless given --from-file). */
    enabled: boolean;
    /** Consumer group session timeout: how long a dead consumer holds its partitions (broker minimum 6000). */
    sessionTimeoutMs: number;
    /** Longest wait between attempts while the topic, a partition leader, the group coordinator or the broker is missing (retried forever, with jitter). */
    retryMaxMs: number;
  };
  catalog: {
    /** Base URL of the catalog API (`/user/<id>`, `/movie/<id>`); null: no catalog fetches. */
    baseUrl: string | null;
    /** Requests per second we allow ourselves against the catalog (it rate-limits callers). */
    ratePerSecond: number;
    /** Attempts per id before it is recorded as a failed fetch. */
    retries: number;
    /** One catalog request's time limit; a slower answer counts as a failed attempt. */
    timeoutMs: number;
    /** Ids per request where the catalog accepts comma-separated lists (one term allowed 200); 1: one id per request. */
    bulkSize: number;
  };
  ingest: {
    /** Lines per LMDB transaction, at most. */
    batchLines: number;
    /** Highest valid rating: 5 in most terms, 10 in one. */
    ratingMax: number;
    /** Rejected lines kept per reason for inspection. */
    rejectsKept: number;
  };
  serve: {
    /** Address to listen on (0.0.0.0: every interface, as the simulator calls from another host). */
    host: string;
    /** Port of GET /recommend/<userid>: 8082 in the course; 0 picks a free one. */
    port: number;
    /** Scoring worker threads. */
    threads: number;
    /** Internal answer budget, well under the simulator's 600 ms. */
    deadlineMs: number;
    /** Queue length beyond which answers degrade to the segment list. */
    maxQueue: number;
    /** Most users per scoring task: requests of one event-loop turn share one pass of the kernel. 1 turns batching off. */
    batchSize: number;
    /** Movies per answer. */
    listSize: number;
    /** Whether a user with unknown age is treated as a minor (adult titles hidden). */
    unknownAgeIsMinor: boolean;
    /** Bearer token for /admin/*; null disables the admin routes. Never logged. */
    adminToken: string | null;
    /** Serve /admin/* to loopback clients only. */
    adminLoopbackOnly: boolean;
    /** Days of per-answer provenance (request id, user, model, source, latency) kept in LMDB; 0 logs it at debug level instead. */
    requestLogDays: number;
    /** On SIGTERM, the stream of requests on kept-alive connections must pause this long before they are closed: a client that had an answer just before the stop may already have sent its next request. */
    drainQuietMs: number;
    /** Longest a stop waits for that pause before closing the remaining connections anyway. */
    drainMaxMs: number;
  };
  rateLimit: {
    /** What a client is: its address (`ip`) or the user id in the path (`user`). */
    keyBy: 'ip' | 'user';
    /**
     * Requests allowed per client per window. The course simulator calls from ONE
     * address at a small share of a ~1,000 lines/s stream, far below 200/s, so it is
     * never throttled, while a flood from any one other address is cut at 200/s.
     */
    points: number;
    /** Length of the fixed window the points are counted in. */
    windowSeconds: number;
    /** Addresses or CIDR ranges never limited (loopback: the embedded demo, local load tests); add the simulator's address to exempt it fully. */
    trusted: string[];
  };
  train: {
    /** Days of event time before the newest event that a snapshot covers (0: all). */
    windowDays: number;
    /** Latent factors per user and movie (MF, MF with implicit term, iALS). */
    factors: number;
    /** SGD epochs of the MF models (iALS keeps its own sweep count). */
    epochs: number;
    /** SGD step size of the MF models. */
    learningRate: number;
    /** L2 penalty on the MF models' factors and biases. */
    regularization: number;
    /** Seed of factor initialisation and shuffling: the same data and seed give the same model. */
    seed: number;
  };
  retrain: {
    /** Minutes between scheduled retrains inside `movrec serve` (counted from the previous start; fractions allowed); 0: no time schedule. */
    everyMinutes: number;
    /** Stream lines ingested by `movrec serve` since the previous retrain started that start one; 0: no count trigger. */
    everyEvents: number;
    /** Niceness of the training child (0 to 19): it is spawned under `nice`, so every one of its threads has it from the start. */
    nice: number;
    /** Also run the training child under SCHED_IDLE (`chrt --idle 0`, when chrt exists): it gets a core only when serving leaves one idle. */
    schedIdle: boolean;
    /** A training child running longer than this is killed and counted as failed. */
    timeoutMinutes: number;
    /** Flags for the training child's node (V8 heap and GC settings, e.g. `--max-semi-space-size=64`). */
    nodeFlags: string[];
  };
  telemetry: {
    /** Most bytes the answer log (LMDB sub-db `answers`) keeps beside its age limit (serve.requestLogDays); the oldest seconds go first. */
    answerLogMaxBytes: number;
    /** Minutes of stream event time after an answer in which a watch of a listed title counts as a hit (and ratings of listed titles count). */
    joinWindowMinutes: number;
    /** Days of event time the joined outcomes (sub-db `online`) are kept for `movrec report online`. */
    onlineDays: number;
  };
  gate: {
    /** A candidate whose RMSE exceeds this is rejected. */
    maxRmse: number;
    /** A candidate whose NDCG@20 is below the approved model's by more than this is rejected. */
    ndcgTolerance: number;
  };
}

export const defaults: Config = {
  dataDir: './data',
  log: { level: 'info' },
  kafka: {
    brokers: ['localhost:9092'],
    topic: 'movielog1',
    groupId: 'movrec',
    clientId: 'movrec',
    sasl: null,
    ssl: false,
    startFrom: 'earliest',
    enabled: false,
    sessionTimeoutMs: 30000,
    retryMaxMs: 10000,
  },
  catalog: { baseUrl: null, ratePerSecond: 50, retries: 5, timeoutMs: 2000, bulkSize: 1 },
  ingest: { batchLines: 20000, ratingMax: 5, rejectsKept: 20 },
  serve: {
    host: '0.0.0.0',
    port: 8082,
    threads: 2,
    deadlineMs: 200,
    maxQueue: 512,
    batchSize: 32,
    listSize: 20,
    unknownAgeIsMinor: true,
    adminToken: null,
    adminLoopbackOnly: true,
    requestLogDays: 3,
    drainQuietMs: 1000,
    drainMaxMs: 10000,
  },
  rateLimit: { keyBy: 'ip', points: 200, windowSeconds: 1, trusted: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] },
  train: { windowDays: 0, factors: 64, epochs: 20, learningRate: 0.007, regularization: 0.05, seed: 1 },
  retrain: { everyMinutes: 0, everyEvents: 0, nice: 19, schedIdle: true, timeoutMinutes: 120, nodeFlags: [] },
  telemetry: { answerLogMaxBytes: 256 * 1024 * 1024, joinWindowMinutes: 60, onlineDays: 30 },
  gate: { maxRmse: 1.2, ndcgTolerance: 0.01 },
};
