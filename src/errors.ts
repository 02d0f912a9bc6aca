// Every error movrec raises on purpose: a code, an HTTP status where one
// applies, and whether retrying can help. The table in docs/errors.md mirrors it
// (tests/docs/error-catalogue.test.ts keeps them in step, and checks that every
// factory here is raised somewhere and that HTTP errors go out only through respond).

export class MovrecError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly retriable: boolean;
  readonly exitCode: number;
  /** How long the caller should wait before trying again, when the cause says (Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** Headers an HTTP answer of this error carries besides Retry-After (Allow, WWW-Authenticate, ...). */
  readonly headers: readonly (readonly [string, string])[];

  constructor(code: string, message: string, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MovrecError';
    this.code = code;
    this.status = opts.status;
    this.retriable = opts.retriable ?? false;
    this.exitCode = opts.exitCode ?? 1;
    this.retryAfterMs = opts.retryAfterMs;
    this.headers = opts.headers ?? [];
  }
}

interface ErrorOptions {
  status?: number;
  retriable?: boolean;
  exitCode?: number;
  cause?: unknown;
  retryAfterMs?: number;
  headers?: readonly (readonly [string, string])[];
}

/** Client-supplied text in a message: bounded, printable ASCII only, so the answer stays one line. */
const quoted = (raw: string, max: number): string => raw.slice(0, max).replace(/[^\x20-\x7e]/g, '?');

export const Errors = {
  usage: (message: string) => new MovrecError('MOVREC_ERR_USAGE', message, { exitCode: 2 }),
  config: (message: string) => new MovrecError('MOVREC_ERR_CONFIG', message, { exitCode: 2 }),
  configFile: (file: string, why: string) =>
    new MovrecError('MOVREC_ERR_CONFIG_FILE', `cannot read config file ${file}: ${why}`, { exitCode: 2 }),
  /** `rule` is domain/user-id.ts's USER_ID_RULE (errors sit below every layer and import none). */
  badUserId: (raw: string, rule: string) =>
    new MovrecError('MOVREC_ERR_BAD_USER_ID', `user id must be ${rule}, got "${quoted(raw, 40)}"`, { status: 400 }),
  notFound: (path: string) =>
    new MovrecError('MOVREC_ERR_NOT_FOUND', `no route for ${quoted(path, 80)}`, { status: 404 }),
  methodNotAllowed: (method: string, pattern: string, allow: string) =>
    new MovrecError('MOVREC_ERR_METHOD', `method ${quoted(method, 20)} not allowed on ${pattern}`, {
      status: 405,
      headers: [['Allow', allow]],
    }),
  badRole: () => new MovrecError('MOVREC_ERR_BAD_ROLE', 'role must be stable or canary', { status: 400 }),
  rateLimited: (
    limit: number,
    windowSeconds: number,
    resetSeconds: number,
    headers: readonly (readonly [string, string])[],
  ) =>
    new MovrecError('MOVREC_ERR_RATE_LIMITED', `rate limit of ${limit} requests per ${windowSeconds} s exceeded`, {
      status: 429,
      retriable: true,
      retryAfterMs: resetSeconds * 1000,
      headers,
    }),
  adminDisabled: () =>
    new MovrecError('MOVREC_ERR_ADMIN_DISABLED', 'admin routes are disabled (serve.adminToken is not set)', {
      status: 404,
    }),
  unauthorized: () =>
    new MovrecError('MOVREC_ERR_UNAUTHORIZED', 'a valid bearer token is required', {
      status: 401,
      headers: [['WWW-Authenticate', 'Bearer']],
    }),
  forbidden: (why: string) => new MovrecError('MOVREC_ERR_FORBIDDEN', why, { status: 403 }),
  notReady: (why: string) =>
    new MovrecError('MOVREC_ERR_NOT_READY', `not ready: ${why}`, { status: 503, retriable: true }),
  internal: (message: string, cause?: unknown) =>
    new MovrecError('MOVREC_ERR_INTERNAL', message, { status: 500, cause }),
  modelChecksum: (id: string) =>
    new MovrecError('MOVREC_ERR_MODEL_CHECKSUM', `model ${id}: checksum mismatch, artifact refused`, { status: 422 }),
  modelFormat: (id: string, why: string) =>
    new MovrecError('MOVREC_ERR_MODEL_FORMAT', `model ${id}: ${why}`, { status: 422 }),
  answerNotFound: (id: string) =>
    new MovrecError(
      'MOVREC_ERR_ANSWER_NOT_FOUND',
      `no answer recorded under request id ${id} (refused requests are counted, not kept; the log ` +
        `keeps serve.requestLogDays and telemetry.answerLogMaxBytes)`,
      { status: 404 },
    ),
  modelNotFound: (id: string) =>
    new MovrecError('MOVREC_ERR_MODEL_NOT_FOUND', `model ${id} not found`, { status: 404 }),
  modelSlotBusy: (slots: number[], ms: number) =>
    new MovrecError(
      'MOVREC_ERR_MODEL_SLOT_BUSY',
      `no idle model slot drained within ${ms} ms (idle slots ${slots.join(', ') || 'none'} still have readers)`,
      { retriable: true },
    ),
  modelNotLoaded: () =>
    new MovrecError('MOVREC_ERR_MODEL_NOT_LOADED', 'no model is loaded', {
      status: 503,
      retriable: true,
      retryAfterMs: 1000,
    }),
  /** Exit 75 (EX_TEMPFAIL): the systemd unit counts it as success, the run is skipped, the next one comes. */
  trainingRunning: (dataDir: string, owner: { pid: number; since: string; by: string }) =>
    new MovrecError(
      'MOVREC_ERR_TRAINING_RUNNING',
      `a training is already running on ${dataDir}: pid ${owner.pid} (${owner.by}) since ${owner.since}; ` +
        'this one does not start',
      { retriable: true, exitCode: 75 },
    ),
  modelInUse: (id: string) =>
    new MovrecError(
      'MOVREC_ERR_MODEL_IN_USE',
      `model ${id} is in use (the stable model, the canary, an experiment's arm, or the newest approved one a ` +
        'restart loads): not removed; roll it back or promote another first',
    ),
  snapshotMissing: (path: string) =>
    new MovrecError(
      'MOVREC_ERR_SNAPSHOT_MISSING',
      `training snapshot ${path} is missing: the model cannot be rebuilt from its recorded events`,
    ),
  snapshotChecksum: (path: string, why: string) =>
    new MovrecError('MOVREC_ERR_SNAPSHOT_CHECKSUM', `training snapshot ${path} refused: ${why}`),
  storeSchema: (found: unknown, want: number) =>
    new MovrecError(
      'MOVREC_ERR_STORE_SCHEMA',
      `store schema version ${String(found)} does not match this build's ${want}: ingest the stream ` +
        `again into a new --data-dir (the old store is left untouched)`,
    ),
  storeUpgrade: (found: number, want: number) =>
    new MovrecError(
      'MOVREC_ERR_STORE_SCHEMA',
      `store schema version ${found} needs an upgrade to ${want}, which a read-only open cannot do: ` +
        `run a writing command once (movrec ingest or movrec serve) on this --data-dir`,
    ),
  storeIdentity: (dataDir: string, why: string) =>
    new MovrecError(
      'MOVREC_ERR_STORE_IDENTITY',
      `the store under ${dataDir} belongs to another stream: ${why}. Use a fresh --data-dir, or --reset to wipe ` +
        `this one`,
      { exitCode: 2 },
    ),
  storeMissing: (dataDir: string) =>
    new MovrecError(
      'MOVREC_ERR_STORE_MISSING',
      `no store under ${dataDir}: check --data-dir (or ingest first: movrec ingest); nothing was created`,
      { exitCode: 2 },
    ),
  listen: (host: string, port: number) =>
    new MovrecError('MOVREC_ERR_LISTEN', `cannot listen on ${host}:${port} (address in use, or not allowed)`, {
      retriable: true,
    }),
  releaseConflict: (message: string) => new MovrecError('MOVREC_ERR_RELEASE_CONFLICT', message, { status: 409 }),
  adminUnreachable: (base: string, why: string) =>
    new MovrecError('MOVREC_ERR_ADMIN_UNREACHABLE', `no server answers at ${base}: ${why}`, { retriable: true }),
  releasePlan: (message: string) => new MovrecError('MOVREC_ERR_RELEASE_PLAN', message, { status: 400, exitCode: 2 }),
  kafka: (message: string, cause?: unknown) => new MovrecError('MOVREC_ERR_KAFKA', message, { retriable: true, cause }),
  /** The catalog API failed to answer usefully (5xx, bad JSON, no answer): worth retrying. */
  catalog: (message: string, retryAfterMs?: number, cause?: unknown) =>
    new MovrecError('MOVREC_ERR_CATALOG', message, { retriable: true, retryAfterMs, cause }),
  /** The catalog API answered 429: retry, and slow every request down. */
  catalogLimited: (retryAfterMs: number | undefined) =>
    new MovrecError('MOVREC_ERR_CATALOG_LIMITED', 'catalog answered 429', { retriable: true, retryAfterMs }),
};

export function isMovrecError(e: unknown): e is MovrecError {
  return e instanceof MovrecError;
}
