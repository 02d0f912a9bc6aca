// The identity a writer brings to a store (see store/identity.ts): the Kafka
// topic it consumes, the catalog it fetches from, and the world id that
// catalog names (the simulator answers GET /world; a catalog that answers
// nothing there names none).
import type { Config } from '../config/load';
import type { StoreIdentity } from '../store/identity';

const WORLD_TIMEOUT_MS = 3000;

/** GET <catalog>/world's `id`, or null when the catalog has no such route or cannot be reached. */
export async function catalogWorldId(baseUrl: string): Promise<string | null> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/world`, { signal: AbortSignal.timeout(WORLD_TIMEOUT_MS) });
    if (!res.ok) return null;
    const body = (await res.json()) as { id?: unknown };
    return typeof body.id === 'string' && body.id.length > 0 ? body.id.slice(0, 200) : null;
  } catch {
    return null;
  }
}

/** What a writer with this configuration brings; `kafka` says whether it consumes the configured topic. */
export async function broughtIdentity(config: Readonly<Config>, kafka: boolean): Promise<StoreIdentity> {
  const catalog = config.catalog.baseUrl;
  return {
    stream: kafka ? `kafka:${config.kafka.topic}` : null,
    catalog,
    world: catalog ? await catalogWorldId(catalog) : null,
  };
}
