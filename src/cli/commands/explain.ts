// movrec explain: one answer's provenance, its model's manifest, and what the user did next
import type { Command } from '../command';
import { Errors } from '../../errors';
import { openStore } from '../../store/store';
import { explain as explainAnswer, formatExplanation } from '../../telemetry/explain';

export const explain: Command = {
  name: 'explain',
  summary: "explain one answer: who got which ids from which model and arm, the model's manifest, what followed",
  usage: 'REQUEST_ID [--json]',
  details: `
REQUEST_ID is the X-Request-Id header of a /recommend answer. Prints the
answer (user, time, ids served, source), the model and arm that served it, the
model's manifest (data window and hash, code version, hyperparameters, offline
metrics, gate, lifecycle history when the registry has one), the online
join's verdict on the stream's request line, and the user's watches and
ratings of the listed titles after it.`,
  state: true,
  reports: true,
  positionals: 1,
  options: {},
  async run(ctx) {
    const id = ctx.positionals[0];
    if (id === undefined)
      throw Errors.usage('movrec explain: a request id is required (the X-Request-Id of an answer)');
    const dataDir = ctx.config().dataDir;
    const store = openStore(dataDir, { readOnly: true });
    try {
      const e = explainAnswer(store.root, dataDir, id);
      ctx.out(ctx.json ? JSON.stringify(e, null, 2) : formatExplanation(e));
    } finally {
      await store.close();
    }
    return 0;
  },
};
