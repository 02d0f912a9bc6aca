// movrec report: report on the stored data (movrec report data) and the online outcomes (movrec report online)
import type { Command } from '../command';
import { Errors } from '../../errors';
import { dataReport, formatDataReport } from '../../ingest/report';
import { openStore } from '../../store/store';
import { requireStore } from '../../store/require-store';
import { formatOnlineReport, onlineReport } from '../../telemetry/online-report';

/** An ISO time, or a span back from now: `90m`, `24h`, `7d`; undefined when absent. */
export function sinceFlag(raw: unknown, now = Date.now()): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw);
  const span = /^(\d+(?:\.\d+)?)([mhd])$/.exec(s);
  if (span) return now - Number(span[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as 'm' | 'h' | 'd'];
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(t))
    throw Errors.usage(
      `movrec report: --since must be an ISO time or a span like 24h, 7d, 90m (got "${s.slice(0, 40)}")`,
    );
  return t;
}

export const report: Command = {
  name: 'report',
  summary: 'report on the stored data (movrec report data) or the online outcomes (movrec report online)',
  usage: 'data|online [--since T] [--json]',
  details: `
movrec report data: lines by kind, rejects by reason with examples, the
collapse ratio, users and movies seen, catalog misses, the rating
distribution, the time range, lines per day and a digest of the stored state.
With --json, one document on stdout; the count of lines read is "lines".

movrec report online: per model and arm, the answers the server recorded, the
stream's request lines (success rate and latency as the client saw them), and
the joined outcomes: users, watch-from-list rate (the first title started
within telemetry.joinWindowMinutes of event time was listed) with a 95%
interval, any listed title started, mean reciprocal rank, mean rating of listed
titles rated, share of the catalog served, list popularity (1: the average
title). --since takes an ISO time (UTC) or a span back from now (24h, 7d).`,
  state: true,
  reports: true,
  positionals: 1,
  options: {
    since: {
      type: 'string',
      valueName: 'T',
      description: 'online: only outcomes from this time (ISO, or 24h / 7d back)',
    },
  },
  async run(ctx) {
    const what = ctx.positionals[0];
    if (what !== 'data' && what !== 'online')
      throw Errors.usage(`movrec report: say what to report on: data or online (got "${String(what ?? '')}")`);
    const since = sinceFlag(ctx.values.since);
    if (what === 'data' && since !== undefined)
      throw Errors.usage('movrec report data: --since applies to online only');
    requireStore(ctx.config().dataDir);
    const store = openStore(ctx.config().dataDir, { readOnly: true });
    try {
      if (what === 'data') {
        const r = dataReport(store);
        ctx.out(ctx.json ? JSON.stringify(r) : formatDataReport(r));
      } else {
        const r = onlineReport(store.root, since);
        ctx.out(ctx.json ? JSON.stringify(r) : formatOnlineReport(r));
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
