// Loading an artifact into the scorer (SIGHUP, admin route): a refusal is
// counted here (the scorer logs it), and the current model keeps serving
// because the scorer only flips after a complete, verified load.
import { isMovrecError } from '../errors';
import type { Role, Scorer } from './scorer';
import { modelLoadFailures } from './metrics';

export async function activateArtifact(
  scorer: Scorer,
  file: string,
  role: Role,
): Promise<{ modelId: string; generation: number }> {
  try {
    return await scorer.loadModel(file, role);
  } catch (e) {
    modelLoadFailures.labels(isMovrecError(e) ? e.code : 'unexpected').inc();
    throw e;
  }
}
