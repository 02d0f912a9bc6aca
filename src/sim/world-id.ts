// A world's identity: a short digest of the settings that define it, which the
// catalog API answers at GET /world so that a store can tell two worlds apart.
import { createHash } from 'node:crypto';
import type { World } from './world';

export function worldId(world: World): string {
  const p = world.params;
  const defining = JSON.stringify([p.seed, p.users, p.movies, p.ratingMax, p.start, p.drift]);
  return `sim-${p.seed}-${p.users}x${p.movies}-${createHash('sha256').update(defining).digest('hex').slice(0, 12)}`;
}
