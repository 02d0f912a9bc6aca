// What a store holds, recorded at its first write: the stream (a Kafka topic),
// the catalog it was filled from and, when the catalog says so, the simulated
// world behind it. A writer of another identity is refused: two worlds mixed
// in one store make every model trained on it wrong without any error.
import { Errors } from '../errors';
import { storeTables, type Store } from './store';

export interface StoreIdentity {
  /** `kafka:<topic>`, or null for files and stdin (replays of any stream). */
  stream: string | null;
  /** The catalog API's base URL, or null without one. */
  catalog: string | null;
  /** The world id the catalog API names at GET /world (the simulator's), or null when it names none. */
  world: string | null;
}

export const META_IDENTITY = 'identity';

export function readIdentity(store: Store): StoreIdentity | null {
  return (storeTables(store).meta.get(META_IDENTITY) as StoreIdentity | undefined) ?? null;
}

/** The first difference between what the store holds and what a writer brings, in words, or null when they agree. */
export function identityConflict(held: StoreIdentity, brought: StoreIdentity): string | null {
  if (held.stream && brought.stream && held.stream !== brought.stream)
    return `it holds stream ${held.stream}, not ${brought.stream}`;
  if (held.world && brought.world && held.world !== brought.world)
    return (
      `it holds world ${held.world} (catalog ${held.catalog ?? 'none'}), not world ${brought.world} ` +
      `(catalog ${brought.catalog ?? 'none'})`
    );
  // Without a world id on both sides, the catalog's address is all that tells two worlds apart.
  if (!(held.world && brought.world) && held.catalog && brought.catalog && held.catalog !== brought.catalog)
    return `it was filled from catalog ${held.catalog}, not ${brought.catalog}`;
  return null;
}

/**
 * Records `brought` on a store that has no identity yet (or fills in what was
 * not known), or refuses with MOVREC_ERR_STORE_IDENTITY when the store holds
 * another stream or world.
 */
export async function claimIdentity(store: Store, dataDir: string, brought: StoreIdentity): Promise<StoreIdentity> {
  const held = readIdentity(store);
  if (held) {
    const why = identityConflict(held, brought);
    if (why) throw Errors.storeIdentity(dataDir, why);
  }
  const merged: StoreIdentity = {
    stream: held?.stream ?? brought.stream,
    catalog: held?.catalog && held.world ? (brought.catalog ?? held.catalog) : (held?.catalog ?? brought.catalog),
    world: held?.world ?? brought.world,
  };
  if (JSON.stringify(merged) !== JSON.stringify(held)) await storeTables(store).meta.put(META_IDENTITY, merged);
  return merged;
}
