// Builds the one configuration object: defaults, then a file, then the
// environment table, then command-line flags; validated, then deep-frozen.
import { readFileSync } from 'node:fs';
import { defaults } from '../../config/defaults';
import { Errors } from '../errors';
import { ENV_OVERRIDES, parseEnv } from './env';
import { type Config, validate } from './schema';

export type { Config } from './schema';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Plain, v) : v;
  return out;
}

function setPath(obj: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isPlain(cur[k])) cur[k] = k === 'sasl' ? { mechanism: 'plain', username: '', password: '' } : {};
    cur = cur[k] as Plain;
  }
  cur[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Dotted-path overrides from command-line flags, applied last. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  let cfg: Plain = structuredClone(defaults) as unknown as Plain;
  if (env.STATE_DIRECTORY) cfg.dataDir = env.STATE_DIRECTORY.split(':')[0];
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw Errors.configFile(opts.file, (e as Error).message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw Errors.configFile(opts.file, `not valid JSON: ${(e as Error).message}`);
    }
    if (!isPlain(parsed)) throw Errors.configFile(opts.file, 'the top level must be an object');
    cfg = merge(cfg, parsed);
  }
  for (const o of ENV_OVERRIDES) {
    const raw = env[o.name];
    if (raw !== undefined) setPath(cfg, o.path, parseEnv(raw, o.parse));
  }
  for (const [path, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) setPath(cfg, path, v);
  validate(cfg);
  return deepFreeze(cfg as unknown as Config);
}

/** The configuration with secrets replaced, safe to log or print. */
export function redacted(cfg: Readonly<Config>): Config {
  const c = structuredClone(cfg) as Config;
  if (c.kafka.sasl) c.kafka.sasl.password = '<redacted>';
  if (c.serve.adminToken) c.serve.adminToken = '<redacted>';
  return c;
}
