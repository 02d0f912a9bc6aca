// movrec ingest: read the event stream (Kafka, a file or stdin) into LMDB
import { intFlag, listFlag, type Command } from '../command';
import { Errors } from '../../errors';
import { startIngest } from '../../ingest/loop';
import { kafkaSourceFromConfig, sourceFromConfig } from '../../ingest/source-from-config';
import { broughtIdentity } from '../../ingest/source-identity';
import { claimIdentity } from '../../store/identity';
import { openStore } from '../../store/store';
import { RESET_OPTION, resetState } from '../reset-state';

export const ingest: Command = {
  name: 'ingest',
  summary: 'read the event stream (Kafka, a file or stdin) into LMDB',
  usage: '[options]',
  details: `
Without --from-file, consumes the configured Kafka topic (kafka.*). Each batch
of lines is applied in one LMDB transaction together with the offset it
reaches; the offset is committed to Kafka only after that, so a crash at any
point replays to the same state. A file or Kafka stream already applied is
skipped on replay. The store records the topic and the world (or catalog) it
holds; another one is refused (exit 2) unless --reset wipes it first. Stops at
the end of a file (unless --follow), after --max-lines, after --idle-exit-ms without a line, or on SIGTERM/SIGINT.`,
  state: true,
  reports: true,
  options: {
    'from-file': {
      type: 'string',
      valueName: 'FILE',
      description: 'read this file (one line per event), or - for stdin',
    },
    follow: { type: 'boolean', description: 'with --from-file: keep reading as the file grows' },
    kafka: { type: 'string', valueName: 'BROKERS', description: 'Kafka brokers, host:port,... (kafka.brokers)' },
    topic: { type: 'string', valueName: 'NAME', description: 'Kafka topic (kafka.topic)' },
    group: { type: 'string', valueName: 'ID', description: 'Kafka consumer group (kafka.groupId)' },
    start: {
      type: 'string',
      valueName: 'WHERE',
      description: 'where a new group starts: earliest, latest or an ISO time (kafka.startFrom)',
    },
    'max-lines': { type: 'string', valueName: 'N', description: 'stop after N lines' },
    ...RESET_OPTION,
    'idle-exit-ms': {
      type: 'string',
      valueName: 'MS',
      description: 'stop when no line has arrived for MS milliseconds',
    },
  },
  configOverrides: (ctx) => ({
    'kafka.brokers': listFlag(ctx, 'kafka'),
    'kafka.topic': ctx.values.topic,
    'kafka.groupId': ctx.values.group,
    'kafka.startFrom': ctx.values.start,
  }),
  async run(ctx) {
    const config = ctx.config();
    const fromFile = ctx.values['from-file'] as string | undefined;
    if (ctx.values.follow === true && (fromFile === undefined || fromFile === '-'))
      throw Errors.usage('movrec ingest: --follow needs --from-file FILE');
    const maxLines = intFlag(ctx, 'max-lines');
    const idleExitMs = intFlag(ctx, 'idle-exit-ms');
    const source =
      fromFile !== undefined
        ? sourceFromConfig(config, { fromFile, follow: ctx.values.follow === true })!
        : kafkaSourceFromConfig(config);

    if (ctx.values.reset === true) resetState(config.dataDir, ctx.log);
    const store = openStore(config.dataDir);
    try {
      await claimIdentity(store, config.dataDir, await broughtIdentity(config, fromFile === undefined));
    } catch (e) {
      await store.close();
      throw e;
    }
    const handle = startIngest({
      config,
      store,
      source,
      ...(maxLines !== undefined ? { maxLines } : {}),
      ...(idleExitMs !== undefined ? { idleExitMs } : {}),
      waitForCatalog: fromFile !== undefined && ctx.values.follow !== true,
    });
    const stop = (signal: NodeJS.Signals) => {
      ctx.log.info({ signal }, 'stopping: finishing the batches in hand');
      void handle.stop();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      await handle.done;
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      await store.close();
    }
    const s = handle.stats();
    if (ctx.json) ctx.out(JSON.stringify(s));
    else
      ctx.out(
        `${s.linesApplied} lines applied (${s.rejected} rejected), ${s.linesSkipped} already in the ` +
          `store, ${s.transactions} transactions, from ${s.source}`,
      );
    // kafkajs can leave timers behind after disconnect: a finished run must not linger.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
    return 0;
  },
};
