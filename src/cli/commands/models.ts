// movrec models: list and inspect registered models (movrec models ls)
import type { Command } from '../command';
import { Errors } from '../../errors';
import { listManifests, readManifest } from '../../model/registry';
import { formatManifests } from '../../train/report';

export const models: Command = {
  name: 'models',
  summary: 'list and inspect registered models (movrec models ls)',
  usage: 'ls | show ID [--json]',
  details: 'ls lists every registered model, newest first; show prints one manifest.',
  state: true,
  reports: true,
  positionals: 2,
  options: {},
  async run(ctx) {
    const [sub = 'ls', id] = ctx.positionals;
    const dataDir = ctx.config().dataDir;
    if (sub === 'ls') {
      if (id !== undefined) throw Errors.usage(`movrec models ls: unexpected argument "${id.slice(0, 60)}"`);
      const ms = listManifests(dataDir);
      ctx.out(ctx.json ? JSON.stringify(ms, null, 2) : formatManifests(ms));
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
