// movrec models: list and inspect registered models (movrec models ls)
import { type Command, type CommandContext, intFlag } from '../command';
import { admin, SERVER_OPTION } from '../admin-client';
import { Errors } from '../../errors';
import { listManifests, newestApproved, readManifest } from '../../model/registry';
import { modelsInRelease } from '../../release/controller';
import { acquireTrainLock } from '../../store/train-lock';
import { requireStore, storeExists } from '../../store/require-store';
import { formatRemoval, modelsPastRetention, removeModels } from '../../train/model-retention';
import { existsSync } from 'node:fs';
import { lmdbPath, openStore } from '../../store/store';
import { formatLineage, lineageOf, type ModelOnline } from '../../telemetry/lineage';
import { onlineByModel, onlineReport } from '../../telemetry/online-report';

/** Online figures per model from the store, when there is one. */
async function onlineFigures(dataDir: string): Promise<Map<string, ModelOnline>> {
  if (!existsSync(lmdbPath(dataDir))) return new Map();
  const store = openStore(dataDir, { readOnly: true });
  try {
    return onlineByModel(onlineReport(store.root));
  } finally {
    await store.close();
  }
}

/**
 * `rm` and `gc`: under the training lock (no training between writing its snapshot and registering its model),
 * never a model the release uses or a restart would load.
 */
async function removeUnderLock(
  ctx: CommandContext,
  dataDir: string,
  pick: (all: ReturnType<typeof listManifests>, protect: ReadonlySet<string>) => string[],
): Promise<void> {
  const lock = acquireTrainLock(dataDir, `movrec models ${ctx.positionals[0]}`);
  try {
    const store = storeExists(dataDir) ? openStore(dataDir) : undefined;
    try {
      const protect = new Set(store ? modelsInRelease(store.root) : []);
      const newest = newestApproved(dataDir);
      if (newest) protect.add(newest.id);
      const ids = pick(listManifests(dataDir), protect);
      const r = removeModels(dataDir, ids, protect, store?.root);
      ctx.out(ctx.json ? JSON.stringify(r, null, 2) : formatRemoval(r));
    } finally {
      await store?.close();
    }
  } finally {
    lock.release();
  }
}

export const models: Command = {
  name: 'models',
  summary: 'list and inspect registered models (movrec models ls)',
  usage:
    'ls | show ID [--json] | rm ID | gc [--keep N] | canary ID [--percent N] | promote | rollback | release [--json]',
  details: `ls lists every registered model, newest first, with its lineage: the lifecycle events the
registry records (the manifest's "history": approved, canaried, promoted, rolled back, with reasons) and
its online watch-from-list rate from the join; show prints one manifest.
rm removes one model; gc removes all but the --keep newest (default 10). Neither removes the release's
stable model, canary or experiment arms, nor the newest approved model; a training snapshot
(<data-dir>/snapshots) goes with the last model trained on it, and snapshots no model references go too.
Both hold the training lock (exit 75 while a training runs).
canary puts a model on canary in the running server for --percent of users
(default release.canaryPercent); its guard then promotes or rolls it back by
itself. promote and rollback do it by hand; release prints the stable model,
the canary and the guard's last verdict. These call the server's admin routes.`,
  state: true,
  reports: true,
  positionals: 2,
  options: {
    percent: { type: 'string', valueName: 'N', description: 'share of users for the canary, in (0, 100]' },
    keep: { type: 'string', valueName: 'N', description: 'gc: the newest models kept', default: '10' },
    ...SERVER_OPTION,
  },
  async run(ctx) {
    const [sub = 'ls', id] = ctx.positionals;
    const dataDir = ctx.config().dataDir;
    requireStore(dataDir, { orModels: true });
    if (sub === 'ls') {
      if (id !== undefined) throw Errors.usage(`movrec models ls: unexpected argument "${id.slice(0, 60)}"`);
      const ls = lineageOf(listManifests(dataDir), await onlineFigures(dataDir));
      ctx.out(ctx.json ? JSON.stringify(ls, null, 2) : formatLineage(ls));
      return;
    }
    if (sub === 'show') {
      if (id === undefined) throw Errors.usage('movrec models show: a model id is required');
      ctx.out(JSON.stringify(readManifest(dataDir, id), null, 2));
      return;
    }
    if (sub === 'rm') {
      if (id === undefined) throw Errors.usage('movrec models rm: a model id is required');
      readManifest(dataDir, id);
      return removeUnderLock(ctx, dataDir, () => [id]);
    }
    if (sub === 'gc') {
      if (id !== undefined) throw Errors.usage(`movrec models gc: unexpected argument "${id.slice(0, 60)}"`);
      const keep = intFlag(ctx, 'keep', 0)!;
      return removeUnderLock(ctx, dataDir, (all, protect) => modelsPastRetention(all, keep, protect));
    }
    const server = ctx.values.server as string | undefined;
    if (sub === 'canary') {
      if (id === undefined) throw Errors.usage('movrec models canary: a model id is required');
      const raw = ctx.values.percent;
      const percent = typeof raw === 'string' ? Number(raw) : undefined;
      if (percent !== undefined && !(percent > 0 && percent <= 100))
        throw Errors.usage(
          `movrec models canary: --percent must be a number in (0, 100], got "${String(raw).slice(0, 20)}"`,
        );
      const q = `role=canary${percent !== undefined ? `&percent=${percent}` : ''}`;
      ctx.out(
        (await admin(ctx.config(), server, 'POST', `/admin/models/${encodeURIComponent(id)}/activate?${q}`)).trim(),
      );
      return;
    }
    if (sub === 'promote' || sub === 'rollback' || sub === 'release') {
      if (id !== undefined) throw Errors.usage(`movrec models ${sub}: unexpected argument "${id.slice(0, 60)}"`);
      const body = await admin(
        ctx.config(),
        server,
        sub === 'release' ? 'GET' : 'POST',
        sub === 'release' ? '/admin/release' : `/admin/canary/${sub}`,
      );
      ctx.out(ctx.json ? body.trim() : JSON.stringify(JSON.parse(body), null, 2));
      return;
    }
    throw Errors.usage(
      `movrec models: unknown subcommand "${sub.slice(0, 40)}" ` +
        '(ls, show, rm, gc, canary, promote, rollback or release)',
    );
  },
};
