// movrec serve: serve GET /recommend/<userid> on port 8082 (ingesting too when a source is set)
import { intFlag, listFlag, type Command } from '../command';
import { sourceFromConfig } from '../../ingest/source-from-config';
import { startService } from '../../serve/service';
import { broughtIdentity } from '../../ingest/source-identity';
import { RESET_OPTION, resetState } from '../reset-state';

export const serve: Command = {
  name: 'serve',
  summary: 'serve GET /recommend/<userid> on port 8082 (ingesting too when a source is set)',
  usage: '[options]',
  details: `
Loads the newest approved model from <data-dir>/models and answers
GET /recommend/<userid>, /healthz, /readyz, /metrics and (with serve.adminToken)
POST /admin/models/<id>/activate. Until a model is approved, /recommend answers
from the popularity of what has been ingested (degraded; /readyz says so). SIGHUP loads the newest approved model (a
corrupt one is refused and the current one keeps serving); SIGTERM or SIGINT
stops accepting, finishes in-flight answers and exits 0. With retrain.everyMinutes
or retrain.everyEvents set, it also retrains on that schedule in a low-priority
child (movrec train) and swaps in each model the gates approve. While ingesting,
the store must hold the same topic and world (or catalog) it was filled from:
another one is refused with exit 2 unless --reset wipes the store and models first.`,
  state: true,
  reports: false,
  options: {
    port: { type: 'string', valueName: 'N', description: 'port to listen on, 0 for any free one (serve.port, 8082)' },
    host: { type: 'string', valueName: 'ADDR', description: 'address to listen on (serve.host, 0.0.0.0)' },
    threads: { type: 'string', valueName: 'N', description: 'scoring worker threads (serve.threads)' },
    'from-file': {
      type: 'string',
      valueName: 'FILE',
      description: 'ingest this event file (one line per event) while serving',
    },
    follow: { type: 'boolean', description: 'with --from-file: keep reading as the file grows' },
    kafka: {
      type: 'string',
      valueName: 'BROKERS',
      description:
        'ingest from these Kafka brokers (host:port,...) while serving (kafka.enabled does the same from config)',
    },
    topic: { type: 'string', valueName: 'NAME', description: 'Kafka topic to ingest (kafka.topic)' },
    ...RESET_OPTION,
  },
  configOverrides: (ctx) => ({
    'serve.port': intFlag(ctx, 'port'),
    'serve.host': ctx.values.host,
    'serve.threads': intFlag(ctx, 'threads'),
    'kafka.brokers': listFlag(ctx, 'kafka'),
    'kafka.enabled': ctx.values.kafka === undefined ? undefined : true,
    'kafka.topic': ctx.values.topic,
  }),
  async run(ctx) {
    const config = ctx.config();
    const fromFile = ctx.values['from-file'] as string | undefined;
    const source = sourceFromConfig(config, { fromFile, follow: ctx.values.follow === true });
    if (ctx.values.reset === true) resetState(config.dataDir, ctx.log);
    const identity = source ? await broughtIdentity(config, fromFile === undefined) : null;
    // The handlers go in before the (possibly long) start: Node's default for SIGHUP
    // is to die, and a SIGTERM during start must still end in a clean exit 0.
    let service: Awaited<ReturnType<typeof startService>> | undefined;
    let hupDuringStart = false;
    const onHup = (): void => {
      if (!service) {
        hupDuringStart = true;
        return;
      }
      ctx.log.info('SIGHUP: loading the newest approved model');
      service.reload().catch(() => undefined);
    };
    process.on('SIGHUP', onHup);
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    service = await startService({ config, source, identity, log: ctx.log });
    ctx.log.info({ port: service.port }, 'serving');
    // A SIGHUP that came while starting asked for the newest model: the start may have loaded an older one.
    if (hupDuringStart) onHup();
    const signal = await stopped;
    ctx.log.info({ signal }, 'stopping: finishing in-flight answers');
    await service.stop();
    process.off('SIGHUP', onHup);
    ctx.log.info('stopped');
    // Everything is closed; a library timer left behind (kafkajs, piscina) must not keep a stopped service alive.
    setTimeout(() => process.exit(0), 2000).unref();
    return 0;
  },
};
