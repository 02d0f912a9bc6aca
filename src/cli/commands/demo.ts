// movrec demo: the embedded demo, everything on this machine, no Kafka or catalog needed.
import { intFlag, type Command } from '../command';
import { runDemo } from '../../demo/demo';

export const demo: Command = {
  name: 'demo',
  summary: 'the embedded demo: simulate, ingest, train, serve, drive, all on this machine',
  usage: '[options]',
  details: `Builds a simulated world (saved under <data-dir>/demo), writes its past stream to a file, ingests it
with the world's catalog API, trains and approves a model, serves GET /recommend/<userid> on --port, and
drives it with the simulator, whose lines the server ingests as they come. Retrains every --retrain-every
seconds in a child process and hot-swaps the model. Prints one progress line per second; Ctrl-C stops.`,
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
    duration: {
      type: 'string',
      valueName: 'SECONDS',
      description: 'stop after this long (0: run until interrupted)',
      default: '0',
    },
    'retrain-every': {
      type: 'string',
      valueName: 'SECONDS',
      description: 'retrain and hot-swap this often (0: never)',
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
        durationS: intFlag(ctx, 'duration', 0)!,
        retrainEveryS: intFlag(ctx, 'retrain-every', 0)!,
        rate: intFlag(ctx, 'rate', 1)!,
        log: ctx.log,
        // On a terminal the line rewrites itself; elsewhere (CI, pipes) one plain line per tick.
        progress: (line) => process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`),
        signal: ac.signal,
      });
      if (tty) process.stdout.write('\n');
      const s = res.scoreboard;
      ctx.out(
        `demo done: ${s.requests} requests, ${(100 * s.successRate).toFixed(2)}% ok, p99 ` +
          `${s.latencyMs.p99.toFixed(0)} ms, ` +
          `watched from ${(100 * s.watchShare).toFixed(1)}% of lists, ${res.retrains} retrains, ` +
          `model ${res.modelId ?? '-'}`,
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
