// movrec models: list and inspect registered models (movrec models ls)
import type { Command } from '../command';
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
  usage: 'ls | show ID [--json]',
  details: `ls lists every registered model, newest first, with its lineage: the lifecycle events the
registry records (the manifest's "history": approved, canaried, promoted, rolled back, with reasons) and
its online watch-from-list rate from the join; show prints one manifest.`,
  state: true,
  reports: true,
  positionals: 2,
  options: {},
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
    throw Errors.usage(`movrec models: unknown subcommand "${sub.slice(0, 40)}" (ls or show)`);
  },
};
