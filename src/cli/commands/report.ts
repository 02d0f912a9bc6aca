// movrec report: report on the stored data (movrec report data)
import type { Command } from '../command';
import { Errors } from '../../errors';
import { dataReport, formatDataReport } from '../../ingest/report';
import { openStore } from '../../store/store';

export const report: Command = {
  name: 'report',
  summary: 'report on the stored data (movrec report data)',
  usage: 'data [--json]',
  details: `
movrec report data: lines by kind, rejects by reason with examples, the
collapse ratio, users and movies seen, catalog misses, the rating
distribution, the time range, lines per day and a digest of the stored state.
With --json, one document on stdout; the count of lines read is "lines".`,
  state: true,
  reports: true,
  positionals: 1,
  options: {},
  async run(ctx) {
    const what = ctx.positionals[0];
    if (what !== 'data') throw Errors.usage(`movrec report: say what to report on: data (got "${String(what ?? '')}")`);
    const store = openStore(ctx.config().dataDir, { readOnly: true });
    try {
      const r = dataReport(store);
      ctx.out(ctx.json ? JSON.stringify(r) : formatDataReport(r));
    } finally {
      await store.close();
    }
    return 0;
  },
};
