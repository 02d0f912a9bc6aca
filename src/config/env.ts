// The explicit table of environment overrides. Nothing else in the environment
// changes configuration.

export type EnvParse = 'string' | 'int' | 'number' | 'bool' | 'list' | 'nullable-string';

export interface EnvOverride {
  name: string;
  path: string;
  parse: EnvParse;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { name: 'MOVREC_DATA_DIR', path: 'dataDir', parse: 'string' },
  { name: 'MOVREC_LOG_LEVEL', path: 'log.level', parse: 'string' },
  { name: 'MOVREC_KAFKA_BROKERS', path: 'kafka.brokers', parse: 'list' },
  { name: 'MOVREC_KAFKA_TOPIC', path: 'kafka.topic', parse: 'string' },
  { name: 'MOVREC_KAFKA_GROUP', path: 'kafka.groupId', parse: 'string' },
  { name: 'MOVREC_KAFKA_START_FROM', path: 'kafka.startFrom', parse: 'string' },
  { name: 'MOVREC_KAFKA_ENABLED', path: 'kafka.enabled', parse: 'bool' },
  { name: 'MOVREC_KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', parse: 'string' },
  { name: 'MOVREC_KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', parse: 'string' },
  { name: 'MOVREC_CATALOG_URL', path: 'catalog.baseUrl', parse: 'nullable-string' },
  { name: 'MOVREC_HOST', path: 'serve.host', parse: 'string' },
  { name: 'MOVREC_PORT', path: 'serve.port', parse: 'int' },
  { name: 'MOVREC_THREADS', path: 'serve.threads', parse: 'int' },
  { name: 'MOVREC_ADMIN_TOKEN', path: 'serve.adminToken', parse: 'nullable-string' },
  { name: 'MOVREC_RATING_MAX', path: 'ingest.ratingMax', parse: 'int' },
];

/** Parses an environment string; a value that does not parse is passed through so validation names it. */
export function parseEnv(raw: string, parse: EnvParse): unknown {
  switch (parse) {
    case 'string':
      return raw;
    case 'nullable-string':
      return raw === '' || raw === 'null' ? null : raw;
    case 'int':
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    }
    case 'bool':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
}
