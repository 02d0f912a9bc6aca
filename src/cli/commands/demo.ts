// movrec demo: the embedded demo, everything on this machine, no Kafka or catalog needed.
import { intFlag, type Command } from '../command';
import { runDemo, totalsLine } from '../../demo/demo';

export const demo: Command = {
  name: 'demo',
  summary: 'the embedded demo: simulate, ingest, train, serve, drive, all on this machine',
  usage: '[options]',
  details: `Builds a simulated world, writes its past stream to a file, ingests it with the world's catalog
API, trains and approves a model, serves GET /recommend/<userid> on --host:--port, and drives it with the
simulator, whose lines the server ingests as they come. Retrains every --retrain-every seconds with the
retrain scheduler of movrec serve (a low-priority child process), says what was trained and why the gate
approved or refused it, puts an approved model on canary for half the users, and lets the canary guard
promote it or roll it back (its minimums sized for the demo: 300 answers, 100 users per arm; release.*
settings in a --config file take precedence over these).
Its state lives under <data-dir>/demo, apart from an operator's store: the ingested history and first
model are built once per world and size and copied for each run (the last run's live lines go).
Prints one progress line per second on stdout (the last second's rate, p99 and success, then totals, then
the stable and canary models with their online watch-from-list rates);
logs go to stderr. Ctrl-C stops and prints the run's totals.`,
  state: true,
  reports: false,
  options: {
    seed: { type: 'string', valueName: 'N', description: 'world seed', default: '42' },
    users: { type: 'string', valueName: 'N', description: 'users in the world', default: '5000' },
    movies: { type: 'string', valueName: 'N', description: 'movies in the world', default: '1500' },
    history: {
      type: 'string',
      valueName: 'LINES',
      description: 'past stream lines to ingest before serving',
      default: '2000000',
    },
    port: { type: 'string', valueName: 'PORT', description: 'port to serve on (0: any free port)', default: '8082' },
    host: {
      type: 'string',
      valueName: 'ADDR',
      description: 'address to serve on (0.0.0.0: every interface)',
      default: '127.0.0.1',
    },
    duration: {
      type: 'string',
      valueName: 'SECONDS',
      description: 'stop after this long (0: run until interrupted)',
      default: '0',
    },
    'retrain-every': {
      type: 'string',
      valueName: 'SECONDS',
      description: 'retrain this often; an approved model goes to canary (0: never)',
      default: '60',
    },
    rate: {
      type: 'string',
      valueName: 'LINES_PER_S',
      description: 'stream lines per second while driving',
      default: '5000',
    },
  },
  async run(ctx) {
    const config = ctx.config();
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const tty = process.stdout.isTTY === true;
    try {
      const res = await runDemo({
        dataDir: config.dataDir,
        configFile: ctx.values.config as string | undefined,
        seed: intFlag(ctx, 'seed', 0)!,
        users: intFlag(ctx, 'users', 100)!,
        movies: intFlag(ctx, 'movies', 50)!,
        historyLines: intFlag(ctx, 'history', 1000)!,
        port: intFlag(ctx, 'port', 0)!,
        host: ctx.values.host as string,
        durationS: intFlag(ctx, 'duration', 0)!,
        retrainEveryS: intFlag(ctx, 'retrain-every', 0)!,
        rate: intFlag(ctx, 'rate', 1)!,
        log: ctx.log,
        // On a terminal the line rewrites itself; elsewhere (CI, pipes) one plain line per tick.
        progress: (line) => process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`),
        signal: ac.signal,
      });
      if (tty) process.stdout.write('\n');
      ctx.out(totalsLine(res.scoreboard, res.retrains, res.modelId));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
