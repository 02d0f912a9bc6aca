// config/example.json, the operator flow's configuration: it loads through the
// real loader (validated like any --config file) and names every setting.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaults } from '../../config/defaults';
import { loadConfig } from '../../src/config/load';

const FILE = join(__dirname, '..', '..', 'config', 'example.json');

/** Every setting's dotted path (a nullable object such as kafka.sasl counts as one setting). */
function paths(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? paths(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

t.test('config/example.json loads and names every setting', async (t) => {
  const config = loadConfig({ file: FILE, env: {} });
  t.equal(config.kafka.enabled, true, 'it is the operator flow: serve consumes the topic');
  t.match(config.catalog.baseUrl, /^http:\/\/127\.0\.0\.1:8080$/, "with the simulator's catalog API");
  const example = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  t.same(
    paths(example).sort(),
    paths(defaults as unknown as Record<string, unknown>).sort(),
    'every setting, no other',
  );
});
