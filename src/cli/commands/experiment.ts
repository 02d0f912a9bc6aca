// movrec experiment: start, watch and stop an A/B experiment on a running server
import type { Command } from '../command';
import { intFlag } from '../command';
import { admin, SERVER_OPTION } from '../admin-client';
import { Errors } from '../../errors';
import type { ExperimentReport } from '../../release/controller';

function formatReport(r: ExperimentReport | null): string {
  if (!r) return 'no experiment is running';
  const lines = [
    `experiment ${r.name} (${r.metric}) since ${r.startedAt}${r.stoppedAt ? `, stopped ${r.stoppedAt}` : ''}`,
  ];
  for (const a of r.arms)
    lines.push(
      `  ${a.name} ${a.modelId} ${a.percent}%: ${a.answers} answers, ${a.errors} errors, p99 ` +
        `${a.p99Ms.toFixed(1)} ms, ` +
        `${a.users} users, watch-from-list ${(100 * a.watchFromList).toFixed(2)}%`,
    );
  lines.push(`  ${r.decision.text}`);
  return lines.join('\n');
}

export const experiment: Command = {
  name: 'experiment',
  summary: 'A/B experiments on a running server (movrec experiment start|status|stop)',
  usage:
    'start NAME --arm a=MODEL_ID:50 --arm b=MODEL_ID:50 [--metric watch-from-list] [--min-users N] | status ' +
    '[--json] | stop',
  details: `
Users are split by a salted hash of their id (the salt is kept in the store,
so a restart keeps every user's arm). Each arm answers with its own model and
every answer carries X-Arm: NAME/ARM. The decision is made once, when both
arms reach the horizon: the users per arm from the power calculation
(release.alpha, release.power, release.minEffect, release.baselineRate), or
--min-users if larger; until then status says how many more users are needed.
The test is Welch's t on per-user watch-from-list rates (docs/release.md).
These commands call the running server's admin routes.`,
  state: true,
  reports: true,
  positionals: 2,
  options: {
    arm: { type: 'string', multiple: true, valueName: 'NAME=MODEL_ID:PERCENT', description: 'an arm (exactly two)' },
    metric: { type: 'string', valueName: 'METRIC', description: 'the compared metric', default: 'watch-from-list' },
    'min-users': { type: 'string', valueName: 'N', description: 'users per arm before the decision, at least' },
    ...SERVER_OPTION,
  },
  async run(ctx) {
    const [sub, name] = ctx.positionals;
    const server = ctx.values.server as string | undefined;
    const config = ctx.config();
    if (sub === 'start') {
      if (!name) throw Errors.usage('movrec experiment start: an experiment name is required');
      const arms = (ctx.values.arm as string[] | undefined) ?? [];
      if (arms.length !== 2)
        throw Errors.usage(`movrec experiment start: give exactly two --arm NAME=MODEL_ID:PERCENT, got ${arms.length}`);
      const minUsers = intFlag(ctx, 'min-users', 2);
      const q = new URLSearchParams({
        name,
        arms: arms.join(','),
        metric: String(ctx.values.metric ?? 'watch-from-list'),
      });
      if (minUsers !== undefined) q.set('min-users', String(minUsers));
      const r = JSON.parse(await admin(config, server, 'POST', `/admin/experiments?${q}`)) as ExperimentReport;
      ctx.out(ctx.json ? JSON.stringify(r) : formatReport(r));
      return;
    }
    if (name !== undefined) throw Errors.usage(`movrec experiment ${sub}: unexpected argument "${name.slice(0, 60)}"`);
    if (sub === 'status' || sub === 'stop') {
      const body = await admin(
        config,
        server,
        sub === 'stop' ? 'POST' : 'GET',
        sub === 'stop' ? '/admin/experiments/stop' : '/admin/experiments',
      );
      const r = JSON.parse(body) as ExperimentReport | null;
      ctx.out(ctx.json ? JSON.stringify(r) : formatReport(r));
      return;
    }
    throw Errors.usage(`movrec experiment: say start, status or stop (got "${String(sub ?? '').slice(0, 40)}")`);
  },
};
