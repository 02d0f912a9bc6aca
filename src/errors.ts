// Every error movrec raises on purpose: a code, an HTTP status where one
// applies, and whether retrying can help. The table in docs/errors.md mirrors it
// (tests/docs/error-catalogue.test.ts keeps them in step).

export class MovrecError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly retriable: boolean;
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    opts: { status?: number; retriable?: boolean; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MovrecError';
    this.code = code;
    this.status = opts.status;
    this.retriable = opts.retriable ?? false;
    this.exitCode = opts.exitCode ?? 1;
  }
}

export const Errors = {
  usage: (message: string) => new MovrecError('MOVREC_ERR_USAGE', message, { exitCode: 2 }),
  config: (message: string) => new MovrecError('MOVREC_ERR_CONFIG', message, { exitCode: 2 }),
  configFile: (file: string, why: string) =>
    new MovrecError('MOVREC_ERR_CONFIG_FILE', `cannot read config file ${file}: ${why}`, { exitCode: 2 }),
  /** `rule` is domain/user-id.ts's USER_ID_RULE (errors sit below every layer and import none). */
  badUserId: (raw: string, rule: string) =>
    new MovrecError('MOVREC_ERR_BAD_USER_ID', `user id must be ${rule}, got "${raw.slice(0, 40)}"`, {
      status: 400,
    }),
  notFound: (path: string) =>
    new MovrecError('MOVREC_ERR_NOT_FOUND', `no route for ${path.slice(0, 80)}`, { status: 404 }),
  methodNotAllowed: (method: string) =>
    new MovrecError('MOVREC_ERR_METHOD', `method ${method} not allowed`, { status: 405 }),
  unauthorized: () => new MovrecError('MOVREC_ERR_UNAUTHORIZED', 'a valid bearer token is required', { status: 401 }),
  forbidden: (why: string) => new MovrecError('MOVREC_ERR_FORBIDDEN', why, { status: 403 }),
  modelChecksum: (id: string) =>
    new MovrecError('MOVREC_ERR_MODEL_CHECKSUM', `model ${id}: checksum mismatch, artifact refused`),
  modelFormat: (id: string, why: string) => new MovrecError('MOVREC_ERR_MODEL_FORMAT', `model ${id}: ${why}`),
  answerNotFound: (id: string) =>
    new MovrecError(
      'MOVREC_ERR_ANSWER_NOT_FOUND',
      `no answer recorded under request id ${id} (refused requests are counted, not kept; the log keeps serve.requestLogDays and telemetry.answerLogMaxBytes)`,
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
    new MovrecError('MOVREC_ERR_MODEL_NOT_LOADED', 'no model is loaded yet', { status: 503, retriable: true }),
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
      `store schema version ${String(found)} does not match this build's ${want}: ingest the stream again into a new --data-dir (the old store is left untouched)`,
    ),
  storeUpgrade: (found: number, want: number) =>
    new MovrecError(
      'MOVREC_ERR_STORE_SCHEMA',
      `store schema version ${found} needs an upgrade to ${want}, which a read-only open cannot do: run a writing command once (movrec ingest or movrec serve) on this --data-dir`,
    ),
  storeIdentity: (dataDir: string, why: string) =>
    new MovrecError(
      'MOVREC_ERR_STORE_IDENTITY',
      `the store under ${dataDir} belongs to another stream: ${why}. Use a fresh --data-dir, or --reset to wipe this one`,
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
  kafka: (message: string, cause?: unknown) => new MovrecError('MOVREC_ERR_KAFKA', message, { retriable: true, cause }),
  catalog: (message: string, retriable: boolean) => new MovrecError('MOVREC_ERR_CATALOG', message, { retriable }),
};

export function isMovrecError(e: unknown): e is MovrecError {
  return e instanceof MovrecError;
}
