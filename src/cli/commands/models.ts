// movrec models: list and inspect registered models (movrec models ls)
import type { Command } from '../command';
import { admin, SERVER_OPTION } from '../admin-client';
import { Errors } from '../../errors';
import { listManifests, readManifest } from '../../model/registry';
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
import { requireStore } from '../../store/require-store';

export const models: Command = {
  name: 'models',
  summary: 'list and inspect registered models (movrec models ls)',
  usage: 'ls | show ID [--json] | canary ID [--percent N] | promote | rollback | release [--json]',
  details: `ls lists every registered model, newest first, with its lineage: the lifecycle events the
registry records (the manifest's "history": approved, canaried, promoted, rolled back, with reasons) and
its online watch-from-list rate from the join; show prints one manifest.
canary puts a model on canary in the running server for --percent of users
(default release.canaryPercent); its guard then promotes or rolls it back by
itself. promote and rollback do it by hand; release prints the stable model,
the canary and the guard's last verdict. These call the server's admin routes.`,
  state: true,
  reports: true,
  positionals: 2,
  options: {
    percent: { type: 'string', valueName: 'N', description: 'share of users for the canary, in (0, 100]' },
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
      `movrec models: unknown subcommand "${sub.slice(0, 40)}" (ls, show, canary, promote, rollback or release)`,
    );
  },
};
