// Model loading with verify-then-flip: an artifact is read into an idle slot,
// verified, parsed, handed to the workers to parse, and only then serves its role.
import { existsSync } from 'node:fs';
import { Errors, isMovrecError } from '../errors';
import { logger } from '../log';
import { artifactSize } from '../model/artifact';
import { loadVerified } from './load-artifact';
import { modelLoads } from './metrics';
import { packShared } from './pack-shared';
import { prepareModel, type PreparedModel } from './prepared-model';
import type { Role, SlotPublisher } from './slots';

/** The model a role serves, as the main thread holds it (for degraded answers). */
export interface Serving {
  modelId: string;
  generation: number;
  model: PreparedModel;
}

export interface ModelLoader {
  load(file: string, role: Role): Promise<{ modelId: string; generation: number }>;
  /** The model serving `role`; any other role without its own model is served by the stable one. */
  servingFor(role: Role): Serving | undefined;
  /** Makes the model serving `from` serve stable too (one flip, no load) and leaves `from` with none. */
  promote(from: Role): Promise<{ modelId: string; generation: number }>;
  /** Leaves `role` with no model: its users are answered by stable. */
  retire(role: Role): Promise<void>;
}

/** `prepareWorkers` runs after the slot is filled and verified, before it serves. */
export function createModelLoader(
  publisher: SlotPublisher,
  prepareWorkers: (slot: number, generation: number, packedItems: SharedArrayBuffer | undefined) => Promise<void>,
): ModelLoader {
  const serving = new Map<Role, Serving>();
  const loads = modelLoads();

  async function load(file: string, role: Role): Promise<{ modelId: string; generation: number }> {
    const started = process.hrtime.bigint();
    try {
      if (!existsSync(file)) throw Errors.modelNotFound(file);
      const bytes = artifactSize(file);
      let packedItems: SharedArrayBuffer | undefined;
      const published = await publisher.publish(
        role,
        bytes,
        async (target) => {
          const steps = await loadVerified(file, target);
          const t = performance.now();
          const model = prepareModel(target, { verify: false, label: file });
          packedItems = await packShared(model.view);
          return { model, ...steps, prepareMs: Math.round(performance.now() - t) };
        },
        (slot, generation) => prepareWorkers(slot, generation, packedItems),
      );
      const { model, readMs, verifyMs, prepareMs } = published.value;
      const modelId = model.view.id;
      serving.set(role, { modelId, generation: published.generation, model });
      loads.inc({ outcome: 'ok' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger().info(
        {
          modelId,
          role,
          generation: published.generation,
          slot: published.slot,
          ms: Math.round(ms),
          readMs,
          verifyMs,
          prepareMs,
        },
        'model published',
      );
      return { modelId, generation: published.generation };
    } catch (e) {
      loads.inc({ outcome: isMovrecError(e) ? e.code : 'error' });
      logger().error(
        { file, role, err: (e as Error).message, code: isMovrecError(e) ? e.code : undefined },
        'model refused; the current model keeps serving',
      );
      throw e;
    }
  }

  return {
    load,
    servingFor(role) {
      return serving.get(role) ?? (role !== 'stable' ? serving.get('stable') : undefined);
    },
    async promote(from) {
      const s = serving.get(from);
      if (!s || from === 'stable') throw Errors.modelNotLoaded();
      const slot = await publisher.promote(from, 'stable');
      serving.set('stable', s);
      serving.delete(from);
      logger().info({ modelId: s.modelId, from, generation: s.generation, slot }, 'model promoted to stable');
      return { modelId: s.modelId, generation: s.generation };
    },
    async retire(role) {
      await publisher.retire(role);
      const s = serving.get(role);
      serving.delete(role);
      if (s) logger().info({ modelId: s.modelId, role }, 'role retired: its users are answered by stable');
    },
  };
}
